//! `NativeMonitor`: the metric store behind `PerformanceMonitor`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use napi::bindgen_prelude::Function;
use napi_derive::napi;
use perf_sentinel_core::detection::{DetectionMethod, RobustOptions};
use perf_sentinel_core::monitor::MonitorOptions;
use perf_sentinel_core::{Alert, AlertKind, Baseline, Monitor, RegressionRule};

use crate::errors::{range_error, to_napi, type_error};
use crate::recording::{self, Slot};
use crate::shared::{self, SharedCollector};

/// Options of a monitor. Every field is optional.
#[napi(object)]
pub struct MonitorOptionsInput {
  /// Samples kept per metric name; older ones are dropped. Default 1000.
  pub max_samples: Option<f64>,
  /// Alerts kept in the history; older ones are dropped. Default 100.
  pub max_alerts: Option<f64>,
  /// Install the five default thresholds. Default true.
  pub default_thresholds: Option<bool>,
  pub regression: Option<RegressionRuleInput>,
  /// Regression detection of metrics without their own: 'classic' (default,
  /// the mean + 2σ rule of the TypeScript original) or 'robust' (a CUSUM of
  /// log values standardised by the median and MAD of the window).
  pub detection: Option<String>,
  /// Parameters of the robust detection, also the base that `setDetection` options override.
  pub robust: Option<RobustOptionsInput>,
  /// Distinct metric names kept; samples of further names go to the series
  /// `perf_sentinel_overflow`. Default 10,000.
  pub max_metric_names: Option<f64>,
}

/// Parameters of the robust detection; `allowance`, `decisionInterval` and
/// `clip` are in robust standard deviations of ln(value).
#[napi(object)]
pub struct RobustOptionsInput {
  /// Samples needed before any check, at start and again after each alarm. Default 30.
  pub min_samples: Option<f64>,
  /// CUSUM reference value k: only shifts above k standard deviations accumulate. Default 0.5.
  pub allowance: Option<f64>,
  /// CUSUM decision interval h: the alarm level of the sum. Default 6.
  pub decision_interval: Option<f64>,
  /// Huber clipping bound c: one sample adds at most c − k to the sum. Default 3.
  pub clip: Option<f64>,
}

/// The classic regression rule: a value above `mean + sigma·σ` and more than
/// `warningPercent` above the mean, once `minSamples` samples exist.
#[napi(object)]
pub struct RegressionRuleInput {
  /// Default 10.
  pub min_samples: Option<f64>,
  /// Default 2.
  pub sigma: Option<f64>,
  /// Default 20 (per cent over the mean).
  pub warning_percent: Option<f64>,
  /// Default 50 (per cent over the mean).
  pub critical_percent: Option<f64>,
  /// Warning percentage for memory metrics; defaults to `warningPercent`.
  pub memory_warning_percent: Option<f64>,
}

/// An alert in the `RegressionAlert` shape, plus the check that raised it.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct AlertObject {
  pub metric_name: String,
  pub current_value: f64,
  pub previous_value: f64,
  pub threshold: f64,
  pub regression_percentage: f64,
  pub timestamp: f64,
  /// 'warning' or 'critical'.
  pub severity: String,
  /// 'threshold' or 'regression'.
  pub kind: String,
  /// Index of the sample in a `recordMany` batch; 0 for `record`.
  pub index: u32,
}

/// A baseline in the `PerformanceBaseline` shape, with percentiles.
#[napi(object)]
pub struct BaselineObject {
  pub metric_name: String,
  pub average_value: f64,
  pub min_value: f64,
  pub max_value: f64,
  pub standard_deviation: f64,
  pub sample_count: u32,
  pub last_updated: f64,
  pub p50: f64,
  pub p95: f64,
  pub p99: f64,
}

#[napi(object)]
pub struct SummaryObject {
  pub total_metrics: u32,
  pub total_samples: f64,
  pub active_thresholds: u32,
  pub recent_alerts: u32,
  pub baselines: u32,
}

