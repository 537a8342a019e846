//! The per-sample recording functions and the table of resolved series they
//! record into.
//!
//! `NativeMonitor.slot(name, unit)` resolves a metric name and unit once and
//! returns a small integer, the slot. `recordValue(slot, value)` then finds
//! the series by indexing this JavaScript thread's slot table, with no string
//! conversion, no name lookup and no wrapped-object lookup. Slot tables are
//! thread-local because only the JavaScript thread that resolved a slot uses
//! it. The one lock this path shares between threads is the series mutex.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use napi::bindgen_prelude::{sys, Float64Array, Object};
use napi_derive::napi;
use perf_sentinel_core::monitor::SeriesTarget;
use perf_sentinel_core::{Monitor, MonitorError, RecordOutcome};
use serde_json::value::RawValue;

use crate::monitor::{alert_object, AlertObject};
use crate::raw::{self, ErrorClass};
use crate::shared::SharedCollector;

/// Bit set in a recording function's result when a threshold alert was raised.
pub const RAISED_THRESHOLD: u32 = 1;
/// Bit set in a recording function's result when a regression alert was raised.
pub const RAISED_REGRESSION: u32 = 2;

/// A resolved series, the monitor it belongs to and, for shared monitors,
/// the collector that forwards alerts to the owning thread.
pub struct Slot {
  pub monitor: Arc<Monitor>,
  pub shared: Option<Arc<SharedCollector>>,
  pub target: SeriesTarget,
}

/// Slots of one JavaScript thread; freed ids are reused.
struct SlotTable {
  slots: Vec<Option<Slot>>,
  free: Vec<u32>,
}

thread_local! {
  static SLOTS: RefCell<SlotTable> = const { RefCell::new(SlotTable { slots: Vec::new(), free: Vec::new() }) };
  /// Alerts of the last recording call on this thread, read once by `takeRaisedAlerts`.
  static RAISED: RefCell<Vec<AlertObject>> = const { RefCell::new(Vec::new()) };
}

/// An error for the caller, with the JavaScript class to throw it as.
type CallError = (ErrorClass, String);

/// Stores `slot` in this thread's table and returns its id.
pub fn allocate(slot: Slot) -> napi::Result<u32> {
  let allocated = SLOTS.try_with(|table| {
    let mut table = table.try_borrow_mut().ok()?;
    if let Some(id) = table.free.pop() {
      let entry = table.slots.get_mut(id as usize)?;
      *entry = Some(slot);
      return Some(id);
    }
    let id = u32::try_from(table.slots.len()).ok()?;
    table.slots.push(Some(slot));
    Some(id)
  });
  allocated.ok().flatten().ok_or_else(|| {
    napi::Error::from_reason("allocating a recording slot failed: the slot table is unavailable")
  })
}

/// Frees slots of this thread's table. Ids that are not allocated are ignored.
pub fn release(ids: impl IntoIterator<Item = u32>) {
  // During thread teardown the table may already be gone, and with it every slot.
  let _ = SLOTS.try_with(|table| {
    let Ok(mut table) = table.try_borrow_mut() else {
      return;
    };
    for id in ids {
      if let Some(entry) = table.slots.get_mut(id as usize) {
        if entry.take().is_some() {
          table.free.push(id);
        }
      }
    }
  });
}

/// Returns the current time in epoch milliseconds, truncated to whole
/// milliseconds as `Date.now()` returns it (both read the system real-time clock).
fn now_ms() -> f64 {
  match SystemTime::now().duration_since(UNIX_EPOCH) {
    Ok(elapsed) => (elapsed.as_secs() as f64) * 1000.0 + f64::from(elapsed.subsec_millis()),
    Err(_) => 0.0,
  }
}

fn flags_of(outcome: &RecordOutcome) -> u32 {
  let mut flags = 0;
  if outcome.threshold.is_some() {
    flags |= RAISED_THRESHOLD;
  }
  if outcome.regression.is_some() {
    flags |= RAISED_REGRESSION;
  }
  flags
}

fn monitor_error(error: MonitorError) -> CallError {
  let class = if error.is_range_error() {
    ErrorClass::RangeError
  } else {
    ErrorClass::TypeError
  };
  (class, error.to_string())
}

