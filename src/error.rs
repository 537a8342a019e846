//! Errors of the core operations. Each message names the argument and the
//! rejected value so that the binding can pass it to JavaScript unchanged.

use thiserror::Error;

/// Reason a monitor operation rejected its input.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MonitorError {
  #[error("name must be a non-empty string")]
  EmptyName,
  #[error("value must be a finite number within ±1e150, received {0}")]
  NonFiniteValue(f64),
  #[error("maxValue must be a finite number, received {0}")]
  NonFiniteLimit(f64),
  #[error("context must be a JSON object: {0}")]
  InvalidContext(String),
  #[error("invalid export data: {0}")]
  InvalidImport(String),
  #[error("invalid option {name}: {reason}")]
  InvalidOption { name: &'static str, reason: String },
}

impl MonitorError {
  /// True when the caller passed a number outside the accepted range, which
  /// JavaScript reports as a `RangeError` rather than a `TypeError`.
  pub fn is_range_error(&self) -> bool {
    matches!(
      self,
      MonitorError::NonFiniteValue(_)
        | MonitorError::NonFiniteLimit(_)
        | MonitorError::InvalidOption { .. }
    )
  }
}
