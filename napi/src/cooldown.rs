//! `NativeCooldown`: the alert cooldown of the service.

use napi_derive::napi;
use perf_sentinel_core::cooldown::Cooldown;

/// Drops repeated alerts with the same key within a period.
#[napi]
pub struct NativeCooldown {
  inner: Cooldown,
}

#[napi]
impl NativeCooldown {
  #[napi(constructor)]
  pub fn new() -> Self {
    Self {
      inner: Cooldown::new(),
    }
  }

  /// Returns true and remembers `now` (epoch ms) when `key` last passed at
  /// least `periodMs` milliseconds ago or never; returns false otherwise.
  #[napi(catch_unwind)]
  pub fn admit(&self, key: String, now: f64, period_ms: f64) -> bool {
    self.inner.admit(&key, now, period_ms)
  }

  /// Forgets every key.
  #[napi(catch_unwind)]
  pub fn clear(&self) {
    self.inner.clear();
  }
}

impl Default for NativeCooldown {
  fn default() -> Self {
    Self::new()
  }
}