/// Samples, baselines, thresholds and alerts of one monitor, as seen from
/// one JavaScript thread. Recording goes through slots (see `slot`) and the
/// plain functions `recordValue`, `recordValueWithContext` and
/// `recordManyInSlot`.
#[napi]
pub struct NativeMonitor {
  inner: Arc<Monitor>,
  /// The collector behind a monitor from `NativeMonitor.shared`.
  shared: Option<Arc<SharedCollector>>,
  /// True when this object made its thread the owner of `shared`.
  owner: bool,
  /// Slots this object allocated on its thread, by metric name and unit.
  slots: RefCell<HashMap<(String, String), u32>>,
}

#[napi]
impl NativeMonitor {
  #[napi(constructor, catch_unwind)]
  pub fn new(options: Option<MonitorOptionsInput>) -> napi::Result<Self> {
    let options = convert_options(options)?;
    let monitor = Monitor::new(options).map_err(to_napi)?;
    Ok(Self {
      inner: Arc::new(monitor),
      shared: None,
      owner: false,
      slots: RefCell::new(HashMap::new()),
    })
  }

  /// Opens the monitor shared under `name` by every thread of the process,
  /// creating it with `options` when no thread uses it. Existing shared
  /// monitors accept no options or equal ones. With `onAlerts`, the calling
  /// thread becomes the owner when there is none or when `takeOwnership` is
  /// true. The owner's `onAlerts` then receives, on the owner's event loop,
  /// the alerts raised by recording on other threads.
  #[napi(factory, catch_unwind)]
  pub fn shared(
    name: String,
    options: Option<MonitorOptionsInput>,
    take_ownership: bool,
    on_alerts: Option<Function<'_, Vec<AlertObject>, ()>>,
  ) -> napi::Result<Self> {
    if name.is_empty() {
      return Err(type_error("name must be a non-empty string"));
    }
    let options = options
      .map(|input| convert_options(Some(input)))
      .transpose()?;
    let collector = shared::open(&name, options)?;
    let owner = match on_alerts {
      Some(callback) => collector.claim(callback, take_ownership)?,
      None => false,
    };
    Ok(Self {
      inner: Arc::clone(collector.monitor()),
      shared: Some(collector),
      owner,
      slots: RefCell::new(HashMap::new()),
    })
  }

  /// Lets the next batch of other threads' alerts be delivered. The owner of
  /// a shared monitor calls it after emitting a batch, from a later phase of
  /// its event loop. It does nothing on other monitors and threads.
  #[napi(catch_unwind)]
  pub fn resume_alert_delivery(&self) {
    if let Some(shared) = &self.shared {
      shared.resume();
    }
  }

  /// Alerts of other threads dropped because this shared monitor's owner
  /// did not take them in time; 0 for a monitor that is not shared.
  #[napi(catch_unwind)]
  pub fn dropped_alerts(&self) -> f64 {
    self
      .shared
      .as_ref()
      .map_or(0.0, |shared| shared.dropped_alerts() as f64)
  }

  /// Returns the recording slot of `name` and `unit` on the calling thread,
  /// resolving them on first use. The slot stays valid until
  /// `releaseSlots()` or until this object is garbage-collected.
  #[napi(catch_unwind)]
  pub fn slot(&self, name: String, unit: String) -> napi::Result<u32> {
    let key = (name, unit);
    if let Some(id) = self.slots.borrow().get(&key) {
      return Ok(*id);
    }
    let target = self.inner.target(&key.0, &key.1).map_err(to_napi)?;
    let id = recording::allocate(Slot {
      monitor: Arc::clone(&self.inner),
      shared: self.shared.clone(),
      target,
    })?;
    self.slots.borrow_mut().insert(key, id);
    Ok(id)
  }

  /// Frees every slot this object allocated; their ids may be reused.
  #[napi(catch_unwind)]
  pub fn release_slots(&self) {
    let ids: Vec<u32> = self.slots.borrow_mut().drain().map(|(_, id)| id).collect();
    recording::release(ids);
  }

  #[napi(catch_unwind)]
  pub fn set_threshold(
    &self,
    name: String,
    max_value: f64,
    unit: String,
    enabled: bool,
  ) -> napi::Result<()> {
    self
      .inner
      .set_threshold(&name, max_value, &unit, enabled)
      .map_err(to_napi)
  }

