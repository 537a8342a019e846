//! The Alertmanager channel: `POST {url}/api/v2/alerts` with an array of
//! postable alerts (Alertmanager API v2). Alertmanager merges alerts with the
//! same label set, so sending one twice is harmless.
//!
//! Labels: `alertname` (`PerfSentinelThreshold`, `PerfSentinelRegression`,
//! `PerfSentinelRegressionTest`, else `PerfSentinelAlert`), `metric`,
//! `severity`, `instance`, `type`, then the configured labels, which may
//! override these. Annotations: `summary`, `description`, `alertId`, then the
//! configured annotations. `startsAt` is the alert's time; `endsAt` is the
//! send time plus `resolveTimeoutMs`, after which Alertmanager resolves the
//! alert unless it is sent again.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::channel::Queued;
use super::config::AlertmanagerConfig;
use super::error::SendError;
use super::http::post_json;
use super::message::{format_number, now_ms, rfc3339, AlertMessage};
use super::network::Transport;

pub struct AlertmanagerTransport {
  client: reqwest::Client,
  endpoint: reqwest::Url,
  config: AlertmanagerConfig,
}

impl AlertmanagerTransport {
  pub fn new(config: &AlertmanagerConfig, client: reqwest::Client) -> Result<Self, String> {
    Ok(Self {
      client,
      endpoint: alerts_endpoint(&config.url)?,
      config: config.clone(),
    })
  }
}

impl Transport for AlertmanagerTransport {
  async fn send(&self, batch: &[Queued], timeout: Duration) -> Result<(), SendError> {
    let sent_at = now_ms();
    let body: Vec<Value> = batch
      .iter()
      .map(|message| postable_alert(&self.config, message, sent_at))
      .collect();
    post_json(
      &self.client,
      &self.endpoint,
      &[],
      &Value::Array(body),
      timeout,
    )
    .await
  }
}

/// Appends `api/v2/alerts` to the base URL, keeping any path prefix
/// (`http://host/alertmanager` gives `http://host/alertmanager/api/v2/alerts`).
pub fn alerts_endpoint(base: &reqwest::Url) -> Result<reqwest::Url, String> {
  let mut base = base.clone();
  if !base.path().ends_with('/') {
    let path = format!("{}/", base.path());
    base.set_path(&path);
  }
  base
    .join("api/v2/alerts")
    .map_err(|error| format!("invalid Alertmanager URL: {error}"))
}

pub fn alert_name(kind: &str) -> &'static str {
  match kind {
    "threshold" => "PerfSentinelThreshold",
    "regression" => "PerfSentinelRegression",
    "regression_test" => "PerfSentinelRegressionTest",
    _ => "PerfSentinelAlert",
  }
}

/// Builds one postable alert; `sent_at` is epoch milliseconds.
pub fn postable_alert(config: &AlertmanagerConfig, message: &AlertMessage, sent_at: f64) -> Value {
  let mut labels = Map::new();
  labels.insert("alertname".into(), json!(alert_name(&message.kind)));
  labels.insert("metric".into(), json!(message.metric_name));
  labels.insert("severity".into(), json!(message.severity));
  labels.insert("instance".into(), json!(config.instance));
  labels.insert("type".into(), json!(message.kind));
  for (name, value) in &config.labels {
    labels.insert(name.clone(), json!(value));
  }

  let mut annotations = Map::new();
  annotations.insert("summary".into(), json!(message.message));
  annotations.insert("description".into(), json!(description(message)));
  annotations.insert("alertId".into(), json!(message.id));
  for (name, value) in &config.annotations {
    annotations.insert(name.clone(), json!(value));
  }

  let resolve_ms = config.resolve_timeout.as_millis() as f64;
  json!({
    "labels": labels,
    "annotations": annotations,
    "startsAt": rfc3339(message.timestamp_ms),
    "endsAt": rfc3339(sent_at.max(message.timestamp_ms) + resolve_ms),
  })
}

fn description(message: &AlertMessage) -> String {
  let value = |key: &str| {
    message
      .number(key)
      .map_or_else(|| "n/a".to_string(), format_number)
  };
  format!(
    "{} {} alert on {}: current {}, previous {}, threshold {}, change {}%",
    message.severity,
    message.kind,
    message.metric_name,
    value("currentValue"),
    value("previousValue"),
    value("threshold"),
    value("regressionPercentage")
  )
}

/// Returns this machine's host name, or `localhost` when it cannot be read.
pub fn host_name() -> String {
  let mut buffer = [0u8; 256];
  // SAFETY: the pointer and length describe `buffer`, which outlives the call.
  let status = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
  if status != 0 {
    return "localhost".to_string();
  }
  let length = buffer
    .iter()
    .position(|byte| *byte == 0)
    .unwrap_or(buffer.len());
  match std::str::from_utf8(&buffer[..length]) {
    Ok(name) if !name.is_empty() => name.to_string(),
    _ => "localhost".to_string(),
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::delivery::config::RetryPolicy;

  fn config() -> AlertmanagerConfig {
    AlertmanagerConfig {
      url: reqwest::Url::parse("http://127.0.0.1:9093").unwrap(),
      instance: "node-1".into(),
      labels: vec![("team".into(), "games".into())],
      annotations: vec![("runbook".into(), "https://runbooks.example/perf".into())],
      resolve_timeout: Duration::from_secs(300),
      retry: RetryPolicy::default(),
      queue_size: 10,
    }
  }

  #[test]
  fn endpoint_keeps_path_prefix() {
    let plain = reqwest::Url::parse("http://127.0.0.1:9093").unwrap();
    assert_eq!(
      alerts_endpoint(&plain).unwrap().as_str(),
      "http://127.0.0.1:9093/api/v2/alerts"
    );
    let prefixed = reqwest::Url::parse("http://127.0.0.1:9093/am").unwrap();
    assert_eq!(
      alerts_endpoint(&prefixed).unwrap().as_str(),
      "http://127.0.0.1:9093/am/api/v2/alerts"
    );
  }

  #[test]
  fn postable_alert_has_labels_and_times() {
    let alert = serde_json::from_str(
      r#"{"metricName":"response_time","currentValue":150,"previousValue":100,"threshold":100,
        "regressionPercentage":50,"timestamp":1700000000000,"severity":"critical"}"#,
    )
    .unwrap();
    let message = AlertMessage::from_alert("a1".into(), "threshold".into(), alert, "slow".into());
    let body = postable_alert(&config(), &message, 1_700_000_001_000.0);
    assert_eq!(body["labels"]["alertname"], "PerfSentinelThreshold");
    assert_eq!(body["labels"]["metric"], "response_time");
    assert_eq!(body["labels"]["severity"], "critical");
    assert_eq!(body["labels"]["instance"], "node-1");
    assert_eq!(body["labels"]["type"], "threshold");
    assert_eq!(body["labels"]["team"], "games");
    assert_eq!(body["annotations"]["summary"], "slow");
    assert_eq!(body["annotations"]["alertId"], "a1");
    assert_eq!(
      body["annotations"]["runbook"],
      "https://runbooks.example/perf"
    );
    assert_eq!(body["startsAt"], "2023-11-14T22:13:20.000Z");
    assert_eq!(body["endsAt"], "2023-11-14T22:18:21.000Z");
  }

  #[test]
  fn host_name_is_not_empty() {
    assert!(!host_name().is_empty());
  }
}
