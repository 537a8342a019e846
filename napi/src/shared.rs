//! Monitors shared by name between the JavaScript threads (main thread and
//! `worker_threads`) of one process.
//!
//! `NativeMonitor.shared(name, ...)` on any thread returns an object over the
//! same core `Monitor`. One thread at a time owns the collector. Alerts
//! raised by recording on any other thread are queued here and delivered to
//! the owner's callback on the owner's event loop through a weak
//! thread-safe function. The call wakes a waiting owner, and the function
//! does not keep the process alive.
//!
//! At most one delivery is in flight. The owner calls `resume` once it has
//! emitted a batch, from a later phase of its event loop. Without that
//! pause, recording threads would refill the queue while Node-API's
//! dispatch loop is still running, and the owner's loop would not reach its
//! timers and I/O.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Weak};
use std::thread::{self, ThreadId};

use napi::bindgen_prelude::Function;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use perf_sentinel_core::monitor::MonitorOptions;
use perf_sentinel_core::{Alert, Monitor, RecordOutcome};

use crate::errors::{range_error, to_napi};
use crate::monitor::{alert_object, AlertObject};

/// Alerts waiting for the owning thread beyond which the oldest are dropped
/// (and counted), so a blocked owner cannot make recording threads grow
/// memory without bound.
const MAX_QUEUED_ALERTS: usize = 10_000;

/// Calls the owner's JavaScript callback with the queued alerts. Weak: it
/// never keeps the owner's event loop alive.
type DeliverAlerts = ThreadsafeFunction<(), (), Vec<AlertObject>, Status, false, true, 0>;

/// Shared collectors by name. Entries are weak so that a collector no
/// thread uses any more is freed; a later `shared(name)` creates a new one.
static COLLECTORS: LazyLock<Mutex<HashMap<String, Weak<SharedCollector>>>> =
  LazyLock::new(|| Mutex::new(HashMap::new()));

/// Locks a mutex, taking over the data of a thread that panicked while
/// holding it: every value guarded here stays consistent between statements.
trait LockUnpoisoned<T> {
  fn lock_unpoisoned(&self) -> MutexGuard<'_, T>;
}

impl<T> LockUnpoisoned<T> for Mutex<T> {
  fn lock_unpoisoned(&self) -> MutexGuard<'_, T> {
    self.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
  }
}

/// Alerts raised on other threads, waiting for the owner.
struct AlertQueue {
  alerts: Mutex<VecDeque<Alert>>,
  /// True from the call of the thread-safe function until the owner calls
  /// `resume`, so that a burst of alerts wakes the owner once.
  scheduled: AtomicBool,
  dropped: AtomicU64,
}

impl AlertQueue {
  fn drain(&self) -> Vec<AlertObject> {
    let drained: Vec<Alert> = self.alerts.lock_unpoisoned().drain(..).collect();
    drained
      .into_iter()
      .map(|alert| alert_object(alert, 0))
      .collect()
  }
}

struct Owner {
  thread: ThreadId,
  deliver: DeliverAlerts,
}

/// One named monitor used from several JavaScript threads.
pub struct SharedCollector {
  monitor: Arc<Monitor>,
  queue: Arc<AlertQueue>,
  owner: Mutex<Option<Owner>>,
}

/// Returns the collector named `name`, creating it with `options` when no
/// thread uses one. `options` of `None` accept any existing collector; other
/// options must equal those the collector was created with.
pub fn open(name: &str, options: Option<MonitorOptions>) -> napi::Result<Arc<SharedCollector>> {
  let mut collectors = COLLECTORS.lock_unpoisoned();
  collectors.retain(|_, collector| collector.strong_count() > 0);

  if let Some(existing) = collectors.get(name).and_then(Weak::upgrade) {
    if let Some(options) = options {
      if existing.monitor.options() != &options {
        return Err(range_error(format!(
          "the shared monitor {name:?} already exists with other options; pass no options or the same ones"
        )));
      }
    }
    return Ok(existing);
  }

  let monitor = Monitor::new(options.unwrap_or_default()).map_err(to_napi)?;
  let collector = Arc::new(SharedCollector {
    monitor: Arc::new(monitor),
    queue: Arc::new(AlertQueue {
      alerts: Mutex::new(VecDeque::new()),
      scheduled: AtomicBool::new(false),
      dropped: AtomicU64::new(0),
    }),
    owner: Mutex::new(None),
  });
  collectors.insert(name.to_owned(), Arc::downgrade(&collector));
  Ok(collector)
}

