//! Alerts raised by threshold and regression checks.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
  Warning,
  Critical,
}

impl Severity {
  pub fn as_str(self) -> &'static str {
    match self {
      Severity::Warning => "warning",
      Severity::Critical => "critical",
    }
  }
}

/// Check that raised an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
  Threshold,
  Regression,
}

/// One alert, in the field names of the JavaScript `RegressionAlert` shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
  pub metric_name: Arc<str>,
  pub current_value: f64,
  /// The threshold's limit, or the baseline mean for a regression.
  pub previous_value: f64,
  /// The limit the value crossed: `maxValue`, or `mean + k·σ` for a regression.
  pub threshold: f64,
  pub regression_percentage: f64,
  /// Epoch milliseconds.
  pub timestamp: f64,
  pub severity: Severity,
  /// Check that raised the alert. It is kept out of the JavaScript shape,
  /// where the event name distinguishes the two kinds.
  #[serde(skip_serializing, default = "default_kind")]
  pub kind: AlertKind,
}

fn default_kind() -> AlertKind {
  AlertKind::Regression
}