/// Keeps the alerts of a recording call for `takeRaisedAlerts` and hands
/// them to the owning thread of a shared monitor.
fn publish(shared: Option<&Arc<SharedCollector>>, raised: Vec<(usize, RecordOutcome)>) {
  if let Some(shared) = shared {
    shared.forward(raised.iter().map(|(_, outcome)| outcome));
  }
  let _ = RAISED.try_with(|pending| {
    if let Ok(mut pending) = pending.try_borrow_mut() {
      pending.clear();
      for (index, outcome) in raised {
        for alert in [outcome.threshold, outcome.regression]
          .into_iter()
          .flatten()
        {
          pending.push(alert_object(alert, index as u32));
        }
      }
    }
  });
}

/// Records one sample into slot `id` and returns the raised-alert flags.
fn record(
  id: u32,
  value: f64,
  timestamp: f64,
  context: Option<Box<RawValue>>,
) -> Result<u32, CallError> {
  let recorded = SLOTS.try_with(|table| {
    let mut table = table
      .try_borrow_mut()
      .map_err(|_| (ErrorClass::Error, String::from("the slot table is in use")))?;
    let Some(Some(slot)) = table.slots.get_mut(id as usize) else {
      return Err((
        ErrorClass::RangeError,
        format!("slot {id} is not allocated on this thread"),
      ));
    };
    let outcome = slot
      .monitor
      .record_to(&mut slot.target, value, timestamp, context)
      .map_err(monitor_error)?;
    if outcome.is_empty() {
      return Ok(0);
    }
    // Publishing touches neither the slot table nor JavaScript, so it can
    // run while the table is borrowed.
    let flags = flags_of(&outcome);
    publish(slot.shared.as_ref(), vec![(0, outcome)]);
    Ok(flags)
  });
  recorded.map_err(|_| (ErrorClass::Error, String::from("the slot table is gone")))?
}

/// Runs `body` and turns its result into the callback's return value:
/// `undefined` when no alert was raised, else the raised-alert flags. Errors
/// and panics become thrown JavaScript errors.
///
/// # Safety
/// `env` must be the environment of the running callback.
unsafe fn finish(
  env: sys::napi_env,
  body: impl FnOnce() -> Result<u32, CallError>,
) -> sys::napi_value {
  match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
    // A null result reads as `undefined` and saves creating a number for
    // the common call that raised nothing.
    Ok(Ok(0)) => std::ptr::null_mut(),
    Ok(Ok(flags)) => unsafe { raw::from_u32(env, flags) },
    Ok(Err((class, message))) => unsafe { raw::throw(env, class, &message) },
    Err(_) => unsafe {
      raw::throw(
        env,
        ErrorClass::Error,
        "recording failed with an internal error",
      )
    },
  }
}

/// Reads the `N` arguments of `function`, the first two being a slot and a
/// value; throws and returns `Err` with the callback's result otherwise.
///
/// # Safety
/// `env` and `info` must be the ones Node-API passed to the running callback.
unsafe fn slot_arguments<const N: usize>(
  env: sys::napi_env,
  info: sys::napi_callback_info,
  function: &str,
) -> Result<(u32, f64, [sys::napi_value; N]), sys::napi_value> {
  let Some(arguments) = (unsafe { raw::arguments::<N>(env, info) }) else {
    let message = format!("{function}: reading the arguments failed");
    return Err(unsafe { raw::throw(env, ErrorClass::Error, &message) });
  };
  let Some(slot) = (unsafe { raw::index(env, arguments[0]) }) else {
    let message = format!("{function}: slot must be an integer from slot()");
    return Err(unsafe { raw::throw(env, ErrorClass::TypeError, &message) });
  };
  let Some(value) = (unsafe { raw::number(env, arguments[1]) }) else {
    let message = format!("{function}: value must be a number");
    return Err(unsafe { raw::throw(env, ErrorClass::TypeError, &message) });
  };
  Ok((slot, value, arguments))
}

/// `recordValue(slot, value)`: records `value` into `slot` now. Returns
/// `undefined` when no alert was raised, else bit 1 for a threshold alert
/// and bit 2 for a regression alert.
unsafe extern "C" fn record_value(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  match unsafe { slot_arguments::<2>(env, info, "recordValue") } {
    Ok((slot, value, _)) => unsafe { finish(env, || record(slot, value, now_ms(), None)) },
    Err(thrown) => thrown,
  }
}

