//! The metric store: series per name, thresholds, regression checks and the
//! alert history.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use parking_lot::{Mutex, RwLock};
use serde_json::value::RawValue;

use crate::alert::{Alert, AlertKind, Severity};
use crate::baseline::Baseline;
use crate::detection::{DetectionMethod, RobustOptions};
use crate::error::MonitorError;
use crate::regression::{is_memory_metric, RegressionRule};
use crate::series::{Sample, Series};
use crate::threshold::{Threshold, DEFAULT_THRESHOLDS};

/// Limits and rules of one monitor. Each default lives here.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorOptions {
  /// Samples kept per metric name; the oldest is dropped beyond it.
  pub max_samples: usize,
  /// Alerts kept in the history; the oldest is dropped beyond it.
  pub max_alerts: usize,
  pub regression: RegressionRule,
  /// Install the five default thresholds at construction.
  pub default_thresholds: bool,
  /// Detection method of metrics without their own; see [`Monitor::set_detection`].
  pub detection: DetectionMethod,
  /// Parameters of the robust method for metrics that use it without their own.
  pub robust: RobustOptions,
  /// Distinct metric names kept; samples of further new names go to the
  /// series [`OVERFLOW_METRIC`], so a label explosion cannot exhaust memory.
  pub max_metric_names: usize,
}

/// The series that receives the samples of names beyond `max_metric_names`.
pub const OVERFLOW_METRIC: &str = "perf_sentinel_overflow";

impl Default for MonitorOptions {
  fn default() -> Self {
    Self {
      max_samples: 1000,
      max_alerts: 100,
      regression: RegressionRule::default(),
      default_thresholds: true,
      detection: DetectionMethod::Classic,
      robust: RobustOptions::default(),
      max_metric_names: 10_000,
    }
  }
}

/// Largest magnitude a sample may have. Squared deviations of values within
/// ±1e150 stay below 1e301 even summed over ten million samples, so the
/// variance can never overflow to infinity.
pub const MAX_ABS_VALUE: f64 = 1e150;

/// Returns true for values the monitor accepts: finite and within ±[`MAX_ABS_VALUE`].
pub fn is_storable(value: f64) -> bool {
  value.is_finite() && value.abs() <= MAX_ABS_VALUE
}

/// Upper bound for `max_samples`, so a typo cannot reserve gigabytes per name.
pub const MAX_SAMPLES_LIMIT: usize = 10_000_000;
/// Upper bound for `max_alerts`.
pub const MAX_ALERTS_LIMIT: usize = 1_000_000;

impl MonitorOptions {
  /// Checks ranges; returns the first invalid option.
  pub fn validate(&self) -> Result<(), MonitorError> {
    if self.max_samples == 0 || self.max_samples > MAX_SAMPLES_LIMIT {
      return Err(MonitorError::InvalidOption {
        name: "maxSamples",
        reason: format!(
          "must be between 1 and {MAX_SAMPLES_LIMIT}, received {}",
          self.max_samples
        ),
      });
    }
    if self.max_alerts == 0 || self.max_alerts > MAX_ALERTS_LIMIT {
      return Err(MonitorError::InvalidOption {
        name: "maxAlerts",
        reason: format!(
          "must be between 1 and {MAX_ALERTS_LIMIT}, received {}",
          self.max_alerts
        ),
      });
    }
    if self.max_metric_names == 0 {
      return Err(MonitorError::InvalidOption {
        name: "maxMetricNames",
        reason: String::from("must be at least 1, received 0"),
      });
    }
    let rule = &self.regression;
    let percents = [
      ("regression.sigma", rule.sigma),
      ("regression.warningPercent", rule.warning_percent),
      ("regression.criticalPercent", rule.critical_percent),
      (
        "regression.memoryWarningPercent",
        rule.memory_warning_percent.unwrap_or(0.0),
      ),
    ];
    for (name, value) in percents {
      if !value.is_finite() || value < 0.0 {
        return Err(MonitorError::InvalidOption {
          name,
          reason: format!("must be a finite number of at least 0, received {value}"),
        });
      }
    }
    // The robust options only need to fit the window once a metric uses them;
    // `Monitor::set_detection` checks them again then.
    let robust_window = match self.detection {
      DetectionMethod::Robust => self.max_samples,
      DetectionMethod::Classic => MAX_SAMPLES_LIMIT,
    };
    self.robust.validate(robust_window)
  }
}

