//! Retry decisions: exponential backoff with full jitter, `Retry-After`
//! parsing, and the per-message deadline.

use std::time::{Duration, SystemTime};

use super::config::RetryPolicy;
use super::error::SendError;

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
  /// Try again after this delay.
  Retry(Duration),
  /// Stop; the string says why, for the `failed` event.
  GiveUp(String),
}

/// Decides what follows the failed try number `attempt` (1-based), made
/// `elapsed` after the first try of the message started.
pub fn next_step(
  policy: &RetryPolicy,
  attempt: u32,
  elapsed: Duration,
  error: &SendError,
) -> Decision {
  if !error.retryable {
    return Decision::GiveUp(error.message.clone());
  }
  if attempt > policy.retries {
    return Decision::GiveUp(format!(
      "{} (gave up after {attempt} attempts)",
      error.message
    ));
  }

  let delay = match error.retry_after {
    Some(requested) => requested.min(policy.retry_after_cap),
    None => backoff_delay(policy, attempt),
  };
  if elapsed + delay >= policy.deadline {
    return Decision::GiveUp(format!(
      "{} (gave up after {attempt} attempts: the next try would start after the {} ms deadline)",
      error.message,
      policy.deadline.as_millis()
    ));
  }
  Decision::Retry(delay)
}

/// Picks a delay uniformly in `[0, min(maxBackoff, backoff * 2^(attempt-1))]`
/// ("full jitter"), which spreads the retries of many senders apart.
pub fn backoff_delay(policy: &RetryPolicy, attempt: u32) -> Duration {
  let ceiling = backoff_ceiling(policy, attempt);
  let ceiling_ms = ceiling.as_millis() as u64;
  Duration::from_millis(fastrand::u64(0..=ceiling_ms))
}

/// The upper bound of the backoff delay after failed try number `attempt`.
pub fn backoff_ceiling(policy: &RetryPolicy, attempt: u32) -> Duration {
  let exponent = attempt.saturating_sub(1).min(32);
  let factor = 1u32.checked_shl(exponent).unwrap_or(u32::MAX);
  policy
    .backoff
    .saturating_mul(factor)
    .min(policy.max_backoff)
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date (RFC 9110,
/// section 10.2.3). A date in the past means no delay.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
  let value = value.trim();
  if let Ok(seconds) = value.parse::<u64>() {
    return Some(Duration::from_secs(seconds.min(u64::from(u32::MAX))));
  }
  if let Ok(seconds) = value.parse::<f64>() {
    return (seconds.is_finite() && seconds >= 0.0)
      .then(|| Duration::from_secs_f64(seconds.min(f64::from(u32::MAX))));
  }
  let date = httpdate::parse_http_date(value).ok()?;
  Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Classifies an HTTP status: 408, 429 and 5xx may succeed on another try.
pub fn is_retryable_status(status: u16) -> bool {
  status == 408 || status == 429 || (500..600).contains(&status)
}

#[cfg(test)]
mod tests {
  use super::*;

  fn policy() -> RetryPolicy {
    RetryPolicy {
      timeout: Duration::from_millis(100),
      retries: 3,
      backoff: Duration::from_millis(500),
      max_backoff: Duration::from_millis(3_000),
      deadline: Duration::from_secs(60),
      retry_after_cap: Duration::from_secs(10),
    }
  }

  #[test]
  fn ceiling_doubles_up_to_max() {
    let policy = policy();
    let ceilings: Vec<u64> = (1..=5)
      .map(|n| backoff_ceiling(&policy, n).as_millis() as u64)
      .collect();
    assert_eq!(ceilings, vec![500, 1000, 2000, 3000, 3000]);
    assert_eq!(
      backoff_ceiling(&policy, u32::MAX),
      Duration::from_millis(3_000)
    );
  }

  #[test]
  fn jitter_stays_within_ceiling() {
    let policy = policy();
    for attempt in 1..=6 {
      for _ in 0..200 {
        assert!(backoff_delay(&policy, attempt) <= backoff_ceiling(&policy, attempt));
      }
    }
  }

  #[test]
  fn permanent_errors_are_not_retried() {
    let error = SendError {
      status: Some(400),
      ..SendError::permanent("HTTP 400 Bad Request")
    };
    assert_eq!(
      next_step(&policy(), 1, Duration::ZERO, &error),
      Decision::GiveUp("HTTP 400 Bad Request".into())
    );
  }

  #[test]
  fn retries_stop_after_the_configured_count() {
    let error = SendError::retryable("HTTP 503");
    assert!(matches!(
      next_step(&policy(), 3, Duration::ZERO, &error),
      Decision::Retry(_)
    ));
    assert_eq!(
      next_step(&policy(), 4, Duration::ZERO, &error),
      Decision::GiveUp("HTTP 503 (gave up after 4 attempts)".into())
    );
  }

  #[test]
  fn retry_after_is_honoured_and_capped() {
    let mut error = SendError::retryable("HTTP 429");
    error.retry_after = Some(Duration::from_secs(2));
    assert_eq!(
      next_step(&policy(), 1, Duration::ZERO, &error),
      Decision::Retry(Duration::from_secs(2))
    );
    error.retry_after = Some(Duration::from_secs(3600));
    assert_eq!(
      next_step(&policy(), 1, Duration::ZERO, &error),
      Decision::Retry(Duration::from_secs(10))
    );
  }

  #[test]
  fn deadline_stops_retries() {
    let mut error = SendError::retryable("timed out");
    error.retry_after = Some(Duration::from_secs(5));
    let decision = next_step(&policy(), 1, Duration::from_secs(56), &error);
    assert!(
      matches!(decision, Decision::GiveUp(ref text) if text.contains("60000 ms deadline")),
      "{decision:?}"
    );
  }

  #[test]
  fn retry_after_parses_seconds_and_dates() {
    let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
    assert_eq!(
      parse_retry_after("120", now),
      Some(Duration::from_secs(120))
    );
    assert_eq!(
      parse_retry_after(" 1.5 ", now),
      Some(Duration::from_millis(1500))
    );
    assert_eq!(
      parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
      Some(Duration::from_secs(30))
    );
    assert_eq!(
      parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
      Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after("-1", now), None);
  }

  #[test]
  fn status_classes() {
    for status in [408, 429, 500, 502, 503, 504, 599] {
      assert!(is_retryable_status(status), "{status}");
    }
    for status in [200, 301, 400, 401, 403, 404, 410, 422] {
      assert!(!is_retryable_status(status), "{status}");
    }
  }
}
