//! One JSON POST with reqwest, classified for the retry loop.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::error::{is_certificate_error, SendError};
use super::retry::{is_retryable_status, parse_retry_after};

/// Builds the client shared by a channel. Redirects are not followed,
/// because a POST that is redirected is usually a misconfigured URL.
pub fn build_client() -> Result<reqwest::Client, String> {
  reqwest::Client::builder()
    .redirect(reqwest::redirect::Policy::none())
    .user_agent(concat!("perf-sentinel/", env!("CARGO_PKG_VERSION")))
    .build()
    .map_err(|error| format!("HTTP client: {error}"))
}

/// Posts `body` and succeeds on any 2xx response. Network errors, 408, 429
/// and 5xx are retryable, while other statuses and rejected TLS certificates
/// are not.
pub async fn post_json(
  client: &reqwest::Client,
  url: &reqwest::Url,
  headers: &[(String, String)],
  body: &Value,
  timeout: Duration,
) -> Result<(), SendError> {
  let mut request = client.post(url.clone()).timeout(timeout).json(body);
  for (name, value) in headers {
    request = request.header(name.as_str(), value.as_str());
  }

  // The URL stays out of error messages: webhook URLs often embed a secret token.
  let response = request.send().await.map_err(|error| {
    let error = error.without_url();
    let message = describe_error(&error);
    if is_certificate_error(&error) {
      SendError::permanent(message)
    } else {
      SendError::retryable(message)
    }
  })?;
  let status = response.status();
  if status.is_success() {
    return Ok(());
  }

  let retry_after = response
    .headers()
    .get(reqwest::header::RETRY_AFTER)
    .and_then(|value| value.to_str().ok())
    .and_then(|value| parse_retry_after(value, SystemTime::now()));
  Err(SendError {
    message: format!("HTTP {status}"),
    status: Some(status.as_u16()),
    retryable: is_retryable_status(status.as_u16()),
    retry_after,
  })
}

/// Describes a reqwest error with its causes, which name the real fault
/// (connection refused, timed out) where reqwest's own text does not.
fn describe_error(error: &reqwest::Error) -> String {
  if error.is_timeout() {
    return "request timed out".to_string();
  }
  let mut text = error.to_string();
  let mut source = std::error::Error::source(error);
  while let Some(cause) = source {
    text.push_str(": ");
    text.push_str(&cause.to_string());
    source = cause.source();
  }
  text
}
