//! Per-channel delivery counters.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
  File,
  Webhook,
  Email,
  Alertmanager,
}

impl ChannelKind {
  pub fn name(self) -> &'static str {
    match self {
      ChannelKind::File => "file",
      ChannelKind::Webhook => "webhook",
      ChannelKind::Email => "email",
      ChannelKind::Alertmanager => "alertmanager",
    }
  }
}

/// Live counters of one channel, updated by its worker.
#[derive(Debug, Default)]
pub struct Counters {
  sent: AtomicU64,
  retried: AtomicU64,
  failed: AtomicU64,
  dropped: AtomicU64,
  attempts: AtomicU64,
  in_flight: AtomicU64,
}

impl Counters {
  pub fn add_sent(&self, alerts: u64) {
    self.sent.fetch_add(alerts, Ordering::Relaxed);
  }

  pub fn add_retried(&self) {
    self.retried.fetch_add(1, Ordering::Relaxed);
  }

  pub fn add_failed(&self, alerts: u64) {
    self.failed.fetch_add(alerts, Ordering::Relaxed);
  }

  pub fn add_dropped(&self, alerts: u64) {
    self.dropped.fetch_add(alerts, Ordering::Relaxed);
  }

  pub fn add_attempt(&self) {
    self.attempts.fetch_add(1, Ordering::Relaxed);
  }

  pub fn set_in_flight(&self, alerts: u64) {
    self.in_flight.store(alerts, Ordering::Relaxed);
  }

  pub fn snapshot(&self, channel: ChannelKind, queued: usize) -> ChannelStats {
    ChannelStats {
      channel,
      sent: self.sent.load(Ordering::Relaxed),
      retried: self.retried.load(Ordering::Relaxed),
      failed: self.failed.load(Ordering::Relaxed),
      dropped: self.dropped.load(Ordering::Relaxed),
      queued: queued as u64,
      in_flight: self.in_flight.load(Ordering::Relaxed),
      attempts: self.attempts.load(Ordering::Relaxed),
    }
  }
}

/// A snapshot of one channel's counters, serialised in camelCase.
///
/// `sent`, `failed`, `dropped`, `queued` and `inFlight` count alerts (a
/// merged webhook message of ten alerts adds ten to `sent`); `attempts`
/// counts tries and `retried` counts tries that were scheduled again, both
/// per message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelStats {
  pub channel: ChannelKind,
  pub sent: u64,
  pub retried: u64,
  pub failed: u64,
  pub dropped: u64,
  /// Alerts waiting in the channel's queue.
  pub queued: u64,
  /// Alerts taken from the queue whose delivery has not ended yet.
  pub in_flight: u64,
  pub attempts: u64,
}
