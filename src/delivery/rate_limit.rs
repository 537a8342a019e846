//! Token bucket that paces outgoing messages. A channel waits for a token
//! instead of dropping alerts, and merges what is queued into one message
//! when there are more alerts than tokens.

use std::time::{Duration, Instant};

use super::config::RateLimitConfig;

#[derive(Debug, Clone)]
pub struct TokenBucket {
  per_second: f64,
  capacity: f64,
  tokens: f64,
  refilled_at: Instant,
}

impl TokenBucket {
  /// Starts full, so the first `burst` messages go out at once.
  pub fn new(config: &RateLimitConfig, now: Instant) -> Self {
    let capacity = f64::from(config.burst.max(1));
    Self {
      per_second: config.per_second,
      capacity,
      tokens: capacity,
      refilled_at: now,
    }
  }

  /// Takes a token, or returns how long to wait until one is available.
  pub fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
    let elapsed = now
      .saturating_duration_since(self.refilled_at)
      .as_secs_f64();
    self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
    self.refilled_at = now;

    if self.tokens >= 1.0 {
      self.tokens -= 1.0;
      return Ok(());
    }
    let missing = 1.0 - self.tokens;
    Err(Duration::from_secs_f64(missing / self.per_second).max(Duration::from_millis(1)))
  }

  /// Returns the tokens left at the last `try_take`.
  pub fn tokens(&self) -> f64 {
    self.tokens
  }

  /// Waits until a token is available and takes it.
  pub async fn acquire(&mut self) {
    while let Err(wait) = self.try_take(Instant::now()) {
      tokio::time::sleep(wait).await;
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn bucket(per_second: f64, burst: u32, now: Instant) -> TokenBucket {
    TokenBucket::new(&RateLimitConfig { per_second, burst }, now)
  }

  #[test]
  fn burst_then_wait() {
    let start = Instant::now();
    let mut bucket = bucket(2.0, 3, start);
    for _ in 0..3 {
      assert_eq!(bucket.try_take(start), Ok(()));
    }
    let wait = bucket.try_take(start).unwrap_err();
    assert_eq!(wait, Duration::from_millis(500));
  }

  #[test]
  fn refill_follows_rate_and_caps_at_burst() {
    let start = Instant::now();
    let mut bucket = bucket(1.0, 2, start);
    assert!(bucket.try_take(start).is_ok());
    assert!(bucket.try_take(start).is_ok());
    assert!(bucket.try_take(start).is_err());

    let later = start + Duration::from_secs(1);
    assert!(bucket.try_take(later).is_ok());
    assert!(bucket.try_take(later).is_err());

    let much_later = later + Duration::from_secs(100);
    assert!(bucket.try_take(much_later).is_ok());
    assert!(bucket.try_take(much_later).is_ok());
    assert!(bucket.try_take(much_later).is_err());
  }
}
