//! `NativeMonitor`: the metric store behind `PerformanceMonitor`.

use std::cell::RefCell;
use std::sync::Arc;

use napi::bindgen_prelude::Float64Array;
use napi_derive::napi;
use perf_sentinel_core::monitor::MonitorOptions;
use perf_sentinel_core::{Alert, AlertKind, Baseline, Monitor, RecordOutcome, RegressionRule};
use serde_json::value::RawValue;

use crate::errors::{range_error, to_napi, type_error};

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

/// Bit set in `record`'s result when a threshold alert was raised.
const RAISED_THRESHOLD: u32 = 1;
/// Bit set in `record`'s result when a regression alert was raised.
const RAISED_REGRESSION: u32 = 2;

/// Samples, baselines, thresholds and alerts of one monitor.
#[napi]
pub struct NativeMonitor {
  inner: Arc<Monitor>,
  /// Alerts of the last `record` call, read once by `takeAlerts`.
  pending: RefCell<Vec<AlertObject>>,
}

#[napi]
impl NativeMonitor {
  #[napi(constructor, catch_unwind)]
  pub fn new(options: Option<MonitorOptionsInput>) -> napi::Result<Self> {
    let options = convert_options(options)?;
    let monitor = Monitor::new(options).map_err(to_napi)?;
    Ok(Self {
      inner: Arc::new(monitor),
      pending: RefCell::new(Vec::new()),
    })
  }

  /// Stores a sample and runs the checks. Returns 0 when no alert was raised,
  /// else bit 1 for a threshold alert and bit 2 for a regression alert; the
  /// alerts themselves come from `takeAlerts()`. `context` is JSON text.
  #[napi(catch_unwind)]
  pub fn record(
    &self,
    name: String,
    value: f64,
    unit: String,
    timestamp: f64,
    context: Option<String>,
  ) -> napi::Result<u32> {
    let context = context.map(parse_context).transpose()?;
    let outcome = self
      .inner
      .record(&name, value, &unit, timestamp, context)
      .map_err(to_napi)?;
    if outcome.is_empty() {
      return Ok(0);
    }
    let mut flags = 0;
    if outcome.threshold.is_some() {
      flags |= RAISED_THRESHOLD;
    }
    if outcome.regression.is_some() {
      flags |= RAISED_REGRESSION;
    }
    let mut pending = self.pending.borrow_mut();
    pending.clear();
    push_outcome(&mut pending, 0, outcome);
    Ok(flags)
  }

  /// Returns the alerts of the last `record` call, in the order they were raised.
  #[napi(catch_unwind)]
  pub fn take_alerts(&self) -> Vec<AlertObject> {
    std::mem::take(&mut *self.pending.borrow_mut())
  }

  /// Records every value of `values` in order with one timestamp and no
  /// context. Returns the alerts raised, each with the index of its sample.
  #[napi(catch_unwind)]
  pub fn record_many(
    &self,
    name: String,
    values: Float64Array,
    unit: String,
    timestamp: f64,
  ) -> napi::Result<Vec<AlertObject>> {
    let raised = self
      .inner
      .record_many(&name, &values, &unit, timestamp)
      .map_err(to_napi)?;
    let mut alerts = Vec::new();
    for (index, outcome) in raised {
      push_outcome(&mut alerts, index as u32, outcome);
    }
    Ok(alerts)
  }

  #[napi(catch_unwind)]
  pub fn set_threshold(&self, name: String, max_value: f64, unit: String, enabled: bool) -> napi::Result<()> {
    self
      .inner
      .set_threshold(&name, max_value, &unit, enabled)
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
    self.inner.metric_names().iter().map(|name| name.to_string()).collect()
  }

  /// The newest `limit` samples of `name` (all when absent) as a JSON array, oldest first.
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
    self.inner.baselines().into_iter().map(baseline_object).collect()
  }

  /// The newest `limit` alerts as a JSON array, oldest first.
  #[napi(catch_unwind)]
  pub fn recent_alerts_json(&self, limit: u32) -> String {
    serde_json::to_string(&self.inner.recent_alerts(limit as usize)).unwrap_or_else(|_| String::from("[]"))
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

fn parse_context(text: String) -> napi::Result<Box<RawValue>> {
  RawValue::from_string(text).map_err(|e| type_error(format!("context must be JSON-serialisable: {e}")))
}

fn push_outcome(alerts: &mut Vec<AlertObject>, index: u32, outcome: RecordOutcome) {
  for alert in [outcome.threshold, outcome.regression].into_iter().flatten() {
    alerts.push(alert_object(alert, index));
  }
}

fn alert_object(alert: Alert, index: u32) -> AlertObject {
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
    Some(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => Ok(v as usize),
    Some(v) => Err(range_error(format!("{name} must be a non-negative integer, received {v}"))),
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
    default_thresholds: input.default_thresholds.unwrap_or(defaults.default_thresholds),
    regression: merge_rule(defaults.regression, input.regression)?,
  })
}

fn merge_rule(base: RegressionRule, input: Option<RegressionRuleInput>) -> napi::Result<RegressionRule> {
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