/// The alerts one `record` call raised, in the order they were raised.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RecordOutcome {
  pub threshold: Option<Alert>,
  pub regression: Option<Alert>,
}

impl RecordOutcome {
  pub fn is_empty(&self) -> bool {
    self.threshold.is_none() && self.regression.is_none()
  }
}

/// A series resolved for one unit by [`Monitor::target`]: recording through
/// it skips the name lookup, the unit lookup and the memory-metric test.
#[derive(Debug, Clone)]
pub struct SeriesTarget {
  series: Arc<Mutex<Series>>,
  name: Arc<str>,
  unit: Arc<str>,
  unit_id: u16,
  is_memory: bool,
}

impl SeriesTarget {
  pub fn name(&self) -> &Arc<str> {
    &self.name
  }

  pub fn unit(&self) -> &Arc<str> {
    &self.unit
  }
}

/// Counts for the summary call.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
  pub total_metrics: usize,
  pub active_thresholds: usize,
  pub recent_alerts: usize,
  pub baselines: usize,
}

/// A thread-safe store of metric series. Recording takes one shard lock of
/// the name map for the lookup and then only that metric's own mutex, so
/// threads recording different names do not wait for each other.
pub struct Monitor {
  options: MonitorOptions,
  series: DashMap<Arc<str>, Arc<Mutex<Series>>>,
  /// Source of truth for thresholds; each series also keeps a copy of its own
  /// so that recording needs no lookup here.
  thresholds: RwLock<HashMap<Arc<str>, Threshold>>,
  /// The rule new series copy; like thresholds, each series keeps its own copy.
  rule: RwLock<RegressionRule>,
  alerts: Mutex<VecDeque<Alert>>,
  /// Detection set per metric name: robust options, or `None` for the classic
  /// rule. Names absent here use the monitor's `detection` option. Taken
  /// before a shard lock of `series`, never after.
  detections: RwLock<HashMap<Arc<str>, Option<RobustOptions>>>,
  /// Lookups of new names that went to the overflow series.
  folded_names: AtomicU64,
}

impl Monitor {
  pub fn new(options: MonitorOptions) -> Result<Self, MonitorError> {
    options.validate()?;
    let monitor = Self {
      options: options.clone(),
      series: DashMap::new(),
      thresholds: RwLock::new(HashMap::new()),
      rule: RwLock::new(options.regression),
      alerts: Mutex::new(VecDeque::new()),
      detections: RwLock::new(HashMap::new()),
      folded_names: AtomicU64::new(0),
    };
    if monitor.options.default_thresholds {
      for (name, max_value, unit) in DEFAULT_THRESHOLDS {
        monitor.set_threshold(name, max_value, unit, true)?;
      }
    }
    Ok(monitor)
  }

  pub fn options(&self) -> &MonitorOptions {
    &self.options
  }

  /// Replaces the regression rule of every metric, current and future.
  pub fn set_regression_rule(&self, rule: RegressionRule) -> Result<(), MonitorError> {
    let mut options = self.options.clone();
    options.regression = rule;
    options.validate()?;
    // The write lock keeps a series created meanwhile from copying the old rule.
    let mut current = self.rule.write();
    for entry in self.series.iter() {
      entry.value().lock().rule = rule;
    }
    *current = rule;
    Ok(())
  }

  pub fn regression_rule(&self) -> RegressionRule {
    *self.rule.read()
  }

  /// Returns the series of `name`, creating it when absent.
  pub fn series(&self, name: &str) -> Result<Arc<Mutex<Series>>, MonitorError> {
    if name.is_empty() {
      return Err(MonitorError::EmptyName);
    }
    if let Some(existing) = self.series.get(name) {
      return Ok(existing.clone());
    }
    // The count is read without a lock, so concurrent new names may pass the
    // limit by at most the number of recording threads.
    if name != OVERFLOW_METRIC && self.series.len() >= self.options.max_metric_names {
      self.folded_names.fetch_add(1, Ordering::Relaxed);
      return self.series(OVERFLOW_METRIC);
    }
    // Lock order: the configuration locks before the map's shard lock, as in
    // set_threshold and set_regression_rule, so the two cannot deadlock.
    let thresholds = self.thresholds.read();
    let rule = *self.rule.read();
    let detections = self.detections.read();
    let entry = self.series.entry(Arc::from(name)).or_insert_with(|| {
      let threshold = thresholds.get(name).cloned();
      let mut series = Series::new(Arc::from(name), self.options.max_samples, threshold, rule);
      series.set_detection(self.detection_of(&detections, name));
      Arc::new(Mutex::new(series))
    });
    Ok(entry.clone())
  }