  /// Sets the regression detection of `name`, 'classic' or 'robust', for its
  /// current and future samples, and restarts its detector state. `robust`
  /// fields override the monitor's robust options for this metric.
  #[napi(catch_unwind)]
  pub fn set_detection(
    &self,
    name: String,
    detection: String,
    robust: Option<RobustOptionsInput>,
  ) -> napi::Result<()> {
    let method = DetectionMethod::parse(&detection).map_err(to_napi)?;
    let options = merge_robust(self.inner.options().robust, robust)?;
    self
      .inner
      .set_detection(&name, method, Some(options))
      .map_err(to_napi)
  }

  /// Replaces the regression rule; absent fields keep the current values.
  #[napi(catch_unwind)]
  pub fn set_regression_rule(&self, rule: RegressionRuleInput) -> napi::Result<()> {
    let merged = merge_rule(self.inner.regression_rule(), Some(rule))?;
    self.inner.set_regression_rule(merged).map_err(to_napi)
  }

  /// Thresholds as a JSON array.
  #[napi(catch_unwind)]
  pub fn thresholds_json(&self) -> String {
    serde_json::to_string(&self.inner.thresholds()).unwrap_or_else(|_| String::from("[]"))
  }

  /// Names with samples, sorted.
  #[napi(catch_unwind)]
  pub fn metric_names(&self) -> Vec<String> {
    self
      .inner
      .metric_names()
      .iter()
      .map(|name| name.to_string())
      .collect()
  }

  /// Returns the newest `limit` samples of `name` (all when absent) as a JSON array, oldest first.
  #[napi(catch_unwind)]
  pub fn metrics_json(&self, name: String, limit: Option<u32>) -> String {
    let samples = self.inner.samples(&name, limit.map(|l| l as usize));
    let exported: Vec<_> = samples
      .into_iter()
      .map(|sample| perf_sentinel_core::export::ExportedMetric {
        name: Arc::from(name.as_str()),
        value: sample.value,
        unit: sample.unit,
        timestamp: sample.timestamp,
        context: sample.context,
      })
      .collect();
    serde_json::to_string(&exported).unwrap_or_else(|_| String::from("[]"))
  }

  #[napi(catch_unwind)]
  pub fn baseline(&self, name: String) -> Option<BaselineObject> {
    self.inner.baseline(&name).map(baseline_object)
  }

  /// Baselines of every metric with samples, sorted by name.
  #[napi(catch_unwind)]
  pub fn baselines(&self) -> Vec<BaselineObject> {
    self
      .inner
      .baselines()
      .into_iter()
      .map(baseline_object)
      .collect()
  }

  /// Returns the newest `limit` alerts as a JSON array, oldest first.
  #[napi(catch_unwind)]
  pub fn recent_alerts_json(&self, limit: u32) -> String {
    serde_json::to_string(&self.inner.recent_alerts(limit as usize))
      .unwrap_or_else(|_| String::from("[]"))
  }

  /// Counts; `recentAlerts` counts alerts newer than `since` (epoch ms).
  #[napi(catch_unwind)]
  pub fn summary(&self, since: f64) -> SummaryObject {
    let summary = self.inner.summary(since);
    let total_samples: usize = self
      .inner
      .metric_names()
      .iter()
      .map(|name| self.inner.series(name).map(|s| s.lock().len()).unwrap_or(0))
      .sum();
    SummaryObject {
      total_metrics: summary.total_metrics as u32,
      total_samples: total_samples as f64,
      active_thresholds: summary.active_thresholds as u32,
      recent_alerts: summary.recent_alerts as u32,
      baselines: summary.baselines as u32,
    }
  }

  /// Drops samples, baselines and alerts; thresholds stay.
  #[napi(catch_unwind)]
  pub fn clear(&self) {
    self.inner.clear();
  }

  /// Drops samples older than `cutoff` (epoch ms). Returns how many were dropped.
  #[napi(catch_unwind)]
  pub fn drop_older_than(&self, cutoff: f64) -> f64 {
    self.inner.drop_older_than(cutoff) as f64
  }

  /// Everything stored, as JSON text in the `exportMetrics` shape.
  #[napi(catch_unwind)]
  pub fn export_json(&self) -> String {
    self.inner.export_json()
  }

  /// Replaces samples and alerts with those of an export and sets its thresholds.
  #[napi(catch_unwind)]
  pub fn import_json(&self, text: String) -> napi::Result<()> {
    self.inner.import_json(&text).map_err(to_napi)
  }
}

