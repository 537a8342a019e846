//! The email channel: plain-text messages over SMTP (lettre), with implicit
//! TLS, STARTTLS or plaintext as configured.
//!
//! One alert per message while the rate limit allows it, with the subject
//! `<subjectPrefix> <SEVERITY> <type> alert: <metricName>`. Beyond the limit,
//! the queued alerts go out as one digest with the subject
//! `<subjectPrefix> <SEVERITY> <count> performance alerts: <metrics>`. The
//! `Message-ID` is derived from the alert ids, so a receiver that gets the
//! same message twice after a retry can drop the duplicate.

use std::time::{Duration, UNIX_EPOCH};

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::channel::Queued;
use super::config::{EmailConfig, StartTls};
use super::error::{is_certificate_error, SendError};
use super::message::{format_number, now_ms, rfc3339, AlertMessage};
use super::network::Transport;

pub struct EmailTransport {
  mailer: AsyncSmtpTransport<Tokio1Executor>,
  from: Mailbox,
  to: Vec<Mailbox>,
  subject_prefix: String,
}

impl EmailTransport {
  pub fn new(config: &EmailConfig) -> Result<Self, String> {
    let tls_parameters = || {
      TlsParameters::builder(config.host.clone())
        .dangerous_accept_invalid_certs(!config.reject_unauthorized)
        .dangerous_accept_invalid_hostnames(!config.reject_unauthorized)
        .build_rustls()
        .map_err(|error| format!("TLS setup for {}: {error}", config.host))
    };
    let tls = match (config.secure, config.starttls) {
      (true, _) => Tls::Wrapper(tls_parameters()?),
      (false, StartTls::Required) => Tls::Required(tls_parameters()?),
      (false, StartTls::Opportunistic) => Tls::Opportunistic(tls_parameters()?),
      (false, StartTls::Never) => Tls::None,
    };

    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
      .port(config.port)
      .tls(tls)
      .timeout(Some(config.retry.timeout));
    if let Some(auth) = &config.auth {
      builder = builder.credentials(Credentials::new(auth.user.clone(), auth.pass.clone()));
    }

    let parse = |address: &str| {
      address
        .parse::<Mailbox>()
        .map_err(|error| format!("address {address}: {error}"))
    };
    Ok(Self {
      mailer: builder.build(),
      from: parse(&config.from)?,
      to: config
        .to
        .iter()
        .map(|address| parse(address))
        .collect::<Result<_, _>>()?,
      subject_prefix: config.subject_prefix.clone(),
    })
  }

  fn build_message(&self, batch: &[Queued]) -> Result<Message, SendError> {
    let (subject, id, date_ms, text) = match batch {
      [alert] => (
        subject(&self.subject_prefix, alert),
        alert.id.clone(),
        alert.timestamp_ms,
        body(alert),
      ),
      _ => (
        digest_subject(&self.subject_prefix, batch),
        digest_id(batch),
        now_ms(),
        digest_body(batch),
      ),
    };
    let mut builder = Message::builder()
      .from(self.from.clone())
      .subject(subject)
      .message_id(Some(message_id(&id)))
      .date(UNIX_EPOCH + Duration::from_millis(date_ms as u64))
      .header(ContentType::TEXT_PLAIN);
    for recipient in &self.to {
      builder = builder.to(recipient.clone());
    }
    builder
      .body(text)
      .map_err(|error| SendError::permanent(format!("invalid email: {error}")))
  }
}

impl Transport for EmailTransport {
  async fn send(&self, batch: &[Queued], _timeout: Duration) -> Result<(), SendError> {
    let email = self.build_message(batch)?;
    self
      .mailer
      .send(email)
      .await
      .map(|_| ())
      .map_err(|error| classify(&error))
  }
}

/// Metric names listed in a digest subject before it ends with "...".
const DIGEST_SUBJECT_METRICS: usize = 3;

pub fn digest_subject(prefix: &str, batch: &[Queued]) -> String {
  let severity = if batch.iter().any(|alert| alert.severity == "critical") {
    "CRITICAL"
  } else {
    "WARNING"
  };
  let mut metrics: Vec<&str> = Vec::new();
  for alert in batch {
    if !metrics.contains(&alert.metric_name.as_str()) {
      metrics.push(&alert.metric_name);
    }
  }
  let mut listed = metrics
    .iter()
    .take(DIGEST_SUBJECT_METRICS)
    .copied()
    .collect::<Vec<_>>()
    .join(", ");
  if metrics.len() > DIGEST_SUBJECT_METRICS {
    listed.push_str(", ...");
  }
  let text = format!("{severity} {} performance alerts: {listed}", batch.len());
  if prefix.is_empty() {
    text
  } else {
    format!("{prefix} {text}")
  }
}