  /// Returns the robust options `name` uses, or `None` for the classic rule.
  fn detection_of(
    &self,
    detections: &HashMap<Arc<str>, Option<RobustOptions>>,
    name: &str,
  ) -> Option<RobustOptions> {
    match detections.get(name) {
      Some(own) => *own,
      None => match self.options.detection {
        DetectionMethod::Robust => Some(self.options.robust),
        DetectionMethod::Classic => None,
      },
    }
  }

  /// Sets the detection method of `name`, current and future samples, and
  /// restarts its detector state. `robust` replaces the monitor's robust
  /// options for this metric; it is ignored for the classic method.
  pub fn set_detection(
    &self,
    name: &str,
    method: DetectionMethod,
    robust: Option<RobustOptions>,
  ) -> Result<(), MonitorError> {
    if name.is_empty() {
      return Err(MonitorError::EmptyName);
    }
    let own = match method {
      DetectionMethod::Classic => None,
      DetectionMethod::Robust => {
        let options = robust.unwrap_or(self.options.robust);
        options.validate(self.options.max_samples)?;
        Some(options)
      }
    };
    // Holding the write lock keeps a series created meanwhile from copying the old method.
    let mut detections = self.detections.write();
    if let Some(series) = self.series.get(name) {
      series.lock().set_detection(own);
    }
    detections.insert(Arc::from(name), own);
    Ok(())
  }

  /// Stores a sample, updates the baseline, then runs the threshold and the
  /// regression check. Returns the alerts raised, already in the history.
  pub fn record(
    &self,
    name: &str,
    value: f64,
    unit: &str,
    timestamp: f64,
    context: Option<Box<RawValue>>,
  ) -> Result<RecordOutcome, MonitorError> {
    if !is_storable(value) {
      return Err(MonitorError::NonFiniteValue(value));
    }
    let mut target = self.target(name, unit)?;
    self.record_to(&mut target, value, timestamp, context)
  }

  /// Resolves `name` and `unit` once, creating the series when absent, so
  /// that [`Monitor::record_to`] can skip the name and unit lookups.
  pub fn target(&self, name: &str, unit: &str) -> Result<SeriesTarget, MonitorError> {
    let series = self.series(name)?;
    let (name, unit_id, unit) = {
      let mut locked = series.lock();
      let unit_id = locked.intern_unit(unit);
      (locked.name().clone(), unit_id, locked.unit(unit_id))
    };
    Ok(SeriesTarget {
      is_memory: is_memory_metric(&name, &unit),
      series,
      name,
      unit,
      unit_id,
    })
  }

  /// Records a sample into a resolved target, as [`Monitor::record`] does.
  /// When `clear` or `drop_older_than` removed the target's series since it
  /// was resolved, the target is resolved again first, so the sample lands
  /// in the series that the name now has.
  #[inline]
  pub fn record_to(
    &self,
    target: &mut SeriesTarget,
    value: f64,
    timestamp: f64,
    context: Option<Box<RawValue>>,
  ) -> Result<RecordOutcome, MonitorError> {
    if !is_storable(value) {
      return Err(MonitorError::NonFiniteValue(value));
    }
    let mut context = context;
    let outcome = loop {
      let mut series = target.series.lock();
      if !series.detached {
        series.push_unit_id(value, target.unit_id, timestamp, context.take());
        break self.check(&mut series, value, target.is_memory, timestamp);
      }
      drop(series);
      *target = self.target(&target.name, &target.unit)?;
    };
    if !outcome.is_empty() {
      self.remember(&outcome);
    }
    Ok(outcome)
  }

  /// Records each value of `values` as `record` would, in order, and returns
  /// the alerts raised together with the index of the sample that raised each.
  pub fn record_many(
    &self,
    name: &str,
    values: &[f64],
    unit: &str,
    timestamp: f64,
  ) -> Result<Vec<(usize, RecordOutcome)>, MonitorError> {
    if let Some(bad) = values.iter().find(|v| !is_storable(**v)) {
      return Err(MonitorError::NonFiniteValue(*bad));
    }
    let mut target = self.target(name, unit)?;
    self.record_many_to(&mut target, values, timestamp)
  }

