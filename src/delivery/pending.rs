//! Count of unfinished work, which `flush` waits on.
//!
//! One unit is an alert submitted but not yet routed, or an alert queued in
//! one channel whose delivery has not ended (delivered, failed or dropped).
//! Units are added before the work becomes visible to the next stage and
//! removed after its events were sent, so the count reaches zero only when
//! every event of every submitted alert went out.

use std::time::Instant;

use parking_lot::{Condvar, Mutex};

#[derive(Default)]
pub struct Pending {
  count: Mutex<u64>,
  idle: Condvar,
}

impl Pending {
  pub fn add(&self, units: u64) {
    *self.count.lock() += units;
  }

  pub fn done(&self, units: u64) {
    let mut count = self.count.lock();
    *count = count.saturating_sub(units);
    if *count == 0 {
      self.idle.notify_all();
    }
  }

  pub fn count(&self) -> u64 {
    *self.count.lock()
  }

  /// Blocks until the count is zero (true) or `deadline` passes (false).
  pub fn wait_idle(&self, deadline: Instant) -> bool {
    let mut count = self.count.lock();
    while *count > 0 {
      if self.idle.wait_until(&mut count, deadline).timed_out() {
        return *count == 0;
      }
    }
    true
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::Arc;
  use std::time::Duration;

  #[test]
  fn wait_returns_when_work_ends() {
    let pending = Arc::new(Pending::default());
    pending.add(2);
    let worker = {
      let pending = pending.clone();
      std::thread::spawn(move || {
        pending.done(1);
        std::thread::sleep(Duration::from_millis(20));
        pending.done(1);
      })
    };
    assert!(pending.wait_idle(Instant::now() + Duration::from_secs(10)));
    worker.join().unwrap();
  }

  #[test]
  fn wait_times_out_while_work_remains() {
    let pending = Pending::default();
    pending.add(1);
    assert!(!pending.wait_idle(Instant::now() + Duration::from_millis(20)));
    assert_eq!(pending.count(), 1);
  }
}
