//! `prometheusText`: the Prometheus text exposition of a `NativeMonitor`,
//! built on a libuv worker thread so that a scrape does not block the JS thread.

use std::sync::Arc;

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;
use perf_sentinel_core::prometheus::{self, ExpositionOptions};
use perf_sentinel_core::Monitor;

use crate::errors::to_napi;
use crate::monitor::NativeMonitor;

/// Options of `prometheusText`. Every field is optional.
#[napi(object)]
pub struct PrometheusTextOptions {
  /// Prepended to every family name; empty, or matching
  /// `[a-zA-Z_:][a-zA-Z0-9_:]*`. Default `perf_sentinel_`.
  pub prefix: Option<String>,
  /// Add the `recent_alerts` gauge of the alert history. Default true.
  pub include_alerts: Option<bool>,
}

/// Renders the exposition on a worker thread. The snapshot of each series
/// is taken under that series' lock there, so recording waits at most for
/// one series to be copied.
pub struct PrometheusTextTask {
  monitor: Arc<Monitor>,
  options: ExpositionOptions,
}

impl Task for PrometheusTextTask {
  type Output = String;
  type JsValue = String;

  fn compute(&mut self) -> napi::Result<String> {
    prometheus::render(&self.monitor, &self.options).map_err(to_napi)
  }

  fn resolve(&mut self, _env: Env, output: String) -> napi::Result<String> {
    Ok(output)
  }
}

/// Returns a promise of the text exposition (format 0.0.4) of `monitor`:
/// one summary per metric in base units (ms become `_seconds`, MB become
/// `_bytes`) and a gauge of the alert history. Throws a RangeError for an
/// invalid prefix before any work starts.
#[napi(catch_unwind, ts_return_type = "Promise<string>")]
pub fn prometheus_text(
  monitor: &NativeMonitor,
  options: Option<PrometheusTextOptions>,
) -> napi::Result<AsyncTask<PrometheusTextTask>> {
  let defaults = ExpositionOptions::default();
  let options = match options {
    None => defaults,
    Some(input) => ExpositionOptions {
      prefix: input.prefix.unwrap_or(defaults.prefix),
      include_alerts: input.include_alerts.unwrap_or(defaults.include_alerts),
    },
  };
  options.validate().map_err(to_napi)?;
  Ok(AsyncTask::new(PrometheusTextTask {
    monitor: monitor.core().clone(),
    options,
  }))
}