  /// Records each value of `values` into a resolved target, as
  /// [`Monitor::record_many`] does, holding the series lock once for all.
  pub fn record_many_to(
    &self,
    target: &mut SeriesTarget,
    values: &[f64],
    timestamp: f64,
  ) -> Result<Vec<(usize, RecordOutcome)>, MonitorError> {
    if let Some(bad) = values.iter().find(|v| !is_storable(**v)) {
      return Err(MonitorError::NonFiniteValue(*bad));
    }
    let mut raised = Vec::new();
    loop {
      let mut series = target.series.lock();
      if series.detached {
        drop(series);
        *target = self.target(&target.name, &target.unit)?;
        continue;
      }
      for (index, &value) in values.iter().enumerate() {
        series.push_unit_id(value, target.unit_id, timestamp, None);
        let outcome = self.check(&mut series, value, target.is_memory, timestamp);
        if !outcome.is_empty() {
          raised.push((index, outcome));
        }
      }
      break;
    }
    for (_, outcome) in &raised {
      self.remember(outcome);
    }
    Ok(raised)
  }

  #[inline]
  fn check(
    &self,
    series: &mut Series,
    value: f64,
    is_memory: bool,
    timestamp: f64,
  ) -> RecordOutcome {
    let mut outcome = RecordOutcome::default();
    if let Some(threshold) = series.threshold.as_ref().filter(|t| t.enabled) {
      if value > threshold.max_value {
        outcome.threshold = Some(threshold_alert(series.name(), threshold, value, timestamp));
      }
    }
    if series.uses_robust_detection() {
      outcome.regression = series.detect_robust(value).map(|finding| Alert {
        metric_name: series.name().clone(),
        current_value: value,
        previous_value: finding.median,
        threshold: finding.threshold,
        regression_percentage: finding.percentage,
        timestamp,
        severity: finding.severity,
        kind: AlertKind::Regression,
      });
      return outcome;
    }
    if let Some(finding) = series.rule.check(series.stats(), value, is_memory) {
      outcome.regression = Some(Alert {
        metric_name: series.name().clone(),
        current_value: value,
        previous_value: finding.mean,
        threshold: finding.expected_max,
        regression_percentage: finding.percentage,
        timestamp,
        severity: finding.severity,
        kind: AlertKind::Regression,
      });
    }
    outcome
  }

  fn remember(&self, outcome: &RecordOutcome) {
    let mut alerts = self.alerts.lock();
    for alert in [&outcome.threshold, &outcome.regression]
      .into_iter()
      .flatten()
    {
      alerts.push_back(alert.clone());
      while alerts.len() > self.options.max_alerts {
        alerts.pop_front();
      }
    }
  }

  /// Sets or replaces the threshold of `name`.
  pub fn set_threshold(
    &self,
    name: &str,
    max_value: f64,
    unit: &str,
    enabled: bool,
  ) -> Result<(), MonitorError> {
    if name.is_empty() {
      return Err(MonitorError::EmptyName);
    }
    if !max_value.is_finite() {
      return Err(MonitorError::NonFiniteLimit(max_value));
    }
    let threshold = Threshold {
      name: Arc::from(name),
      max_value,
      unit: Arc::from(unit),
      enabled,
    };
    // Holding the write lock while updating the series keeps a series created
    // concurrently from copying the old threshold.
    let mut thresholds = self.thresholds.write();
    if let Some(series) = self.series.get(name) {
      series.lock().threshold = Some(threshold.clone());
    }
    thresholds.insert(threshold.name.clone(), threshold);
    Ok(())
  }

  pub fn thresholds(&self) -> Vec<Threshold> {
    let mut thresholds: Vec<Threshold> = self.thresholds.read().values().cloned().collect();
    thresholds.sort_by(|a, b| a.name.cmp(&b.name));
    thresholds
  }

  /// Names that have samples, sorted.
  pub fn metric_names(&self) -> Vec<Arc<str>> {
    let mut names: Vec<Arc<str>> = self
      .series
      .iter()
      .filter(|entry| !entry.value().lock().is_empty())
      .map(|entry| entry.key().clone())
      .collect();
    names.sort();
    names
  }

