//! Fixed upper limits per metric name.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// An upper limit for one metric: a sample above `max_value` is a violation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Threshold {
  pub name: Arc<str>,
  pub max_value: f64,
  pub unit: Arc<str>,
  pub enabled: bool,
}

/// The thresholds every new monitor starts with, as (name, limit, unit).
/// These match the TypeScript modules that perf-sentinel replaces.
pub const DEFAULT_THRESHOLDS: [(&str, f64, &str); 5] = [
  ("response_time", 100.0, "ms"),
  ("memory_usage", 50.0, "MB"),
  ("cpu_usage", 80.0, "%"),
  ("websocket_latency", 50.0, "ms"),
  ("webrtc_connection_time", 2000.0, "ms"),
];
