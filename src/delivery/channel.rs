//! What every channel worker shares with the router: its queue, counters,
//! the pending count and the event sink, plus one method per outcome that
//! updates all of them in the right order.

use std::sync::Arc;

use super::error::SendError;
use super::event::{DeliveryEvent, EventSink};
use super::message::AlertMessage;
use super::pending::Pending;
use super::queue::{BoundedQueue, PushError};
use super::stats::{ChannelKind, ChannelStats, Counters};

pub type Queued = Arc<AlertMessage>;

pub struct ChannelContext {
  pub kind: ChannelKind,
  pub queue: BoundedQueue<Queued>,
  pub counters: Counters,
  pending: Arc<Pending>,
  sink: EventSink,
}

impl ChannelContext {
  pub fn new(kind: ChannelKind, queue_size: usize, pending: Arc<Pending>, sink: EventSink) -> Self {
    Self {
      kind,
      queue: BoundedQueue::new(queue_size),
      counters: Counters::default(),
      pending,
      sink,
    }
  }

  pub fn stats(&self) -> ChannelStats {
    self.counters.snapshot(self.kind, self.queue.len())
  }

  /// Queues an alert, or reports it dropped when the queue is full or closed.
  pub fn enqueue(&self, message: Queued) {
    self.pending.add(1);
    match self.queue.push(message) {
      Ok(()) => {}
      Err(PushError::Full(message)) => {
        let reason = format!("queue full ({} alerts waiting)", self.queue.len());
        self.dropped(&message, &reason);
      }
      Err(PushError::Closed(message)) => self.dropped(&message, "dispatcher closed"),
    }
  }

  /// Reports an alert this channel will not try. Ends one pending unit, so
  /// the caller must have added it (`enqueue` does).
  pub fn dropped(&self, message: &AlertMessage, reason: &str) {
    self.counters.add_dropped(1);
    self.emit(DeliveryEvent::Dropped {
      id: message.id.clone(),
      channel: self.kind,
      reason: reason.to_string(),
    });
    self.pending.done(1);
  }

  /// Reports an alert that never reached the queue (invalid, or submitted
  /// after close); it holds no pending unit.
  pub fn rejected(&self, id: &str, reason: &str) {
    self.counters.add_dropped(1);
    self.emit(DeliveryEvent::Dropped {
      id: id.to_string(),
      channel: self.kind,
      reason: reason.to_string(),
    });
  }

  /// Marks a batch taken from the queue as being delivered.
  pub fn start(&self, batch: &[Queued]) {
    self.counters.set_in_flight(batch.len() as u64);
  }

  pub fn delivered(&self, batch: &[Queued], attempts: u32) {
    self.counters.add_sent(batch.len() as u64);
    for message in batch {
      self.emit(DeliveryEvent::Delivered {
        id: message.id.clone(),
        channel: self.kind,
        attempts,
      });
    }
    self.finish(batch);
  }

  pub fn failed(&self, batch: &[Queued], error: &SendError, attempts: u32) {
    self.counters.add_failed(batch.len() as u64);
    for message in batch {
      self.emit(DeliveryEvent::Failed {
        id: message.id.clone(),
        channel: self.kind,
        error: error.message.clone(),
        attempts,
        status: error.status,
      });
    }
    self.finish(batch);
  }

  /// Reports a batch that was taken from the queue but abandoned because the
  /// dispatcher closed before its delivery ended.
  pub fn abandoned(&self, batch: &[Queued], reason: &str) {
    self.counters.add_dropped(batch.len() as u64);
    for message in batch {
      self.emit(DeliveryEvent::Dropped {
        id: message.id.clone(),
        channel: self.kind,
        reason: reason.to_string(),
      });
    }
    self.finish(batch);
  }

  pub fn retrying(&self, batch: &[Queued], next_attempt: u32, delay_ms: u64, reason: &str) {
    self.counters.add_retried();
    for message in batch {
      self.emit(DeliveryEvent::Retrying {
        id: message.id.clone(),
        channel: self.kind,
        attempt: next_attempt,
        delay_ms,
        reason: reason.to_string(),
      });
    }
  }

  /// Drops every queued alert, used when the dispatcher closes before the
  /// queue drained.
  pub fn drop_queued(&self, reason: &str) {
    for message in self.queue.drain() {
      self.dropped(&message, reason);
    }
  }

  fn finish(&self, batch: &[Queued]) {
    self.counters.set_in_flight(0);
    self.pending.done(batch.len() as u64);
  }

  fn emit(&self, event: DeliveryEvent) {
    (self.sink)(event);
  }
}
