//! The bounded queue in front of each channel, usable from a plain thread
//! (blocking pop) and from a Tokio task (async pop).

use std::collections::VecDeque;

use parking_lot::{Condvar, Mutex};
use tokio::sync::Notify;

#[derive(Debug, PartialEq, Eq)]
pub enum PushError<T> {
  /// The queue holds `capacity` items already.
  Full(T),
  /// The queue was closed and takes nothing more.
  Closed(T),
}

struct State<T> {
  items: VecDeque<T>,
  closed: bool,
}

/// A multi-producer, single-consumer FIFO with a fixed capacity.
pub struct BoundedQueue<T> {
  state: Mutex<State<T>>,
  capacity: usize,
  /// Wakes a consumer blocked in `pop_blocking`.
  ready: Condvar,
  /// Wakes a consumer awaiting `pop_batch`. With a single consumer,
  /// `notify_one` stores a permit, so a push between the check and the await
  /// is never missed.
  ready_async: Notify,
}

impl<T> BoundedQueue<T> {
  pub fn new(capacity: usize) -> Self {
    Self {
      state: Mutex::new(State {
        items: VecDeque::new(),
        closed: false,
      }),
      capacity: capacity.max(1),
      ready: Condvar::new(),
      ready_async: Notify::new(),
    }
  }

  pub fn push(&self, item: T) -> Result<(), PushError<T>> {
    {
      let mut state = self.state.lock();
      if state.closed {
        return Err(PushError::Closed(item));
      }
      if state.items.len() >= self.capacity {
        return Err(PushError::Full(item));
      }
      state.items.push_back(item);
    }
    self.wake();
    Ok(())
  }

  pub fn len(&self) -> usize {
    self.state.lock().items.len()
  }

  pub fn is_empty(&self) -> bool {
    self.len() == 0
  }

  /// Takes no more items; the consumer still receives the ones queued.
  pub fn close(&self) {
    self.state.lock().closed = true;
    self.wake();
  }

  /// Removes and returns every queued item.
  pub fn drain(&self) -> Vec<T> {
    self.state.lock().items.drain(..).collect()
  }

  /// Waits for an item; `None` once the queue is closed and empty.
  pub fn pop_blocking(&self) -> Option<T> {
    let mut state = self.state.lock();
    loop {
      if let Some(item) = state.items.pop_front() {
        return Some(item);
      }
      if state.closed {
        return None;
      }
      self.ready.wait(&mut state);
    }
  }

  /// Waits until an item is queued; false once the queue is closed and empty.
  pub async fn wait_ready(&self) -> bool {
    loop {
      {
        let state = self.state.lock();
        if !state.items.is_empty() {
          return true;
        }
        if state.closed {
          return false;
        }
      }
      self.ready_async.notified().await;
    }
  }

  /// Removes up to `max` items from the front without waiting.
  pub fn take(&self, max: usize) -> Vec<T> {
    let mut state = self.state.lock();
    let count = max.min(state.items.len());
    state.items.drain(..count).collect()
  }

  fn wake(&self) {
    self.ready.notify_one();
    self.ready_async.notify_one();
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::Arc;

  #[test]
  fn push_rejects_when_full() {
    let queue = BoundedQueue::new(2);
    assert_eq!(queue.push(1), Ok(()));
    assert_eq!(queue.push(2), Ok(()));
    assert_eq!(queue.push(3), Err(PushError::Full(3)));
    assert_eq!(queue.len(), 2);
  }

  #[test]
  fn closed_queue_drains_then_ends() {
    let queue = BoundedQueue::new(4);
    queue.push("a").unwrap();
    queue.close();
    assert_eq!(queue.push("b"), Err(PushError::Closed("b")));
    assert_eq!(queue.pop_blocking(), Some("a"));
    assert_eq!(queue.pop_blocking(), None);
  }

  #[test]
  fn blocking_pop_wakes_on_push() {
    let queue = Arc::new(BoundedQueue::new(4));
    let consumer = {
      let queue = queue.clone();
      std::thread::spawn(move || queue.pop_blocking())
    };
    std::thread::sleep(std::time::Duration::from_millis(20));
    queue.push(7).unwrap();
    assert_eq!(consumer.join().unwrap(), Some(7));
  }

  #[test]
  fn async_wait_wakes_on_push_and_close() {
    let runtime = tokio::runtime::Builder::new_current_thread()
      .enable_all()
      .build()
      .unwrap();
    let queue = Arc::new(BoundedQueue::new(4));
    let producer = {
      let queue = queue.clone();
      std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        queue.push(1).unwrap();
        queue.push(2).unwrap();
        queue.close();
      })
    };
    runtime.block_on(async {
      assert!(queue.wait_ready().await);
      let mut taken = Vec::new();
      while queue.wait_ready().await {
        taken.extend(queue.take(10));
      }
      assert_eq!(taken, vec![1, 2]);
    });
    producer.join().unwrap();
  }
}
