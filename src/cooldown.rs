//! Suppression of repeated alerts with the same key.

use std::collections::HashMap;

use parking_lot::Mutex;

/// Remembers when each key last passed and lets a key pass again only after
/// `period_ms` milliseconds. Keys are `metricName + "_" + type`.
#[derive(Debug, Default)]
pub struct Cooldown {
  last_passed: Mutex<HashMap<String, f64>>,
}

/// Entries beyond this many trigger a sweep of expired keys, so that an
/// unbounded set of metric names cannot grow the map without limit.
const SWEEP_AT: usize = 10_000;

impl Cooldown {
  pub fn new() -> Self {
    Self::default()
  }

  /// Returns true and remembers `now` when `key` last passed at least
  /// `period_ms` ago (or never); returns false otherwise.
  pub fn admit(&self, key: &str, now: f64, period_ms: f64) -> bool {
    let mut last_passed = self.last_passed.lock();
    if let Some(&last) = last_passed.get(key) {
      if now - last < period_ms {
        return false;
      }
    }
    if last_passed.len() >= SWEEP_AT {
      last_passed.retain(|_, &mut last| now - last < period_ms);
    }
    last_passed.insert(key.to_owned(), now);
    true
  }

  pub fn clear(&self) {
    self.last_passed.lock().clear();
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn second_alert_within_period_is_dropped() {
    let cooldown = Cooldown::new();
    assert!(cooldown.admit("lat_threshold", 1000.0, 300.0));
    assert!(!cooldown.admit("lat_threshold", 1299.0, 300.0));
    assert!(cooldown.admit("lat_threshold", 1300.0, 300.0));
  }

  #[test]
  fn keys_are_independent() {
    let cooldown = Cooldown::new();
    assert!(cooldown.admit("a_threshold", 0.0, 1000.0));
    assert!(cooldown.admit("a_regression", 0.0, 1000.0));
  }

  #[test]
  fn zero_period_admits_everything() {
    let cooldown = Cooldown::new();
    assert!(cooldown.admit("k", 5.0, 0.0));
    assert!(cooldown.admit("k", 5.0, 0.0));
  }
}
