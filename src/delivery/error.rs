//! Errors of the delivery configuration and of one delivery try.

use std::time::Duration;

use serde_json::Value;
use thiserror::Error;

/// A rejected delivery configuration. Every message names the key
/// (as `alerting.<section>.<key>`) and, where there is one, the rejected value.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ConfigError {
  #[error("invalid option alerting.{key}: expected {expected}, received {received}")]
  WrongType {
    key: String,
    expected: &'static str,
    received: String,
  },
  #[error("invalid option alerting.{key}: {reason}, received {received}")]
  OutOfRange {
    key: String,
    reason: String,
    received: String,
  },
  #[error("missing option alerting.{key}: {reason}")]
  Missing { key: String, reason: String },
  #[error("failed to start alert delivery: {0}")]
  Startup(String),
}

impl ConfigError {
  pub(crate) fn wrong_type(key: &str, expected: &'static str, received: &Value) -> Self {
    ConfigError::WrongType {
      key: key.to_string(),
      expected,
      received: describe_value(received),
    }
  }

  pub(crate) fn out_of_range(key: &str, reason: &str, received: &Value) -> Self {
    ConfigError::OutOfRange {
      key: key.to_string(),
      reason: reason.to_string(),
      received: describe_value(received),
    }
  }

  /// True when the value had the right type but an unaccepted content, which
  /// JavaScript reports as a `RangeError` rather than a `TypeError`.
  pub fn is_range_error(&self) -> bool {
    matches!(self, ConfigError::OutOfRange { .. })
  }
}

/// Renders a rejected value for an error message, shortened to 80 characters.
fn describe_value(value: &Value) -> String {
  const MAX_CHARS: usize = 80;
  let text = match value {
    Value::Number(number) => match number.as_f64() {
      Some(float) if float.fract() == 0.0 && float.abs() < 1e15 => format!("{}", float as i64),
      _ => number.to_string(),
    },
    other => other.to_string(),
  };
  if text.chars().count() <= MAX_CHARS {
    text
  } else {
    let head: String = text.chars().take(MAX_CHARS).collect();
    format!("{head}...")
  }
}

/// The failure of one delivery try, and whether another try may succeed.
#[derive(Debug, Clone, PartialEq)]
pub struct SendError {
  pub message: String,
  /// HTTP status, or the SMTP reply code, when the server responded.
  pub status: Option<u16>,
  pub retryable: bool,
  /// The server's `Retry-After`, already capped.
  pub retry_after: Option<Duration>,
}

impl SendError {
  pub fn retryable(message: impl Into<String>) -> Self {
    Self {
      message: message.into(),
      status: None,
      retryable: true,
      retry_after: None,
    }
  }

  pub fn permanent(message: impl Into<String>) -> Self {
    Self {
      message: message.into(),
      status: None,
      retryable: false,
      retry_after: None,
    }
  }
}

impl std::fmt::Display for SendError {
  fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    formatter.write_str(&self.message)
  }
}

/// True when `error` or one of its causes is a rejected TLS certificate,
/// which another try will not fix. Both reqwest and lettre report it as an
/// `io::Error` that wraps the `rustls::Error`.
pub fn is_certificate_error(error: &(dyn std::error::Error + 'static)) -> bool {
  let mut current = Some(error);
  while let Some(cause) = current {
    let tls = cause.downcast_ref::<rustls::Error>().or_else(|| {
      cause
        .downcast_ref::<std::io::Error>()?
        .get_ref()?
        .downcast_ref::<rustls::Error>()
    });
    if let Some(tls) = tls {
      return matches!(tls, rustls::Error::InvalidCertificate(_));
    }
    current = cause.source();
  }
  false
}
