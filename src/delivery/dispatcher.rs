//! The dispatcher: a router thread that fans each submitted alert out to the
//! enabled channels, a writer thread for the file channel, and a Tokio
//! runtime for the network channels (created only when one is enabled).
//!
//! Event order per alert id: `routed` first, then the channels' `dropped`,
//! `retrying`, `delivered` and `failed` events. Every alert passed to
//! `submit` gets exactly one `routed` event and, in each enabled channel,
//! exactly one of `delivered`, `failed` or `dropped`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tokio::runtime::Runtime;
use tokio::sync::watch;

use super::alertmanager::AlertmanagerTransport;
use super::channel::ChannelContext;
use super::config::{defaults, DeliveryConfig, RetryPolicy};
use super::email::EmailTransport;
use super::error::ConfigError;
use super::event::{DeliveryEvent, EventSink};
use super::file::{run_writer, RotatingFile};
use super::http::build_client;
use super::message::AlertMessage;
use super::network::{NetworkWorker, Transport, CLOSED_REASON};
use super::pending::Pending;
use super::rate_limit::TokenBucket;
use super::stats::{ChannelKind, ChannelStats};
use super::webhook::WebhookTransport;

/// How long `close` lets the network workers finish after their queues
/// closed, before the runtime is shut down.
const WORKER_GRACE: Duration = Duration::from_secs(2);
/// How long `close` waits for the runtime's threads to stop.
const RUNTIME_SHUTDOWN: Duration = Duration::from_millis(500);

struct RouterCommand {
  id: String,
  kind: String,
  alert_json: String,
  message: String,
}

pub struct Dispatcher {
  channels: Vec<Arc<ChannelContext>>,
  pending: Arc<Pending>,
  sink: EventSink,
  closed: AtomicBool,
  router: Mutex<Option<mpsc::Sender<RouterCommand>>>,
  router_thread: Mutex<Option<JoinHandle<()>>>,
  file_thread: Mutex<Option<JoinHandle<()>>>,
  runtime: Mutex<Option<Runtime>>,
  network_workers: Mutex<Vec<tokio::task::JoinHandle<()>>>,
  /// Set when `close` stops waiting: the router and the file writer drop
  /// what is left instead of delivering it.
  abort: Arc<AtomicBool>,
  /// The same signal for the network workers.
  abort_network: watch::Sender<bool>,
  close_lock: Mutex<()>,
  longest_deadline: Duration,
}