  /// Returns the newest `limit` samples of `name` (all when `None`), oldest first.
  pub fn samples(&self, name: &str, limit: Option<usize>) -> Vec<Sample> {
    let Some(series) = self.series.get(name).map(|entry| entry.clone()) else {
      return Vec::new();
    };
    let samples = series.lock().samples(limit);
    samples
  }

  pub fn baseline(&self, name: &str) -> Option<Baseline> {
    let series = self.series.get(name).map(|entry| entry.clone())?;
    let baseline = series.lock().baseline();
    baseline
  }

  /// Baselines of every metric with samples, sorted by name.
  pub fn baselines(&self) -> Vec<Baseline> {
    self
      .metric_names()
      .iter()
      .filter_map(|name| self.baseline(name))
      .collect()
  }

  /// Returns the newest `limit` alerts, oldest first.
  pub fn recent_alerts(&self, limit: usize) -> Vec<Alert> {
    let alerts = self.alerts.lock();
    let skip = alerts.len().saturating_sub(limit);
    alerts.iter().skip(skip).cloned().collect()
  }

  pub fn alert_count(&self) -> usize {
    self.alerts.lock().len()
  }

  /// Counts for `getPerformanceSummary`; `recent_alerts` counts alerts newer
  /// than `since` (epoch milliseconds).
  pub fn summary(&self, since: f64) -> Summary {
    let names = self.metric_names();
    Summary {
      total_metrics: names.len(),
      active_thresholds: self
        .thresholds
        .read()
        .values()
        .filter(|t| t.enabled)
        .count(),
      recent_alerts: self
        .alerts
        .lock()
        .iter()
        .filter(|a| a.timestamp > since)
        .count(),
      baselines: names.len(),
    }
  }

  /// Returns how many lookups of new names went to [`OVERFLOW_METRIC`]
  /// because `max_metric_names` names existed. Callers that cache a series
  /// per name, as the JavaScript layer does, count each folded name once.
  pub fn folded_names(&self) -> u64 {
    self.folded_names.load(Ordering::Relaxed)
  }

  /// Drops samples, baselines and alerts; thresholds stay.
  pub fn clear(&self) {
    // Marking each removed series lets holders of a `SeriesTarget` notice
    // the removal and resolve the name again.
    self.series.retain(|_, series| {
      series.lock().detach();
      false
    });
    self.alerts.lock().clear();
  }

  /// Drops samples older than `cutoff` (epoch milliseconds) from every
  /// series, and series left empty. Returns the number of samples dropped.
  pub fn drop_older_than(&self, cutoff: f64) -> usize {
    let mut dropped = 0;
    self.series.retain(|_, series| {
      let mut series = series.lock();
      dropped += series.drop_older_than(cutoff);
      if series.is_empty() {
        series.detach();
      }
      !series.detached
    });
    dropped
  }

  /// Replaces the alert history, keeping the newest `max_alerts`.
  pub(crate) fn replace_alerts(&self, imported: Vec<Alert>) {
    let mut alerts = self.alerts.lock();
    alerts.clear();
    let skip = imported.len().saturating_sub(self.options.max_alerts);
    alerts.extend(imported.into_iter().skip(skip));
  }

  /// Appends samples without running checks, as an import does.
  pub(crate) fn restore_samples(
    &self,
    name: &str,
    samples: Vec<Sample>,
  ) -> Result<(), MonitorError> {
    if let Some(bad) = samples.iter().find(|s| !is_storable(s.value)) {
      return Err(MonitorError::NonFiniteValue(bad.value));
    }
    let series = self.series(name)?;
    let mut series = series.lock();
    for sample in samples {
      series.push(sample.value, &sample.unit, sample.timestamp, sample.context);
    }
    Ok(())
  }
}

