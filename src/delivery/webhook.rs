//! The webhook channel: a JSON POST per message, in a generic or a Slack
//! layout. Each alert gets its own message while the rate limit has a token
//! for every queued alert. Otherwise the queued alerts go out as one merged
//! message, up to `maxAlertsPerMessage`.
//!
//! Generic body of one alert:
//! `{ id, type, severity, message, text, alert, timestamp }`, where `text`
//! repeats `message` so that Slack-style incoming webhooks show it as is and
//! `timestamp` is the alert's, in epoch milliseconds.
//!
//! Generic body of a merged message:
//! `{ id, ids, merged: true, count, type, severity, message, text, alerts, timestamp }`,
//! where `alerts` contains one `{ id, type, severity, message, alert, timestamp }`
//! per alert, `severity` is the highest one, `type` is the common type or
//! `mixed`, and `text` lists the alerts one per line.
//!
//! Slack body: `{ id, text, blocks }` for one alert, plus `ids` when merged.

use std::time::Duration;

use serde_json::{json, Value};

use super::channel::Queued;
use super::config::{WebhookConfig, WebhookFormat};
use super::error::SendError;
use super::http::post_json;
use super::message::{format_number, now_ms, rfc3339, AlertMessage};
use super::network::Transport;

/// Slack rejects a section block whose text exceeds 3000 characters.
const SLACK_SECTION_MAX_CHARS: usize = 3000;

pub struct WebhookTransport {
  client: reqwest::Client,
  url: reqwest::Url,
  headers: Vec<(String, String)>,
  format: WebhookFormat,
}

impl WebhookTransport {
  pub fn new(config: &WebhookConfig, client: reqwest::Client) -> Self {
    Self {
      client,
      url: config.url.clone(),
      headers: config.headers.clone(),
      format: config.format,
    }
  }
}

impl Transport for WebhookTransport {
  async fn send(&self, batch: &[Queued], timeout: Duration) -> Result<(), SendError> {
    let body = build_body(self.format, batch);
    post_json(&self.client, &self.url, &self.headers, &body, timeout).await
  }
}

/// Builds the JSON body of one message. The body of a given batch is the same
/// on every try except a merged message's `timestamp`.
pub fn build_body(format: WebhookFormat, batch: &[Queued]) -> Value {
  match (format, batch) {
    (WebhookFormat::Generic, [single]) => generic_single(single),
    (WebhookFormat::Generic, _) => generic_merged(batch),
    (WebhookFormat::Slack, [single]) => slack_single(single),
    (WebhookFormat::Slack, _) => slack_merged(batch),
  }
}

fn generic_single(message: &AlertMessage) -> Value {
  json!({
    "id": message.id,
    "type": message.kind,
    "severity": message.severity,
    "message": message.message,
    "text": message.message,
    "alert": message.alert,
    "timestamp": message.timestamp_ms,
  })
}

fn generic_merged(batch: &[Queued]) -> Value {
  let alerts: Vec<Value> = batch
    .iter()
    .map(|message| {
      json!({
        "id": message.id,
        "type": message.kind,
        "severity": message.severity,
        "message": message.message,
        "alert": message.alert,
        "timestamp": message.timestamp_ms,
      })
    })
    .collect();
  let summary = merged_summary(batch);
  json!({
    "id": merged_id(batch),
    "ids": ids(batch),
    "merged": true,
    "count": batch.len(),
    "type": common_kind(batch),
    "severity": highest_severity(batch),
    "message": summary,
    "text": merged_text(batch),
    "alerts": alerts,
    "timestamp": now_ms(),
  })
}

fn slack_single(message: &AlertMessage) -> Value {
  let headline = format!(
    "*{}* {} alert on `{}`\n{}",
    message.severity.to_uppercase(),
    message.kind,
    message.metric_name,
    message.message
  );
  let field = |label: &str, key: &str| {
    let value = message
      .number(key)
      .map_or_else(|| "n/a".to_string(), format_number);
    json!({ "type": "mrkdwn", "text": format!("*{label}*\n{value}") })
  };
  json!({
    "id": message.id,
    "text": message.message,
    "blocks": [
      { "type": "section", "text": { "type": "mrkdwn", "text": truncate(&headline, SLACK_SECTION_MAX_CHARS) } },
      {
        "type": "section",
        "fields": [
          field("Current", "currentValue"),
          field("Previous", "previousValue"),
          field("Threshold", "threshold"),
          field("Change %", "regressionPercentage"),
        ],
      },
      {
        "type": "context",
        "elements": [
          { "type": "mrkdwn", "text": format!("alert id {} | {}", message.id, rfc3339(message.timestamp_ms)) },
        ],
      },
    ],
  })
}