/// `recordValueAt(slot, value, timestamp)`: as `recordValue`, at
/// `timestamp` (epoch ms).
unsafe extern "C" fn record_value_at(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  let (slot, value, arguments) = match unsafe { slot_arguments::<3>(env, info, "recordValueAt") } {
    Ok(read) => read,
    Err(thrown) => return thrown,
  };
  let Some(timestamp) = (unsafe { raw::number(env, arguments[2]) }) else {
    return unsafe {
      raw::throw(
        env,
        ErrorClass::TypeError,
        "recordValueAt: timestamp must be a number",
      )
    };
  };
  unsafe { finish(env, || record(slot, value, timestamp, None)) }
}

/// Contexts up to this many bytes of UTF-8 are read with one Node-API call.
const CONTEXT_BUFFER: usize = 256;

/// `recordValueWithContext(slot, value, contextJson, timestamp?)`: as
/// `recordValue`, storing the context given as JSON text, at `timestamp`
/// (epoch ms) or now when it is undefined.
unsafe extern "C" fn record_value_with_context(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  let (slot, value, arguments) =
    match unsafe { slot_arguments::<4>(env, info, "recordValueWithContext") } {
      Ok(read) => read,
      Err(thrown) => return thrown,
    };
  let Some(context) = (unsafe { raw::string(env, arguments[2], &mut [0; CONTEXT_BUFFER]) }) else {
    return unsafe {
      raw::throw(
        env,
        ErrorClass::TypeError,
        "recordValueWithContext: context must be a string of JSON text",
      )
    };
  };
  let timestamp = unsafe { raw::number(env, arguments[3]) }.unwrap_or_else(now_ms);
  unsafe {
    finish(env, || {
      let context = RawValue::from_string(context).map_err(|e| {
        (
          ErrorClass::TypeError,
          format!("recordValueWithContext: context must be JSON text: {e}"),
        )
      })?;
      record(slot, value, timestamp, Some(context))
    })
  }
}

/// Returns the alerts of the last recording call on this thread, in the
/// order they were raised, and clears them.
#[napi]
pub fn take_raised_alerts() -> Vec<AlertObject> {
  RAISED
    .try_with(|pending| {
      pending
        .try_borrow_mut()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default()
    })
    .unwrap_or_default()
}

/// Records every value of `values` into `slot` in order, at `timestamp`
/// (epoch ms) or now, with no context. All values are checked before any is
/// stored. Returns the alerts raised, each with the index of its sample.
#[napi]
pub fn record_many_in_slot(
  slot: u32,
  values: Float64Array,
  timestamp: Option<f64>,
) -> napi::Result<Vec<AlertObject>> {
  let timestamp = timestamp.unwrap_or_else(now_ms);
  let recorded = SLOTS.try_with(|table| {
    let mut table = table
      .try_borrow_mut()
      .map_err(|_| napi::Error::from_reason("the slot table is in use"))?;
    let Some(Some(entry)) = table.slots.get_mut(slot as usize) else {
      return Err(crate::errors::range_error(format!(
        "slot {slot} is not allocated on this thread"
      )));
    };
    let raised = entry
      .monitor
      .record_many_to(&mut entry.target, &values, timestamp)
      .map_err(crate::errors::to_napi)?;
    Ok((entry.shared.clone(), raised))
  });
  let (shared, raised) =
    recorded.map_err(|_| napi::Error::from_reason("the slot table is gone"))??;
  if raised.is_empty() {
    return Ok(Vec::new());
  }
  publish(shared.as_ref(), raised);
  Ok(take_raised_alerts())
}

/// Adds the plain Node-API functions to the module's exports. napi-rs keeps
/// one `module_exports` hook per module (the last one registered), so this
/// hook also defines the benchmark floor functions of `bench`.
#[napi(module_exports)]
pub fn register_raw_functions(exports: Object) -> napi::Result<()> {
  raw::define(&exports, c"recordValue", record_value)?;
  raw::define(&exports, c"recordValueAt", record_value_at)?;
  raw::define(
    &exports,
    c"recordValueWithContext",
    record_value_with_context,
  )?;
  crate::bench::define_raw_functions(&exports)
}