impl Drop for NativeMonitor {
  fn drop(&mut self) {
    // Finalizers run on the thread that created the object, whose slot
    // table contains these slots.
    recording::release(self.slots.get_mut().drain().map(|(_, id)| id));
    if let Some(shared) = self.shared.as_ref().filter(|_| self.owner) {
      shared.release();
    }
  }
}

pub(crate) fn alert_object(alert: Alert, index: u32) -> AlertObject {
  AlertObject {
    metric_name: alert.metric_name.to_string(),
    current_value: alert.current_value,
    previous_value: alert.previous_value,
    threshold: alert.threshold,
    regression_percentage: alert.regression_percentage,
    timestamp: alert.timestamp,
    severity: alert.severity.as_str().to_owned(),
    kind: match alert.kind {
      AlertKind::Threshold => "threshold",
      AlertKind::Regression => "regression",
    }
    .to_owned(),
    index,
  }
}

fn baseline_object(baseline: Baseline) -> BaselineObject {
  BaselineObject {
    metric_name: baseline.metric_name.to_string(),
    average_value: baseline.average_value,
    min_value: baseline.min_value,
    max_value: baseline.max_value,
    standard_deviation: baseline.standard_deviation,
    sample_count: baseline.sample_count as u32,
    last_updated: baseline.last_updated,
    p50: baseline.p50,
    p95: baseline.p95,
    p99: baseline.p99,
  }
}

/// Converts a count option, rejecting fractions, negatives and non-finite numbers.
fn count_option(name: &str, value: Option<f64>, default: usize) -> napi::Result<usize> {
  match value {
    None => Ok(default),
    Some(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => {
      Ok(v as usize)
    }
    Some(v) => Err(range_error(format!(
      "{name} must be a non-negative integer, received {v}"
    ))),
  }
}

fn convert_options(input: Option<MonitorOptionsInput>) -> napi::Result<MonitorOptions> {
  let defaults = MonitorOptions::default();
  let Some(input) = input else {
    return Ok(defaults);
  };
  Ok(MonitorOptions {
    max_samples: count_option("maxSamples", input.max_samples, defaults.max_samples)?,
    max_alerts: count_option("maxAlerts", input.max_alerts, defaults.max_alerts)?,
    default_thresholds: input
      .default_thresholds
      .unwrap_or(defaults.default_thresholds),
    regression: merge_rule(defaults.regression, input.regression)?,
    detection: match input.detection.as_deref() {
      None => defaults.detection,
      Some(name) => DetectionMethod::parse(name).map_err(to_napi)?,
    },
    robust: merge_robust(defaults.robust, input.robust)?,
    max_metric_names: count_option(
      "maxMetricNames",
      input.max_metric_names,
      defaults.max_metric_names,
    )?,
  })
}

fn merge_robust(
  base: RobustOptions,
  input: Option<RobustOptionsInput>,
) -> napi::Result<RobustOptions> {
  let Some(input) = input else {
    return Ok(base);
  };
  Ok(RobustOptions {
    min_samples: count_option("robust.minSamples", input.min_samples, base.min_samples)?,
    allowance: input.allowance.unwrap_or(base.allowance),
    decision_interval: input.decision_interval.unwrap_or(base.decision_interval),
    clip: input.clip.unwrap_or(base.clip),
  })
}

fn merge_rule(
  base: RegressionRule,
  input: Option<RegressionRuleInput>,
) -> napi::Result<RegressionRule> {
  let Some(input) = input else {
    return Ok(base);
  };
  Ok(RegressionRule {
    min_samples: count_option("regression.minSamples", input.min_samples, base.min_samples)?,
    sigma: input.sigma.unwrap_or(base.sigma),
    warning_percent: input.warning_percent.unwrap_or(base.warning_percent),
    critical_percent: input.critical_percent.unwrap_or(base.critical_percent),
    memory_warning_percent: input.memory_warning_percent.or(base.memory_warning_percent),
  })
}

#[napi]
impl NativeMonitor {
  /// Returns how many new names were folded into the overflow series.
  #[napi(catch_unwind)]
  pub fn folded_names(&self) -> f64 {
    self.inner.folded_names() as f64
  }
}

impl NativeMonitor {
  /// Returns the core monitor, for tasks that run off the JS thread.
  pub(crate) fn core(&self) -> &Arc<Monitor> {
    &self.inner
  }
}
