//! Benchmark floor functions: exported functions that convert their
//! arguments and do nothing else. `benchmark/compare.js` times them next to
//! the recording calls, so every recording cost is stated as a multiple of
//! the cheapest call the runtime can make into this addon. They store
//! nothing and have no use outside benchmarks.

use napi::bindgen_prelude::{sys, Object};
use napi_derive::napi;

use crate::raw;

/// Benchmark floor: converts a string and a number, then returns.
#[napi]
pub fn noop(name: String, value: f64) {
  let _ = (name, value);
}

/// Benchmark floor: converts one number, then returns.
#[napi]
pub fn noop_number(value: f64) {
  let _ = value;
}

/// `noopNumberRaw(value)`, benchmark floor of the plain Node-API callbacks
/// in `raw`: reads one number and returns `undefined`.
unsafe extern "C" fn noop_number_raw(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  if let Some([value]) = unsafe { raw::arguments::<1>(env, info) } {
    let _ = unsafe { raw::number(env, value) };
  }
  std::ptr::null_mut()
}

/// Adds the plain Node-API floor functions to `exports`; called from the
/// module's one `module_exports` hook in `recording`.
pub fn define_raw_functions(exports: &Object) -> napi::Result<()> {
  raw::define(exports, c"noopNumberRaw", noop_number_raw)
}

/// Benchmark clock: milliseconds on the monotonic clock since the first
/// call in this process, with one origin for every thread. Under Bun 1.4.5,
/// `process.hrtime` differed by tens of milliseconds between a worker and
/// the main thread read at the same moment, so it cannot time cross-thread delivery.
#[napi]
pub fn monotonic_now_ms() -> f64 {
  static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
  ORIGIN
    .get_or_init(std::time::Instant::now)
    .elapsed()
    .as_secs_f64()
    * 1000.0
}