impl SharedCollector {
  pub fn monitor(&self) -> &Arc<Monitor> {
    &self.monitor
  }

  /// Makes the calling thread the owner when there is none or when
  /// `replace` is set, with `callback` receiving the alerts of other
  /// threads. Returns whether the calling thread owns the collector now.
  pub fn claim(
    &self,
    callback: Function<'_, Vec<AlertObject>, ()>,
    replace: bool,
  ) -> napi::Result<bool> {
    let mut owner = self.owner.lock_unpoisoned();
    let current = thread::current().id();
    if let Some(existing) = owner.as_ref() {
      if existing.thread == current {
        return Ok(true);
      }
      if !replace && !existing.deliver.aborted() {
        return Ok(false);
      }
    }
    // A new owner starts with no delivery in flight.
    self.queue.scheduled.store(false, Ordering::Release);
    let queue = Arc::clone(&self.queue);
    let deliver = callback
      .build_threadsafe_function::<()>()
      .weak::<true>()
      .callee_handled::<false>()
      .build_callback(move |_| Ok(queue.drain()))?;
    *owner = Some(Owner {
      thread: current,
      deliver,
    });
    Ok(true)
  }

  /// Gives up ownership when the calling thread owns the collector.
  pub fn release(&self) {
    let mut owner = self.owner.lock_unpoisoned();
    if owner
      .as_ref()
      .is_some_and(|o| o.thread == thread::current().id())
    {
      *owner = None;
    }
  }

  /// Alerts dropped because the owner did not take them in time.
  pub fn dropped_alerts(&self) -> u64 {
    self.queue.dropped.load(Ordering::Relaxed)
  }

  /// Queues alerts raised on the calling thread for the owner, unless the
  /// calling thread is the owner, whose monitor already emitted them.
  pub fn forward<'a>(&self, outcomes: impl Iterator<Item = &'a RecordOutcome>) {
    let mut owner = self.owner.lock_unpoisoned();
    let Some(current) = owner.as_ref() else {
      return;
    };
    if current.thread == thread::current().id() {
      return;
    }
    if current.deliver.aborted() {
      // The owner's environment was torn down, possibly with a delivery in
      // flight that will never call `resume`. The next thread that opens
      // the collector becomes the owner.
      *owner = None;
      self.queue.alerts.lock_unpoisoned().clear();
      return;
    }

    {
      let mut alerts = self.queue.alerts.lock_unpoisoned();
      for outcome in outcomes {
        for alert in [&outcome.threshold, &outcome.regression]
          .into_iter()
          .flatten()
        {
          if alerts.len() >= MAX_QUEUED_ALERTS {
            alerts.pop_front();
            self.queue.dropped.fetch_add(1, Ordering::Relaxed);
          }
          alerts.push_back(alert.clone());
        }
      }
    }

    self.schedule(&mut owner);
  }

  /// Re-arms delivery after the owner emitted a batch, scheduling the next
  /// one when alerts arrived meanwhile.
  pub fn resume(&self) {
    let mut owner = self.owner.lock_unpoisoned();
    if owner
      .as_ref()
      .is_none_or(|o| o.thread != thread::current().id())
    {
      return;
    }
    self.queue.scheduled.store(false, Ordering::Release);
    if !self.queue.alerts.lock_unpoisoned().is_empty() {
      self.schedule(&mut owner);
    }
  }

  /// Calls the owner's thread-safe function unless a delivery is in flight.
  fn schedule(&self, owner: &mut Option<Owner>) {
    let Some(current) = owner.as_ref() else {
      return;
    };
    if self.queue.scheduled.swap(true, Ordering::AcqRel) {
      return;
    }
    let status = current
      .deliver
      .call((), ThreadsafeFunctionCallMode::NonBlocking);
    if status != Status::Ok {
      self.queue.scheduled.store(false, Ordering::Release);
    }
    if status == Status::Closing {
      // The owner's environment is shutting down; the next thread that
      // opens the collector becomes the owner.
      *owner = None;
      self.queue.alerts.lock_unpoisoned().clear();
    }
  }
}
