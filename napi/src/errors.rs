//! The one conversion from core errors into JavaScript errors.
//!
//! Node-API errors created here reach JavaScript as plain `Error` objects, so
//! the message starts with the class the JS layer should rethrow as
//! (`TypeError: ...` or `RangeError: ...`). `fromNative` in `lib/native.js`
//! does that.

use perf_sentinel_core::MonitorError;

pub fn to_napi(error: MonitorError) -> napi::Error {
  let class = if error.is_range_error() {
    "RangeError"
  } else {
    "TypeError"
  };
  napi::Error::new(napi::Status::InvalidArg, format!("{class}: {error}"))
}

pub fn type_error(message: impl std::fmt::Display) -> napi::Error {
  napi::Error::new(napi::Status::InvalidArg, format!("TypeError: {message}"))
}

pub fn range_error(message: impl std::fmt::Display) -> napi::Error {
  napi::Error::new(napi::Status::InvalidArg, format!("RangeError: {message}"))
}
