//! The rule that flags a sample as a regression against its metric's baseline.

use serde::{Deserialize, Serialize};

use crate::alert::Severity;
use crate::window::RunningStats;

/// Parameters of the classic rule: once a metric has `min_samples` samples, a
/// value above `mean + sigma · σ` that is more than `warning_percent` above the
/// mean is a regression, and one more than `critical_percent` above is critical.
///
/// The defaults (10 samples, 2σ, 20 %, 50 %) reproduce the TypeScript
/// original exactly, including its use of a baseline that already contains
/// the sample being judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegressionRule {
  pub min_samples: usize,
  pub sigma: f64,
  pub warning_percent: f64,
  pub critical_percent: f64,
  /// The warning percentage for memory metrics (unit in bytes or a multiple,
  /// or a name containing "memory"); `None` uses `warning_percent`.
  pub memory_warning_percent: Option<f64>,
}

impl Default for RegressionRule {
  fn default() -> Self {
    Self {
      min_samples: 10,
      sigma: 2.0,
      warning_percent: 20.0,
      critical_percent: 50.0,
      memory_warning_percent: None,
    }
  }
}

/// The outcome of a regression check that fired.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegressionFinding {
  pub mean: f64,
  pub expected_max: f64,
  pub percentage: f64,
  pub severity: Severity,
}

impl RegressionRule {
  /// Judges `value` against `stats`, which already include it.
  ///
  /// A mean of zero or below yields no finding, because a percentage over
  /// such a mean is undefined or meaningless (the original produced
  /// Infinity there).
  pub fn check(
    &self,
    stats: &RunningStats,
    value: f64,
    is_memory: bool,
  ) -> Option<RegressionFinding> {
    if stats.count() < self.min_samples {
      return None;
    }
    let mean = stats.mean();
    if mean <= 0.0 {
      return None;
    }
    let expected_max = mean + self.sigma * stats.std_dev();
    if value <= expected_max {
      return None;
    }
    let percentage = (value - mean) / mean * 100.0;
    let warning_percent = match (is_memory, self.memory_warning_percent) {
      (true, Some(memory_percent)) => memory_percent,
      _ => self.warning_percent,
    };
    if percentage <= warning_percent {
      return None;
    }
    let severity = if percentage > self.critical_percent {
      Severity::Critical
    } else {
      Severity::Warning
    };
    Some(RegressionFinding {
      mean,
      expected_max,
      percentage,
      severity,
    })
  }
}

/// Returns true for metrics the memory percentage applies to.
pub fn is_memory_metric(name: &str, unit: &str) -> bool {
  const MEMORY_UNITS: [&str; 9] = ["b", "bytes", "byte", "kb", "mb", "gb", "kib", "mib", "gib"];
  name.contains("memory")
    || MEMORY_UNITS
      .iter()
      .any(|known| unit.eq_ignore_ascii_case(known))
}
