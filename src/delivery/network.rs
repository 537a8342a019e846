//! The worker loop shared by the network channels: take alerts from the
//! queue (after a rate-limit token when there is a limit), send them as one
//! message with retries, report the outcome, and stop on close.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::channel::{ChannelContext, Queued};
use super::config::RetryPolicy;
use super::error::SendError;
use super::rate_limit::TokenBucket;
use super::retry::{next_step, Decision};

/// Sends one message (one or more alerts) to a receiver. One call is one try.
pub trait Transport: Send + Sync + 'static {
  /// Sends `batch`; `timeout` is the time left for this try, which the
  /// transport should also give to its client.
  fn send(
    &self,
    batch: &[Queued],
    timeout: Duration,
  ) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// Reason given for alerts abandoned when `close` passes its deadline.
pub const CLOSED_REASON: &str = "dispatcher closed before delivery ended";

pub struct NetworkWorker<T: Transport> {
  pub transport: T,
  pub context: Arc<ChannelContext>,
  pub policy: RetryPolicy,
  pub limiter: Option<TokenBucket>,
  /// Alerts per message while the rate limit has a token for each queued alert.
  pub batch_size: usize,
  /// Alerts merged into one message at most when there are fewer tokens
  /// than queued alerts.
  pub merged_batch_size: usize,
  /// Becomes true when the dispatcher stops waiting for deliveries.
  pub abort: watch::Receiver<bool>,
}

impl<T: Transport> NetworkWorker<T> {
  /// Runs until the queue is closed and empty, or until abort.
  pub async fn run(mut self) {
    let mut abort = self.abort.clone();
    loop {
      let ready = tokio::select! {
        biased;
        _ = wait_abort(&mut abort) => break,
        ready = self.context.queue.wait_ready() => ready,
      };
      if !ready {
        break;
      }

      // Alerts go one per message while the token bucket has a token for
      // each queued alert. When more are queued than tokens remain (a burst,
      // or a backlog behind a slow receiver), or the channel had to wait for
      // a token, everything queued goes as one merged message.
      let mut batch_size = self.batch_size;
      if let Some(limiter) = self.limiter.as_mut() {
        if limiter.try_take(Instant::now()).is_err() {
          tokio::select! {
            biased;
            _ = wait_abort(&mut abort) => break,
            _ = limiter.acquire() => {}
          }
          batch_size = self.merged_batch_size;
        } else if (self.context.queue.len() as f64) > limiter.tokens() + 1.0 {
          batch_size = self.merged_batch_size;
        }
      }

      let batch = self.context.queue.take(batch_size);
      if batch.is_empty() {
        continue;
      }
      self.context.start(&batch);
      tokio::select! {
        biased;
        _ = wait_abort(&mut abort) => {
          self.context.abandoned(&batch, CLOSED_REASON);
          break;
        }
        (result, attempts) = deliver(&self.transport, &self.context, &self.policy, &batch) => match result {
          Ok(()) => self.context.delivered(&batch, attempts),
          Err(error) => self.context.failed(&batch, &error, attempts),
        },
      }
    }
    self.context.drop_queued(CLOSED_REASON);
  }
}

/// Tries `batch` until it is delivered, a try fails permanently, the retries
/// are used up or the next try would start after the deadline. Returns the
/// outcome and the number of tries.
pub async fn deliver<T: Transport>(
  transport: &T,
  context: &ChannelContext,
  policy: &RetryPolicy,
  batch: &[Queued],
) -> (Result<(), SendError>, u32) {
  let started = Instant::now();
  let mut attempt = 0;
  loop {
    attempt += 1;
    let remaining = policy.deadline.saturating_sub(started.elapsed());
    let timeout = policy.timeout.min(remaining).max(Duration::from_millis(1));
    context.counters.add_attempt();

    let result = match tokio::time::timeout(timeout, transport.send(batch, timeout)).await {
      Ok(result) => result,
      Err(_) => Err(SendError::retryable(format!(
        "timed out after {} ms",
        timeout.as_millis()
      ))),
    };
    let error = match result {
      Ok(()) => return (Ok(()), attempt),
      Err(error) => error,
    };

    match next_step(policy, attempt, started.elapsed(), &error) {
      Decision::Retry(delay) => {
        context.retrying(batch, attempt + 1, delay.as_millis() as u64, &error.message);
        tokio::time::sleep(delay).await;
      }
      Decision::GiveUp(message) => return (Err(SendError { message, ..error }), attempt),
    }
  }
}

/// Resolves once abort is requested; never when the sender is gone without it.
async fn wait_abort(abort: &mut watch::Receiver<bool>) {
  if abort.wait_for(|aborted| *aborted).await.is_err() {
    std::future::pending::<()>().await;
  }
}
