//! `AlertDispatcher`: the file, webhook, email and Alertmanager channels,
//! running on Rust threads. Events come back through a weak threadsafe
//! function, which never keeps the process alive.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use napi::bindgen_prelude::{FnArgs, Function, Object};
use napi::threadsafe_function::{
  ThreadsafeCallContext, ThreadsafeFunction, ThreadsafeFunctionCallMode,
};
use napi::{Env, JsDeferred, Status};
use napi_derive::napi;
use perf_sentinel_core::delivery::{
  ConfigError, DeliveryConfig, DeliveryEvent, Dispatcher, EventSink,
};

use crate::errors::{range_error, type_error};

/// `(kind, id, detailJson)`, the arguments of the JavaScript `onEvent`.
type EventArgs = FnArgs<(String, String, String)>;
/// Weak (does not hold the event loop), not callee-handled, unbounded queue.
type EventCallback = ThreadsafeFunction<Outgoing, (), EventArgs, Status, false, true, 0>;
type Resolver = fn(Env) -> napi::Result<bool>;
type PendingPromise = Arc<Mutex<Option<JsDeferred<bool, Resolver>>>>;

/// Extra time a garbage-collected dispatcher gets, beyond its longest
/// per-message deadline, to finish deliveries on a background thread.
const DROP_DRAIN_MARGIN: Duration = Duration::from_secs(5);
/// Largest accepted `timeoutMs`, 24 hours.
const MAX_TIMEOUT_MS: f64 = 24.0 * 60.0 * 60.0 * 1000.0;

/// An item the delivery threads send to the JavaScript thread.
enum Outgoing {
  Event(DeliveryEvent),
  /// Sent after the events of a flush or close, so that the promise settles
  /// after every earlier event reached `onEvent`.
  Settled {
    kind: &'static str,
    drained: bool,
    promise: PendingPromise,
  },
}

/// Alert delivery channels on Rust threads. Created by the service with
/// its `alerting` section (without `console`) as JSON.
#[napi]
pub struct AlertDispatcher {
  inner: Arc<Dispatcher>,
  events: Arc<EventCallback>,
}

#[napi]
impl AlertDispatcher {
  /// Starts the enabled channels. `onEvent(kind, id, detailJson)` receives
  /// `routed`, `delivered`, `failed`, `dropped` and `retrying` per alert id,
  /// plus `flushed` / `closed` with an empty id and `{"drained":bool}` right
  /// before a `flush()` / `close()` promise settles. An invalid option throws
  /// an Error whose message starts with `TypeError: ` or `RangeError: ` and
  /// names the option and the rejected value.
  #[napi(constructor, catch_unwind)]
  pub fn new(
    config_json: String,
    #[napi(ts_arg_type = "(kind: string, id: string, detailJson: string) => void")]
    on_event: Function<EventArgs, ()>,
  ) -> napi::Result<Self> {
    let config = DeliveryConfig::from_json(&config_json).map_err(config_error)?;
    let events: EventCallback = on_event
      .build_threadsafe_function::<Outgoing>()
      .weak::<true>()
      .build_callback(to_js_arguments)?;
    let events = Arc::new(events);

    let sink_events = events.clone();
    let sink: EventSink = Arc::new(move |event| {
      send(&sink_events, Outgoing::Event(event));
    });
    let inner = Dispatcher::new(config, sink).map_err(config_error)?;
    Ok(Self {
      inner: Arc::new(inner),
      events,
    })
  }

  /// Checks a configuration without starting anything. Throws like the
  /// constructor on an invalid option.
  #[napi(catch_unwind)]
  pub fn validate(config_json: String) -> napi::Result<()> {
    DeliveryConfig::from_json(&config_json)
      .map(|_| ())
      .map_err(config_error)
  }

  /// Hands an alert to the router thread and returns at once. `kind` is
  /// `threshold`, `regression` or `regression_test`; `alertJson` is the
  /// RegressionAlert object; `id` is sent with every delivery try so that
  /// receivers can drop duplicates. Ignored (counted as dropped) after close().
  #[napi(catch_unwind)]
  pub fn submit(&self, id: String, kind: String, alert_json: String, message: String) {
    self.inner.submit(id, kind, alert_json, message);
  }

  /// Returns a JSON array of `{ channel, sent, retried, failed, dropped,
  /// queued, inFlight, attempts }` for each enabled channel. `sent`,
  /// `failed`, `dropped`, `queued` and `inFlight` count alerts; `attempts`
  /// and `retried` count delivery tries.
  #[napi(catch_unwind)]
  pub fn stats(&self) -> napi::Result<String> {
    serde_json::to_string(&self.inner.stats())
      .map_err(|error| napi::Error::from_reason(error.to_string()))
  }