impl Dispatcher {
  /// Starts the threads of every enabled channel. `sink` receives every
  /// event, on the delivery threads.
  pub fn new(config: DeliveryConfig, sink: EventSink) -> Result<Self, ConfigError> {
    let runtime = if config.needs_network() {
      Some(build_runtime()?)
    } else {
      None
    };
    // Every fallible step comes before the first thread starts, so an error
    // leaves nothing running.
    let transports = match &runtime {
      Some(runtime) => {
        let _entered = runtime.enter();
        Transports::build(&config)?
      }
      None => Transports::default(),
    };

    let pending = Arc::new(Pending::default());
    let abort = Arc::new(AtomicBool::new(false));
    let (abort_network, abort_receiver) = watch::channel(false);
    let context = |kind, queue_size| {
      Arc::new(ChannelContext::new(
        kind,
        queue_size,
        pending.clone(),
        sink.clone(),
      ))
    };
    let mut channels = Vec::new();
    let mut network_workers = Vec::new();
    let mut longest_deadline = Duration::ZERO;

    let mut file_writer = None;
    if let Some(file) = &config.file {
      let channel = context(ChannelKind::File, file.queue_size);
      file_writer = Some((RotatingFile::new(file), channel.clone()));
      channels.push(channel);
    }

    if let Some(runtime) = &runtime {
      if let (Some(webhook), Some(transport)) = (&config.webhook, transports.webhook) {
        let channel = context(ChannelKind::Webhook, webhook.queue_size);
        let limiter = webhook
          .rate_limit
          .as_ref()
          .map(|limit| TokenBucket::new(limit, Instant::now()));
        let batch_sizes = (1, webhook.max_alerts_per_message);
        let worker = network_worker(
          transport,
          &channel,
          &webhook.retry,
          limiter,
          batch_sizes,
          &abort_receiver,
        );
        network_workers.push(runtime.spawn(worker.run()));
        longest_deadline = longest_deadline.max(webhook.retry.deadline);
        channels.push(channel);
      }
      if let (Some(email), Some(transport)) = (&config.email, transports.email) {
        let channel = context(ChannelKind::Email, email.queue_size);
        let limiter = email
          .rate_limit
          .as_ref()
          .map(|limit| TokenBucket::new(limit, Instant::now()));
        let worker = network_worker(
          transport,
          &channel,
          &email.retry,
          limiter,
          (1, email.max_alerts_per_message),
          &abort_receiver,
        );
        network_workers.push(runtime.spawn(worker.run()));
        longest_deadline = longest_deadline.max(email.retry.deadline);
        channels.push(channel);
      }
      if let (Some(alertmanager), Some(transport)) = (&config.alertmanager, transports.alertmanager)
      {
        let channel = context(ChannelKind::Alertmanager, alertmanager.queue_size);
        // Alertmanager takes an array, so whatever is queued goes in one request.
        let max_batch = defaults::ALERTMANAGER_MAX_ALERTS_PER_REQUEST;
        let worker = network_worker(
          transport,
          &channel,
          &alertmanager.retry,
          None,
          (max_batch, max_batch),
          &abort_receiver,
        );
        network_workers.push(runtime.spawn(worker.run()));
        longest_deadline = longest_deadline.max(alertmanager.retry.deadline);
        channels.push(channel);
      }
    }

    let dispatcher = Self {
      channels: channels.clone(),
      pending: pending.clone(),
      sink: sink.clone(),
      closed: AtomicBool::new(false),
      router: Mutex::new(None),
      router_thread: Mutex::new(None),
      file_thread: Mutex::new(None),
      runtime: Mutex::new(runtime),
      network_workers: Mutex::new(network_workers),
      abort: abort.clone(),
      abort_network,
      close_lock: Mutex::new(()),
      longest_deadline,
    };

    // From here on, an error drops `dispatcher`, whose `Drop` stops what started.
    if let Some((writer, channel)) = file_writer {
      let worker_abort = abort.clone();
      let thread = spawn_thread("perf-sentinel-file", move || {
        run_writer(writer, channel, worker_abort)
      })?;
      *dispatcher.file_thread.lock() = Some(thread);
    }
    let (router, commands) = mpsc::channel();
    let router_state = RouterState {
      channels,
      pending,
      sink,
      abort,
    };
    let thread = spawn_thread("perf-sentinel-router", move || router_state.run(commands))?;
    *dispatcher.router_thread.lock() = Some(thread);
    *dispatcher.router.lock() = Some(router);
    Ok(dispatcher)
  }

  /// Hands an alert to the router without waiting. After `close`, the alert
  /// is counted as dropped in every channel.
  pub fn submit(&self, id: String, kind: String, alert_json: String, message: String) {
    if self.closed.load(Ordering::Acquire) {
      self.reject_closed(id);
      return;
    }
    self.pending.add(1);
    let command = RouterCommand {
      id,
      kind,
      alert_json,
      message,
    };
    let rejected = match self.router.lock().as_ref() {
      Some(router) => router.send(command).err().map(|error| error.0),
      None => Some(command),
    };
    if let Some(command) = rejected {
      self.pending.done(1);
      self.reject_closed(command.id);
    }
  }

  fn reject_closed(&self, id: String) {
    (self.sink)(DeliveryEvent::Routed { id: id.clone() });
    for channel in &self.channels {
      channel.rejected(&id, "dispatcher closed");
    }
  }

  /// Counters of the enabled channels, in the order file, webhook, email,
  /// alertmanager.
  pub fn stats(&self) -> Vec<ChannelStats> {
    self
      .channels
      .iter()
      .map(|channel| channel.stats())
      .collect()
  }

  /// Returns the maximum per-message deadline of the network channels (zero
  /// without one), a sensible bound for a final flush.
  pub fn longest_deadline(&self) -> Duration {
    self.longest_deadline
  }

  /// Blocks until every submitted alert was delivered, failed or dropped in
  /// every channel (true), or until `timeout` passes (false). Call it off the
  /// JavaScript thread.
  pub fn flush(&self, timeout: Duration) -> bool {
    self.pending.wait_idle(Instant::now() + timeout)
  }

