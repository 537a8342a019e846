//! Baseline statistics of one metric over its kept samples.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// Summary statistics of a metric's kept samples. `standard_deviation` is the
/// population standard deviation; the percentiles interpolate linearly
/// between closest ranks over the same samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Baseline {
  pub metric_name: Arc<str>,
  pub average_value: f64,
  pub min_value: f64,
  pub max_value: f64,
  pub standard_deviation: f64,
  pub sample_count: usize,
  /// Epoch milliseconds of the newest sample.
  pub last_updated: f64,
  pub p50: f64,
  pub p95: f64,
  pub p99: f64,
}
