//! The JSON export of a monitor and its import into another one.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::alert::Alert;
use crate::baseline::Baseline;
use crate::error::MonitorError;
use crate::monitor::Monitor;
use crate::series::Sample;
use crate::threshold::Threshold;

/// One sample in the `PerformanceMetric` shape.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportedMetric {
  pub name: Arc<str>,
  pub value: f64,
  #[serde(default)]
  pub unit: Arc<str>,
  pub timestamp: f64,
  #[serde(default, skip_serializing_if = "Option::is_none")]
  pub context: Option<Box<RawValue>>,
}

/// Everything a monitor stores, keyed by metric name.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportData {
  #[serde(default)]
  pub metrics: BTreeMap<Arc<str>, Vec<ExportedMetric>>,
  #[serde(default)]
  pub baselines: BTreeMap<Arc<str>, Baseline>,
  #[serde(default)]
  pub alerts: Vec<Alert>,
  #[serde(default)]
  pub thresholds: BTreeMap<Arc<str>, Threshold>,
}

impl Monitor {
  pub fn export(&self) -> ExportData {
    let mut metrics = BTreeMap::new();
    let mut baselines = BTreeMap::new();
    for name in self.metric_names() {
      let samples = self.samples(&name, None);
      let exported = samples
        .into_iter()
        .map(|sample| ExportedMetric {
          name: name.clone(),
          value: sample.value,
          unit: sample.unit,
          timestamp: sample.timestamp,
          context: sample.context,
        })
        .collect();
      metrics.insert(name.clone(), exported);
      if let Some(baseline) = self.baseline(&name) {
        baselines.insert(name, baseline);
      }
    }
    let thresholds = self
      .thresholds()
      .into_iter()
      .map(|t| (t.name.clone(), t))
      .collect();
    ExportData {
      metrics,
      baselines,
      alerts: self.recent_alerts(usize::MAX),
      thresholds,
    }
  }

  /// Serialises the export to JSON text.
  pub fn export_json(&self) -> String {
    // Serialising plain maps of finite numbers and validated JSON cannot fail;
    // an empty object keeps the function total all the same.
    serde_json::to_string(&self.export()).unwrap_or_else(|_| String::from("{}"))
  }

  /// Replaces samples and alerts with those of `data` and sets its
  /// thresholds. Baselines are recomputed from the samples, so an export's
  /// `baselines` section is read only for validation. Samples keep their
  /// timestamps and raise no alerts while loading.
  pub fn import(&self, data: ExportData) -> Result<(), MonitorError> {
    for (name, threshold) in &data.thresholds {
      if name.is_empty() || !threshold.max_value.is_finite() {
        return Err(MonitorError::InvalidImport(format!(
          "threshold {name:?} is invalid"
        )));
      }
    }
    for (name, samples) in &data.metrics {
      if name.is_empty() {
        return Err(MonitorError::InvalidImport(String::from(
          "a metric name is empty",
        )));
      }
      if let Some(bad) = samples
        .iter()
        .find(|s| !crate::monitor::is_storable(s.value) || !s.timestamp.is_finite())
      {
        return Err(MonitorError::InvalidImport(format!(
          "metric {name:?} has a value outside ±1e150 or a non-finite timestamp ({})",
          bad.value
        )));
      }
    }

    self.clear();
    for (name, threshold) in data.thresholds {
      self.set_threshold(
        &name,
        threshold.max_value,
        &threshold.unit,
        threshold.enabled,
      )?;
    }
    for (name, samples) in data.metrics {
      let samples = samples
        .into_iter()
        .map(|metric| Sample {
          value: metric.value,
          unit: metric.unit,
          timestamp: metric.timestamp,
          context: metric.context,
        })
        .collect();
      self.restore_samples(&name, samples)?;
    }
    self.replace_alerts(data.alerts);
    Ok(())
  }

  /// Parses JSON text in the export shape and imports it.
  pub fn import_json(&self, text: &str) -> Result<(), MonitorError> {
    let data: ExportData =
      serde_json::from_str(text).map_err(|e| MonitorError::InvalidImport(e.to_string()))?;
    self.import(data)
  }
}