  /// Flushes, then stops every thread. When the flush times out, what is
  /// left is dropped with a `dropped` event. Returns the flush result; later
  /// calls return at once. Call it off the JavaScript thread.
  pub fn close(&self, timeout: Duration) -> bool {
    let _serial = self.close_lock.lock();
    self.closed.store(true, Ordering::Release);
    let drained = self.flush(timeout);
    if !drained {
      self.abort.store(true, Ordering::Release);
      self.abort_network.send_replace(true);
    }

    // Dropping the sender ends the router once it has handled what it holds.
    self.router.lock().take();
    if let Some(thread) = self.router_thread.lock().take() {
      let _ = thread.join();
    }
    for channel in &self.channels {
      channel.queue.close();
    }
    if let Some(thread) = self.file_thread.lock().take() {
      let _ = thread.join();
    }

    let runtime = self.runtime.lock().take();
    if let Some(runtime) = runtime {
      let workers: Vec<_> = self.network_workers.lock().drain(..).collect();
      runtime.block_on(async {
        let grace = tokio::time::Instant::now() + WORKER_GRACE;
        for worker in workers {
          let _ = tokio::time::timeout_at(grace, worker).await;
        }
      });
      runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
    }
    drained
  }
}

impl Drop for Dispatcher {
  /// Stops without waiting: what is still queued is dropped, and the threads
  /// end on their own.
  fn drop(&mut self) {
    self.closed.store(true, Ordering::Release);
    self.abort.store(true, Ordering::Release);
    self.abort_network.send_replace(true);
    self.router.get_mut().take();
    for channel in &self.channels {
      channel.queue.close();
    }
    if let Some(runtime) = self.runtime.get_mut().take() {
      runtime.shutdown_background();
    }
  }
}

struct RouterState {
  channels: Vec<Arc<ChannelContext>>,
  pending: Arc<Pending>,
  sink: EventSink,
  abort: Arc<AtomicBool>,
}

impl RouterState {
  fn run(self, commands: mpsc::Receiver<RouterCommand>) {
    for command in commands {
      self.route(command);
      self.pending.done(1);
    }
  }

  fn route(&self, command: RouterCommand) {
    let RouterCommand {
      id,
      kind,
      alert_json,
      message,
    } = command;
    (self.sink)(DeliveryEvent::Routed { id: id.clone() });
    if self.abort.load(Ordering::Acquire) {
      for channel in &self.channels {
        channel.rejected(&id, CLOSED_REASON);
      }
      return;
    }
    match AlertMessage::parse(id.clone(), kind, &alert_json, message) {
      Ok(alert) => {
        let alert = Arc::new(alert);
        for channel in &self.channels {
          channel.enqueue(alert.clone());
        }
      }
      Err(reason) => {
        for channel in &self.channels {
          channel.rejected(&id, &reason);
        }
      }
    }
  }
}

/// The transports of the enabled network channels, built before any thread starts.
#[derive(Default)]
struct Transports {
  webhook: Option<WebhookTransport>,
  email: Option<EmailTransport>,
  alertmanager: Option<AlertmanagerTransport>,
}

impl Transports {
  fn build(config: &DeliveryConfig) -> Result<Self, ConfigError> {
    let client = || build_client().map_err(ConfigError::Startup);
    Ok(Self {
      webhook: match &config.webhook {
        Some(webhook) => Some(WebhookTransport::new(webhook, client()?)),
        None => None,
      },
      email: match &config.email {
        Some(email) => Some(EmailTransport::new(email).map_err(ConfigError::Startup)?),
        None => None,
      },
      alertmanager: match &config.alertmanager {
        Some(alertmanager) => {
          Some(AlertmanagerTransport::new(alertmanager, client()?).map_err(ConfigError::Startup)?)
        }
        None => None,
      },
    })
  }
}

fn network_worker<T: Transport>(
  transport: T,
  channel: &Arc<ChannelContext>,
  policy: &RetryPolicy,
  limiter: Option<TokenBucket>,
  (batch_size, merged_batch_size): (usize, usize),
  abort: &watch::Receiver<bool>,
) -> NetworkWorker<T> {
  NetworkWorker {
    transport,
    context: channel.clone(),
    policy: policy.clone(),
    limiter,
    batch_size,
    merged_batch_size,
    abort: abort.clone(),
  }
}

/// Builds the network channels' runtime with one worker thread, which is
/// enough because they only wait on sockets.
fn build_runtime() -> Result<Runtime, ConfigError> {
  tokio::runtime::Builder::new_multi_thread()
    .worker_threads(1)
    .max_blocking_threads(2)
    .thread_keep_alive(Duration::from_secs(1))
    .thread_name("perf-sentinel-net")
    .enable_all()
    .build()
    .map_err(|error| ConfigError::Startup(format!("Tokio runtime: {error}")))
}

fn spawn_thread(
  name: &str,
  body: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<()>, ConfigError> {
  std::thread::Builder::new()
    .name(name.to_string())
    .spawn(body)
    .map_err(|error| ConfigError::Startup(format!("thread {name}: {error}")))
}