/// Lists every alert of a digest, each with the fields of a single-alert body.
pub fn digest_body(batch: &[Queued]) -> String {
  let mut text = format!("{} performance alerts:\n", batch.len());
  for (index, alert) in batch.iter().enumerate() {
    text.push_str(&format!("\n--- {} of {} ---\n", index + 1, batch.len()));
    text.push_str(&body(alert));
  }
  text
}

fn digest_id(batch: &[Queued]) -> String {
  match batch.first() {
    Some(first) => format!("merged-{}-{}", first.id, batch.len()),
    None => "merged-empty".to_string(),
  }
}

pub fn subject(prefix: &str, alert: &AlertMessage) -> String {
  let text = format!(
    "{} {} alert: {}",
    alert.severity.to_uppercase(),
    alert.kind,
    alert.metric_name
  );
  if prefix.is_empty() {
    text
  } else {
    format!("{prefix} {text}")
  }
}

pub fn body(alert: &AlertMessage) -> String {
  let value = |key: &str| {
    alert
      .number(key)
      .map_or_else(|| "n/a".to_string(), format_number)
  };
  let percentage = alert
    .number("regressionPercentage")
    .map_or_else(|| "n/a".to_string(), |p| format!("{p:.2}%"));
  format!(
    "{message}\n\n\
     Metric:          {metric}\n\
     Type:            {kind}\n\
     Severity:        {severity}\n\
     Current value:   {current}\n\
     Previous value:  {previous}\n\
     Threshold:       {threshold}\n\
     Change:          {percentage}\n\
     Time:            {time}\n\
     Alert id:        {id}\n",
    message = alert.message,
    metric = alert.metric_name,
    kind = alert.kind,
    severity = alert.severity,
    current = value("currentValue"),
    previous = value("previousValue"),
    threshold = value("threshold"),
    time = rfc3339(alert.timestamp_ms),
    id = alert.id,
  )
}

/// Builds `<id@perf-sentinel>`, with characters outside `[A-Za-z0-9._-]` replaced.
fn message_id(id: &str) -> String {
  let local: String = id
    .chars()
    .map(|c| {
      if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
        c
      } else {
        '-'
      }
    })
    .collect();
  format!("<{local}@perf-sentinel>")
}

/// Classifies an SMTP error. 5xx replies, TLS setup errors, rejected
/// certificates and client-side errors are permanent. 4xx replies, timeouts
/// and other connection errors are retried.
fn classify(error: &lettre::transport::smtp::Error) -> SendError {
  let status = error.status().map(u16::from);
  let permanent =
    error.is_permanent() || error.is_tls() || error.is_client() || is_certificate_error(error);
  let retryable = !permanent;
  SendError {
    message: format!("SMTP: {error}"),
    status,
    retryable,
    retry_after: None,
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn alert() -> AlertMessage {
    let alert = serde_json::from_str(
      r#"{"metricName":"response_time","currentValue":150,"previousValue":100,"threshold":100,
        "regressionPercentage":50,"timestamp":1700000000000,"severity":"critical"}"#,
    )
    .unwrap();
    AlertMessage::from_alert(
      "id/1 x".into(),
      "threshold".into(),
      alert,
      "Response time too high".into(),
    )
  }

  #[test]
  fn subject_names_severity_type_and_metric() {
    assert_eq!(
      subject("[perf-sentinel]", &alert()),
      "[perf-sentinel] CRITICAL threshold alert: response_time"
    );
    assert_eq!(
      subject("", &alert()),
      "CRITICAL threshold alert: response_time"
    );
  }

  #[test]
  fn body_lists_alert_fields() {
    let text = body(&alert());
    assert!(text.starts_with("Response time too high\n"), "{text}");
    assert!(text.contains("Current value:   150\n"), "{text}");
    assert!(text.contains("Change:          50.00%\n"), "{text}");
    assert!(
      text.contains("Time:            2023-11-14T22:13:20.000Z\n"),
      "{text}"
    );
    assert!(text.contains("Alert id:        id/1 x\n"), "{text}");
  }

  #[test]
  fn digest_lists_every_alert() {
    let batch: Vec<Queued> = (0..5)
      .map(|i| {
        let mut alert = alert();
        alert.id = format!("a{i}");
        alert.metric_name = format!("metric_{i}");
        std::sync::Arc::new(alert)
      })
      .collect();
    assert_eq!(
      digest_subject("[p]", &batch),
      "[p] CRITICAL 5 performance alerts: metric_0, metric_1, metric_2, ..."
    );
    let text = digest_body(&batch);
    assert!(text.starts_with("5 performance alerts:\n"), "{text}");
    for i in 0..5 {
      assert!(text.contains(&format!("Alert id:        a{i}\n")), "{text}");
    }
    assert_eq!(
      message_id(&digest_id(&batch)),
      "<merged-a0-5@perf-sentinel>"
    );
  }

  #[test]
  fn message_id_is_sanitised() {
    assert_eq!(message_id("id/1 x"), "<id-1-x@perf-sentinel>");
  }
}