fn slack_merged(batch: &[Queued]) -> Value {
  let text = merged_text(batch);
  json!({
    "id": merged_id(batch),
    "ids": ids(batch),
    "text": text,
    "blocks": [
      { "type": "section", "text": { "type": "mrkdwn", "text": truncate(&text, SLACK_SECTION_MAX_CHARS) } },
    ],
  })
}

/// Stable id of a merged message: the same batch gives the same id on
/// every try.
fn merged_id(batch: &[Queued]) -> String {
  match batch.first() {
    Some(first) => format!("merged:{}+{}", first.id, batch.len() - 1),
    None => "merged:empty".to_string(),
  }
}

fn ids(batch: &[Queued]) -> Vec<&str> {
  batch.iter().map(|message| message.id.as_str()).collect()
}

fn merged_summary(batch: &[Queued]) -> String {
  format!("{} performance alerts", batch.len())
}

fn merged_text(batch: &[Queued]) -> String {
  let mut text = format!("{}:", merged_summary(batch));
  for message in batch {
    text.push_str(&format!(
      "\n• [{}] {} (id {})",
      message.severity.to_uppercase(),
      message.message,
      message.id
    ));
  }
  text
}

fn common_kind(batch: &[Queued]) -> &str {
  match batch.first() {
    Some(first) if batch.iter().all(|message| message.kind == first.kind) => &first.kind,
    _ => "mixed",
  }
}

fn highest_severity(batch: &[Queued]) -> &'static str {
  if batch.iter().any(|message| message.severity == "critical") {
    "critical"
  } else {
    "warning"
  }
}

fn truncate(text: &str, max_chars: usize) -> String {
  if text.chars().count() <= max_chars {
    return text.to_string();
  }
  let head: String = text.chars().take(max_chars.saturating_sub(1)).collect();
  format!("{head}…")
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::Map;
  use std::sync::Arc;

  fn message(id: &str, severity: &str) -> Queued {
    let mut alert = Map::new();
    alert.insert("metricName".into(), json!("response_time"));
    alert.insert("currentValue".into(), json!(150));
    alert.insert("previousValue".into(), json!(100));
    alert.insert("threshold".into(), json!(100));
    alert.insert("regressionPercentage".into(), json!(50));
    alert.insert("timestamp".into(), json!(1_700_000_000_000u64));
    alert.insert("severity".into(), json!(severity));
    Arc::new(AlertMessage::from_alert(
      id.into(),
      "threshold".into(),
      alert,
      format!("alert {id}"),
    ))
  }

  #[test]
  fn generic_body_carries_alert_fields() {
    let body = build_body(WebhookFormat::Generic, &[message("a1", "warning")]);
    assert_eq!(body["id"], "a1");
    assert_eq!(body["type"], "threshold");
    assert_eq!(body["severity"], "warning");
    assert_eq!(body["message"], "alert a1");
    assert_eq!(body["text"], "alert a1");
    assert_eq!(body["alert"]["metricName"], "response_time");
    assert_eq!(body["timestamp"], 1_700_000_000_000.0);
  }

  #[test]
  fn merged_body_lists_every_alert() {
    let batch = [
      message("a1", "warning"),
      message("a2", "critical"),
      message("a3", "warning"),
    ];
    let body = build_body(WebhookFormat::Generic, &batch);
    assert_eq!(body["ids"], json!(["a1", "a2", "a3"]));
    assert_eq!(body["id"], "merged:a1+2");
    assert_eq!(body["count"], 3);
    assert_eq!(body["severity"], "critical");
    assert_eq!(body["type"], "threshold");
    assert_eq!(body["alerts"].as_array().unwrap().len(), 3);
    assert_eq!(body["alerts"][1]["id"], "a2");
    let text = body["text"].as_str().unwrap();
    for id in ["a1", "a2", "a3"] {
      assert!(text.contains(&format!("(id {id})")), "{text}");
    }
  }

  #[test]
  fn slack_body_has_text_blocks_and_id() {
    let body = build_body(WebhookFormat::Slack, &[message("a1", "critical")]);
    assert_eq!(body["id"], "a1");
    assert_eq!(body["text"], "alert a1");
    let headline = body["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(
      headline.starts_with("*CRITICAL* threshold alert on `response_time`"),
      "{headline}"
    );
    assert_eq!(body["blocks"][1]["fields"][0]["text"], "*Current*\n150");
  }

  #[test]
  fn slack_merged_section_respects_limit() {
    let batch: Vec<Queued> = (0..200)
      .map(|i| message(&format!("id-{i}"), "warning"))
      .collect();
    let body = build_body(WebhookFormat::Slack, &batch);
    let section = body["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(section.chars().count() <= SLACK_SECTION_MAX_CHARS);
    assert_eq!(body["ids"].as_array().unwrap().len(), 200);
    assert!(body["text"].as_str().unwrap().contains("(id id-199)"));
  }
}