fn threshold_alert(name: &Arc<str>, threshold: &Threshold, value: f64, timestamp: f64) -> Alert {
  let limit = threshold.max_value;
  // A limit of zero has no meaningful relative excess; report 100 % instead of Infinity.
  let percentage = if limit == 0.0 {
    100.0
  } else {
    (value - limit) / limit * 100.0
  };
  let severity = if value > 1.5 * limit {
    Severity::Critical
  } else {
    Severity::Warning
  };
  Alert {
    metric_name: name.clone(),
    current_value: value,
    previous_value: limit,
    threshold: limit,
    regression_percentage: percentage,
    timestamp,
    severity,
    kind: AlertKind::Threshold,
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn monitor() -> Monitor {
    Monitor::new(MonitorOptions::default()).expect("the default options are valid")
  }

  fn values(monitor: &Monitor, name: &str) -> Vec<f64> {
    monitor
      .samples(name, None)
      .iter()
      .map(|s| s.value)
      .collect()
  }

  #[test]
  fn target_records_after_clear() {
    let monitor = monitor();
    let mut target = monitor.target("latency", "ms").expect("valid name");
    monitor
      .record_to(&mut target, 1.0, 1.0, None)
      .expect("storable");
    monitor.clear();
    assert!(values(&monitor, "latency").is_empty());

    monitor
      .record_to(&mut target, 2.0, 2.0, None)
      .expect("storable");
    assert_eq!(values(&monitor, "latency"), vec![2.0]);
    assert_eq!(monitor.metric_names(), vec![Arc::from("latency")]);
  }

  #[test]
  fn target_records_after_retention_removed_its_series() {
    let monitor = monitor();
    let mut target = monitor.target("latency", "ms").expect("valid name");
    monitor
      .record_to(&mut target, 1.0, 10.0, None)
      .expect("storable");
    assert_eq!(monitor.drop_older_than(20.0), 1);
    assert!(monitor.metric_names().is_empty());

    let raised = monitor
      .record_many_to(&mut target, &[3.0, 4.0], 30.0)
      .expect("storable");
    assert!(raised.is_empty());
    assert_eq!(values(&monitor, "latency"), vec![3.0, 4.0]);
  }

  #[test]
  fn targets_of_one_name_keep_each_unit() {
    let monitor = monitor();
    let mut kilobytes = monitor.target("size", "kb").expect("valid name");
    let mut megabytes = monitor.target("size", "mb").expect("valid name");
    monitor
      .record_to(&mut kilobytes, 1.0, 1.0, None)
      .expect("storable");
    monitor
      .record_to(&mut megabytes, 2.0, 2.0, None)
      .expect("storable");
    monitor
      .record_to(&mut kilobytes, 3.0, 3.0, None)
      .expect("storable");
    let units: Vec<String> = monitor
      .samples("size", None)
      .iter()
      .map(|s| s.unit.to_string())
      .collect();
    assert_eq!(units, vec!["kb", "mb", "kb"]);
  }

  #[test]
  fn target_rejects_values_out_of_range() {
    let monitor = monitor();
    let mut target = monitor.target("latency", "ms").expect("valid name");
    assert!(monitor.record_to(&mut target, f64::NAN, 1.0, None).is_err());
    assert!(monitor.record_to(&mut target, 2e150, 1.0, None).is_err());
    assert!(monitor
      .record_many_to(&mut target, &[1.0, f64::INFINITY], 1.0)
      .is_err());
    assert!(values(&monitor, "latency").is_empty());
  }

  #[test]
  fn target_raises_the_alerts_of_record() {
    let by_name = monitor();
    let by_target = monitor();
    let mut target = by_target.target("response_time", "ms").expect("valid name");
    let stream: Vec<f64> = (0..300)
      .map(|i| 40.0 + (i % 13) as f64 + if i % 37 == 0 { 150.0 } else { 0.0 })
      .collect();
    for (i, &value) in stream.iter().enumerate() {
      let expected = by_name
        .record("response_time", value, "ms", i as f64, None)
        .expect("storable");
      let received = by_target
        .record_to(&mut target, value, i as f64, None)
        .expect("storable");
      assert_eq!(received, expected, "sample {i}");
    }
    assert!(by_name.alert_count() > 0);
  }

  #[test]
  fn threads_recording_other_names_lose_no_samples() {
    let monitor = Arc::new(monitor());
    let threads: Vec<_> = (0..4)
      .map(|t| {
        let monitor = Arc::clone(&monitor);
        std::thread::spawn(move || {
          let mut target = monitor
            .target(&format!("thread_{t}"), "ms")
            .expect("valid name");
          for i in 0..500 {
            monitor
              .record_to(&mut target, i as f64, 1.0, None)
              .expect("storable");
          }
        })
      })
      .collect();
    for thread in threads {
      thread.join().expect("the recording thread finished");
    }
    for t in 0..4 {
      assert_eq!(monitor.samples(&format!("thread_{t}"), None).len(), 500);
    }
  }
}
