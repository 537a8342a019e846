//! Delivery events sent back to the caller, one per alert id and outcome.

use std::sync::Arc;

use serde_json::{json, Value};

use super::stats::ChannelKind;

/// What happened to one alert. `kind()` gives the event name the JavaScript
/// side receives, and `detail()` its detail object.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryEvent {
  /// The router took the alert and handed it to every enabled channel.
  Routed { id: String },
  /// A channel delivered the alert; `attempts` counts the tries it took.
  Delivered {
    id: String,
    channel: ChannelKind,
    attempts: u32,
  },
  /// A channel gave up on the alert.
  Failed {
    id: String,
    channel: ChannelKind,
    error: String,
    attempts: u32,
    status: Option<u16>,
  },
  /// A channel never tried the alert: its queue was full, the alert was
  /// invalid, or the dispatcher was closed.
  Dropped {
    id: String,
    channel: ChannelKind,
    reason: String,
  },
  /// A try failed and another one follows after `delay_ms`; `attempt` is the
  /// number of that next try.
  Retrying {
    id: String,
    channel: ChannelKind,
    attempt: u32,
    delay_ms: u64,
    reason: String,
  },
}

impl DeliveryEvent {
  pub fn kind(&self) -> &'static str {
    match self {
      DeliveryEvent::Routed { .. } => "routed",
      DeliveryEvent::Delivered { .. } => "delivered",
      DeliveryEvent::Failed { .. } => "failed",
      DeliveryEvent::Dropped { .. } => "dropped",
      DeliveryEvent::Retrying { .. } => "retrying",
    }
  }

  pub fn id(&self) -> &str {
    match self {
      DeliveryEvent::Routed { id }
      | DeliveryEvent::Delivered { id, .. }
      | DeliveryEvent::Failed { id, .. }
      | DeliveryEvent::Dropped { id, .. }
      | DeliveryEvent::Retrying { id, .. } => id,
    }
  }

  pub fn detail(&self) -> Value {
    match self {
      DeliveryEvent::Routed { .. } => json!({}),
      DeliveryEvent::Delivered {
        channel, attempts, ..
      } => json!({ "channel": channel.name(), "attempts": attempts }),
      DeliveryEvent::Failed {
        channel,
        error,
        attempts,
        status,
        ..
      } => {
        let mut detail = json!({ "channel": channel.name(), "error": error, "attempts": attempts });
        if let Some(status) = status {
          detail["status"] = json!(status);
        }
        detail
      }
      DeliveryEvent::Dropped {
        channel, reason, ..
      } => json!({ "channel": channel.name(), "reason": reason }),
      DeliveryEvent::Retrying {
        channel,
        attempt,
        delay_ms,
        reason,
        ..
      } => json!({
        "channel": channel.name(),
        "attempt": attempt,
        "delayMs": delay_ms,
        "reason": reason,
      }),
    }
  }

  pub fn detail_json(&self) -> String {
    self.detail().to_string()
  }
}

/// Receives every event, on whichever delivery thread produced it. It must
/// not block for long, because it runs inside the delivery loop.
pub type EventSink = Arc<dyn Fn(DeliveryEvent) + Send + Sync>;

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn failed_detail_carries_status_when_known() {
    let event = DeliveryEvent::Failed {
      id: "a".into(),
      channel: ChannelKind::Webhook,
      error: "HTTP 400".into(),
      attempts: 1,
      status: Some(400),
    };
    assert_eq!(event.kind(), "failed");
    assert_eq!(
      event.detail(),
      json!({ "channel": "webhook", "error": "HTTP 400", "attempts": 1, "status": 400 })
    );
  }

  #[test]
  fn retrying_detail_uses_camel_case() {
    let event = DeliveryEvent::Retrying {
      id: "a".into(),
      channel: ChannelKind::Email,
      attempt: 2,
      delay_ms: 250,
      reason: "timed out".into(),
    };
    assert_eq!(
      event.detail_json(),
      r#"{"attempt":2,"channel":"email","delayMs":250,"reason":"timed out"}"#
    );
  }
}