  /// Resolves to true once every submitted alert was delivered, failed or
  /// dropped in every channel, or to false when `timeoutMs` (milliseconds)
  /// passed first. Waits on a helper thread, never on the JavaScript thread.
  #[napi(ts_return_type = "Promise<boolean>", catch_unwind)]
  pub fn flush<'env>(&self, env: &'env Env, timeout_ms: f64) -> napi::Result<Object<'env>> {
    let timeout = timeout_argument("flush", timeout_ms)?;
    let inner = self.inner.clone();
    self.settle_later(env, "flushed", move || inner.flush(timeout))
  }

  /// Flushes like `flush(timeoutMs)`, then stops the channel threads; what
  /// is still queued at the deadline is dropped with a `dropped` event.
  /// Later `submit()` calls are ignored and counted as dropped.
  #[napi(ts_return_type = "Promise<boolean>", catch_unwind)]
  pub fn close<'env>(&self, env: &'env Env, timeout_ms: f64) -> napi::Result<Object<'env>> {
    let timeout = timeout_argument("close", timeout_ms)?;
    let inner = self.inner.clone();
    self.settle_later(env, "closed", move || inner.close(timeout))
  }

  /// Runs `wait` on a helper thread and settles the returned promise with
  /// its result, after the events sent before it.
  fn settle_later<'env>(
    &self,
    env: &'env Env,
    kind: &'static str,
    wait: impl FnOnce() -> bool + Send + 'static,
  ) -> napi::Result<Object<'env>> {
    let (deferred, promise) = env.create_deferred::<bool, Resolver>()?;
    let slot: PendingPromise = Arc::new(Mutex::new(Some(deferred)));
    let events = self.events.clone();
    let thread_slot = slot.clone();
    let spawned = std::thread::Builder::new()
      .name(format!("perf-sentinel-{kind}"))
      .spawn(move || {
        let drained = wait();
        if !send(
          &events,
          Outgoing::Settled {
            kind,
            drained,
            promise: thread_slot.clone(),
          },
        ) {
          // The environment is closing: settle directly, if it still can.
          settle(&thread_slot, drained);
        }
      });
    if let Err(error) = spawned {
      if let Some(deferred) = take(&slot) {
        deferred.reject(napi::Error::from_reason(format!(
          "failed to start a {kind} thread: {error}"
        )));
      }
    }
    Ok(promise)
  }
}

impl Drop for AlertDispatcher {
  /// Runs when the object is garbage-collected: lets queued alerts finish
  /// on a background thread (bounded by the longest delivery deadline),
  /// which the process does not wait for at exit.
  fn drop(&mut self) {
    let inner = self.inner.clone();
    let timeout = inner.longest_deadline() + DROP_DRAIN_MARGIN;
    // When no thread can start, dropping `inner` here stops at once instead.
    let _ = std::thread::Builder::new()
      .name("perf-sentinel-drop".into())
      .spawn(move || {
        inner.close(timeout);
      });
  }
}

/// Queues `item` for the JavaScript thread. A throwing `onEvent` is caught
/// here (`call_with_return_value` receives its exception), so it can never
/// take the process down. Returns false when the environment is closing.
fn send(events: &EventCallback, item: Outgoing) -> bool {
  let status = events.call_with_return_value(
    item,
    ThreadsafeFunctionCallMode::NonBlocking,
    |_result, _env| Ok(()),
  );
  status == Status::Ok
}

/// Converts an outgoing item into `onEvent` arguments; runs on the
/// JavaScript thread.
fn to_js_arguments(context: ThreadsafeCallContext<Outgoing>) -> napi::Result<EventArgs> {
  match context.value {
    Outgoing::Event(event) => Ok(
      (
        event.kind().to_string(),
        event.id().to_string(),
        event.detail_json(),
      )
        .into(),
    ),
    Outgoing::Settled {
      kind,
      drained,
      promise,
    } => {
      settle(&promise, drained);
      Ok(
        (
          kind.to_string(),
          String::new(),
          format!("{{\"drained\":{drained}}}"),
        )
          .into(),
      )
    }
  }
}

fn settle(slot: &PendingPromise, drained: bool) {
  if let Some(deferred) = take(slot) {
    let resolver: Resolver = if drained { resolve_true } else { resolve_false };
    deferred.resolve(resolver);
  }
}

fn take(slot: &PendingPromise) -> Option<JsDeferred<bool, Resolver>> {
  match slot.lock() {
    Ok(mut guard) => guard.take(),
    Err(poisoned) => poisoned.into_inner().take(),
  }
}

fn resolve_true(_env: Env) -> napi::Result<bool> {
  Ok(true)
}

fn resolve_false(_env: Env) -> napi::Result<bool> {
  Ok(false)
}

fn timeout_argument(method: &str, timeout_ms: f64) -> napi::Result<Duration> {
  if !timeout_ms.is_finite() || !(0.0..=MAX_TIMEOUT_MS).contains(&timeout_ms) {
    return Err(range_error(format!(
      "{method}: timeoutMs must be a number of milliseconds between 0 and {MAX_TIMEOUT_MS}, received {timeout_ms}"
    )));
  }
  Ok(Duration::from_secs_f64(timeout_ms / 1000.0))
}

fn config_error(error: ConfigError) -> napi::Error {
  match error {
    ConfigError::Startup(_) => napi::Error::from_reason(error.to_string()),
    _ if error.is_range_error() => range_error(error),
    _ => type_error(error),
  }
}
