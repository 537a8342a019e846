//! Functions registered directly with Node-API, without the `#[napi]` call
//! wrapper.
//!
//! The wrapper that `#[napi]` generates (argument scope, borrow barrier,
//! callback-info object) costs about 80 ns a call from Node 20 on the
//! machine in BENCHMARKS.md, against about 20 ns for a plain Node-API
//! callback. The recording functions run once per sample, so they use plain
//! callbacks and the helpers below. Every helper here checks the status
//! Node-API returns, so a wrong argument type becomes a `None` or a thrown
//! JavaScript error, never undefined behaviour.

use std::ffi::{c_char, CStr};
use std::ptr;

use napi::bindgen_prelude::{sys, JsValue, Object};

/// A plain Node-API callback.
pub type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// Returns the first `N` arguments of a call; missing ones are `undefined`.
///
/// # Safety
/// `env` and `info` must be the ones Node-API passed to the running callback.
pub unsafe fn arguments<const N: usize>(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> Option<[sys::napi_value; N]> {
  let mut count = N;
  let mut values = [ptr::null_mut(); N];
  let status = unsafe {
    sys::napi_get_cb_info(
      env,
      info,
      &mut count,
      values.as_mut_ptr(),
      ptr::null_mut(),
      ptr::null_mut(),
    )
  };
  (status == sys::Status::napi_ok).then_some(values)
}

/// Returns the number in `value`, or `None` when it is not a number.
///
/// # Safety
/// `value` must be a live value of `env`.
pub unsafe fn number(env: sys::napi_env, value: sys::napi_value) -> Option<f64> {
  let mut result = 0.0;
  let status = unsafe { sys::napi_get_value_double(env, value, &mut result) };
  (status == sys::Status::napi_ok).then_some(result)
}

/// Returns the number in `value` as a `u32` when it is an integer in range.
///
/// # Safety
/// `value` must be a live value of `env`.
pub unsafe fn index(env: sys::napi_env, value: sys::napi_value) -> Option<u32> {
  let number = unsafe { number(env, value) }?;
  // `as` saturates and truncates, so the round trip is exact only for a
  // whole number in range (a compare, where `fract` would call into libm).
  let index = number as u32;
  (f64::from(index) == number).then_some(index)
}

/// Returns the string in `value` as UTF-8, or `None` when it is not a
/// string. A string that fits in `scratch` (with room to spare) takes one
/// Node-API call instead of two.
///
/// # Safety
/// `value` must be a live value of `env`.
pub unsafe fn string(
  env: sys::napi_env,
  value: sys::napi_value,
  scratch: &mut [u8],
) -> Option<String> {
  let mut written = 0;
  let status = unsafe {
    sys::napi_get_value_string_utf8(
      env,
      value,
      scratch.as_mut_ptr().cast::<c_char>(),
      scratch.len(),
      &mut written,
    )
  };
  if status != sys::Status::napi_ok {
    return None;
  }
  // Node-API keeps one byte for the NUL and writes only whole characters
  // (at most 4 bytes of UTF-8 each), so a result leaving more than 4 bytes
  // free besides the NUL was not truncated.
  if written + 1 + 4 < scratch.len() {
    return String::from_utf8(scratch[..written].to_vec()).ok();
  }

  let mut length = 0;
  let status =
    unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut length) };
  if status != sys::Status::napi_ok {
    return None;
  }
  // Node-API writes a terminating NUL, so the buffer needs one more byte.
  let mut buffer = vec![0u8; length + 1];
  let mut written = 0;
  let status = unsafe {
    sys::napi_get_value_string_utf8(
      env,
      value,
      buffer.as_mut_ptr().cast::<c_char>(),
      buffer.len(),
      &mut written,
    )
  };
  if status != sys::Status::napi_ok {
    return None;
  }
  buffer.truncate(written);
  String::from_utf8(buffer).ok()
}

/// Returns `value` as a JavaScript number.
///
/// # Safety
/// `env` must be the environment of the running callback.
pub unsafe fn from_u32(env: sys::napi_env, value: u32) -> sys::napi_value {
  let mut result = ptr::null_mut();
  unsafe { sys::napi_create_uint32(env, value, &mut result) };
  result
}

/// The class of a JavaScript error to throw.
#[derive(Debug, Clone, Copy)]
pub enum ErrorClass {
  Error,
  TypeError,
  RangeError,
}

/// Throws a JavaScript error of `class` and returns the `undefined`
/// placeholder a callback returns with a pending exception.
///
/// # Safety
/// `env` must be the environment of the running callback.
pub unsafe fn throw(env: sys::napi_env, class: ErrorClass, message: &str) -> sys::napi_value {
  // A message with an interior NUL is cut there rather than not thrown.
  let text: String = message.chars().take_while(|c| *c != '\0').collect();
  let mut bytes = text.into_bytes();
  bytes.push(0);
  let Ok(message) = CStr::from_bytes_with_nul(&bytes) else {
    return ptr::null_mut();
  };
  unsafe {
    match class {
      ErrorClass::Error => sys::napi_throw_error(env, ptr::null(), message.as_ptr()),
      ErrorClass::TypeError => sys::napi_throw_type_error(env, ptr::null(), message.as_ptr()),
      ErrorClass::RangeError => sys::napi_throw_range_error(env, ptr::null(), message.as_ptr()),
    };
  }
  ptr::null_mut()
}

/// Adds `callback` to `exports` as a function named `name`.
pub fn define(exports: &Object, name: &CStr, callback: Callback) -> napi::Result<()> {
  let env = exports.value().env;
  let mut function = ptr::null_mut();
  let status = unsafe {
    sys::napi_create_function(
      env,
      name.as_ptr(),
      name.to_bytes().len() as isize,
      Some(callback),
      ptr::null_mut(),
      &mut function,
    )
  };
  if status != sys::Status::napi_ok {
    return Err(napi::Error::from_reason(format!(
      "creating the function {name:?} failed"
    )));
  }
  let status = unsafe { sys::napi_set_named_property(env, exports.raw(), name.as_ptr(), function) };
  if status != sys::Status::napi_ok {
    return Err(napi::Error::from_reason(format!(
      "exporting the function {name:?} failed"
    )));
  }
  Ok(())
}
