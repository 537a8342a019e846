//! Channel configuration: parsing of the camelCase `alerting` JSON (without
//! its `console` section), validation, and every default in one place.
//!
//! A channel runs only when its section has `enabled: true`, as in the
//! TypeScript service this package replaces. Unknown keys are ignored. A key
//! of the wrong type, or a number out of range, is an error that names the
//! key and the rejected value. The sections of disabled channels are only
//! checked to be objects.

use std::time::Duration;

use serde_json::{Map, Value};

use super::error::ConfigError;

/// Every default of the delivery configuration, with its unit.
pub mod defaults {
  /// File channel: path of the live alert log.
  pub const FILE_LOG_PATH: &str = "./logs/performance-alerts.log";
  /// File channel: size in bytes at which the live file is rotated (10 MiB).
  pub const FILE_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;
  /// File channel: rotated files kept besides the live one.
  pub const FILE_MAX_FILES: u32 = 5;
  /// File channel: alerts waiting for the writer before new ones are dropped.
  pub const FILE_QUEUE_SIZE: usize = 10_000;

  /// Network channels: time limit of one try, in milliseconds.
  pub const TIMEOUT_MS: u64 = 5_000;
  /// Network channels: tries after the first one.
  pub const RETRIES: u32 = 3;
  /// Network channels: base of the exponential backoff, in milliseconds.
  pub const BACKOFF_MS: u64 = 500;
  /// Network channels: upper bound of one backoff delay, in milliseconds.
  pub const MAX_BACKOFF_MS: u64 = 30_000;
  /// Network channels: time limit of all tries of one message, in milliseconds.
  pub const DEADLINE_MS: u64 = 60_000;
  /// Network channels: upper bound applied to a server's `Retry-After`, in milliseconds.
  pub const RETRY_AFTER_CAP_MS: u64 = 60_000;
  /// Network channels: alerts waiting in a channel's queue before new ones are dropped.
  pub const QUEUE_SIZE: usize = 1_000;

  /// Webhook and email: token-bucket refill rate, in messages per second.
  pub const RATE_PER_SECOND: f64 = 1.0;
  /// Webhook and email: token-bucket capacity, in messages sent back to back.
  pub const RATE_BURST: u32 = 5;
  /// Webhook and email: alerts merged into one message at most.
  pub const MAX_ALERTS_PER_MESSAGE: usize = 100;

  /// Email: subject prefix.
  pub const EMAIL_SUBJECT_PREFIX: &str = "[perf-sentinel]";
  /// Email: port with implicit TLS (`secure: true`), RFC 8314.
  pub const EMAIL_PORT_SECURE: u16 = 465;
  /// Email: message submission port otherwise, RFC 6409.
  pub const EMAIL_PORT_SUBMISSION: u16 = 587;

  /// Alertmanager: how long after the last send an alert resolves, in milliseconds (5 min).
  pub const ALERTMANAGER_RESOLVE_TIMEOUT_MS: u64 = 5 * 60 * 1_000;
  /// Alertmanager: alerts posted in one request at most.
  pub const ALERTMANAGER_MAX_ALERTS_PER_REQUEST: usize = 100;
}

/// Largest accepted duration option, in milliseconds (24 hours).
const MAX_DURATION_MS: u64 = 24 * 60 * 60 * 1_000;
/// Largest accepted queue size.
const MAX_QUEUE_SIZE: usize = 1_000_000;
/// Largest accepted retry count.
const MAX_RETRIES: u32 = 1_000;

/// The whole delivery configuration; `None` means the channel is disabled.
#[derive(Debug, Clone, Default)]
pub struct DeliveryConfig {
  pub file: Option<FileConfig>,
  pub webhook: Option<WebhookConfig>,
  pub email: Option<EmailConfig>,
  pub alertmanager: Option<AlertmanagerConfig>,
}

impl DeliveryConfig {
  /// True when a channel that needs the network (and so a Tokio runtime) is enabled.
  pub fn needs_network(&self) -> bool {
    self.webhook.is_some() || self.email.is_some() || self.alertmanager.is_some()
  }

  /// Parses the JSON text of the `alerting` section.
  pub fn from_json(text: &str) -> Result<Self, ConfigError> {
    let value: Value = serde_json::from_str(text).map_err(|error| ConfigError::WrongType {
      key: "alerting".into(),
      expected: "a JSON object",
      received: format!("text that is not JSON ({error})"),
    })?;
    Self::from_value(&value)
  }

  /// Parses the `alerting` section. `null` means no channel.
  pub fn from_value(value: &Value) -> Result<Self, ConfigError> {
    let root = match value {
      Value::Null => return Ok(Self::default()),
      Value::Object(map) => map,
      other => return Err(ConfigError::wrong_type("alerting", "an object", other)),
    };

    Ok(Self {
      file: enabled_section(root, "file")?
        .map(|s| FileConfig::parse(&s))
        .transpose()?,
      webhook: enabled_section(root, "webhook")?
        .map(|s| WebhookConfig::parse(&s))
        .transpose()?,
      email: enabled_section(root, "email")?
        .map(|s| EmailConfig::parse(&s))
        .transpose()?,
      alertmanager: enabled_section(root, "alertmanager")?
        .map(|s| AlertmanagerConfig::parse(&s))
        .transpose()?,
    })
  }
}

/// The file channel: one JSON object per line, rotated by size.
#[derive(Debug, Clone, PartialEq)]
pub struct FileConfig {
  pub log_path: String,
  /// Bytes. A file never grows past this unless a single line is longer,
  /// in which case that line is written alone into a file of its own.
  pub max_file_size: u64,
  /// Rotated files kept besides the live one (`<logPath>.1` is the newest).
  pub max_files: u32,
  pub queue_size: usize,
}

impl FileConfig {
  fn parse(section: &Section<'_>) -> Result<Self, ConfigError> {
    let log_path = section.string("logPath", Some(defaults::FILE_LOG_PATH))?;
    if log_path.is_empty() {
      return Err(section.out_of_range("logPath", "must be a non-empty path", &Value::from("")));
    }
    Ok(Self {
      log_path,
      max_file_size: section.integer(
        "maxFileSize",
        defaults::FILE_MAX_FILE_SIZE,
        1,
        u64::MAX >> 11,
      )?,
      max_files: section.integer("maxFiles", u64::from(defaults::FILE_MAX_FILES), 0, 100_000)?
        as u32,
      queue_size: section.integer(
        "queueSize",
        defaults::FILE_QUEUE_SIZE as u64,
        1,
        MAX_QUEUE_SIZE as u64,
      )? as usize,
    })
  }
}

/// Retry, timeout and queue options shared by the network channels.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
  /// Time limit of one try.
  pub timeout: Duration,
  /// Tries after the first one.
  pub retries: u32,
  /// Base of the exponential backoff with full jitter.
  pub backoff: Duration,
  pub max_backoff: Duration,
  /// Time limit of all tries of one message, backoff delays included.
  pub deadline: Duration,
  /// Upper bound applied to a `Retry-After` header.
  pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
  fn default() -> Self {
    Self {
      timeout: Duration::from_millis(defaults::TIMEOUT_MS),
      retries: defaults::RETRIES,
      backoff: Duration::from_millis(defaults::BACKOFF_MS),
      max_backoff: Duration::from_millis(defaults::MAX_BACKOFF_MS),
      deadline: Duration::from_millis(defaults::DEADLINE_MS),
      retry_after_cap: Duration::from_millis(defaults::RETRY_AFTER_CAP_MS),
    }
  }
}

impl RetryPolicy {
  fn parse(section: &Section<'_>) -> Result<Self, ConfigError> {
    let duration = |key: &str, default: u64, min: u64| -> Result<Duration, ConfigError> {
      section
        .integer(key, default, min, MAX_DURATION_MS)
        .map(Duration::from_millis)
    };
    Ok(Self {
      timeout: duration("timeoutMs", defaults::TIMEOUT_MS, 1)?,
      retries: section.integer(
        "retries",
        u64::from(defaults::RETRIES),
        0,
        u64::from(MAX_RETRIES),
      )? as u32,
      backoff: duration("backoffMs", defaults::BACKOFF_MS, 0)?,
      max_backoff: duration("maxBackoffMs", defaults::MAX_BACKOFF_MS, 0)?,
      deadline: duration("deadlineMs", defaults::DEADLINE_MS, 1)?,
      retry_after_cap: duration("retryAfterCapMs", defaults::RETRY_AFTER_CAP_MS, 0)?,
    })
  }
}

/// A token bucket: `burst` messages back to back, then `per_second`.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitConfig {
  pub per_second: f64,
  pub burst: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
  /// `{ id, type, severity, message, text, alert, timestamp }`.
  Generic,
  /// Slack incoming-webhook layout: `{ text, blocks, id }`.
  Slack,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
  pub url: reqwest::Url,
  pub headers: Vec<(String, String)>,
  pub format: WebhookFormat,
  pub retry: RetryPolicy,
  pub queue_size: usize,
  /// `None` when `rateLimit.enabled` is false.
  pub rate_limit: Option<RateLimitConfig>,
  pub max_alerts_per_message: usize,
}

impl WebhookConfig {
  fn parse(section: &Section<'_>) -> Result<Self, ConfigError> {
    let url = section.http_url("url")?;
    let headers = section.string_map("headers")?;
    for (name, value) in &headers {
      let valid_name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_ok();
      let valid_value = reqwest::header::HeaderValue::from_str(value).is_ok();
      if !valid_name || !valid_value {
        let key = format!("headers.{name}");
        return Err(section.out_of_range(
          &key,
          "must be a valid HTTP header",
          &Value::from(value.as_str()),
        ));
      }
    }

    let format = match section.string("format", Some("generic"))?.as_str() {
      "generic" => WebhookFormat::Generic,
      "slack" => WebhookFormat::Slack,
      other => {
        return Err(section.out_of_range(
          "format",
          "must be 'generic' or 'slack'",
          &Value::from(other),
        ));
      }
    };

    Ok(Self {
      url,
      headers,
      format,
      retry: RetryPolicy::parse(section)?,
      queue_size: section.queue_size()?,
      rate_limit: parse_rate_limit(section)?,
      max_alerts_per_message: parse_max_alerts(section)?,
    })
  }
}

fn parse_max_alerts(section: &Section<'_>) -> Result<usize, ConfigError> {
  let default = defaults::MAX_ALERTS_PER_MESSAGE as u64;
  Ok(section.integer("maxAlertsPerMessage", default, 1, 10_000)? as usize)
}

fn parse_rate_limit(parent: &Section<'_>) -> Result<Option<RateLimitConfig>, ConfigError> {
  let Some(section) = parent.child("rateLimit")? else {
    return Ok(Some(RateLimitConfig {
      per_second: defaults::RATE_PER_SECOND,
      burst: defaults::RATE_BURST,
    }));
  };
  if !section.boolean("enabled", true)? {
    return Ok(None);
  }
  let per_second = section.number("perSecond", defaults::RATE_PER_SECOND)?;
  if per_second <= 0.0 {
    let reason = "must be greater than 0 (set rateLimit.enabled to false to turn the limit off)";
    return Err(section.out_of_range("perSecond", reason, &Value::from(per_second)));
  }
  Ok(Some(RateLimitConfig {
    per_second,
    burst: section.integer("burst", u64::from(defaults::RATE_BURST), 1, 100_000)? as u32,
  }))
}

/// The STARTTLS mode of a plaintext SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTls {
  /// Fail when the server does not offer STARTTLS.
  Required,
  /// Upgrade when offered, otherwise continue in plaintext.
  Opportunistic,
  /// Stay in plaintext (trusted local relays only).
  Never,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SmtpAuth {
  pub user: String,
  pub pass: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmailConfig {
  pub host: String,
  pub port: u16,
  /// Implicit TLS from the first byte.
  pub secure: bool,
  /// Ignored when `secure` is true.
  pub starttls: StartTls,
  /// Whether the server certificate must chain to a trusted root.
  pub reject_unauthorized: bool,
  pub auth: Option<SmtpAuth>,
  pub from: String,
  pub to: Vec<String>,
  pub subject_prefix: String,
  pub retry: RetryPolicy,
  pub queue_size: usize,
  /// `None` when `rateLimit.enabled` is false.
  pub rate_limit: Option<RateLimitConfig>,
  pub max_alerts_per_message: usize,
}

impl EmailConfig {
  fn parse(section: &Section<'_>) -> Result<Self, ConfigError> {
    let host = section.string("host", None)?;
    let secure = section.boolean("secure", false)?;
    let default_port = if secure {
      defaults::EMAIL_PORT_SECURE
    } else {
      defaults::EMAIL_PORT_SUBMISSION
    };
    let starttls = match section.string("starttls", Some("required"))?.as_str() {
      "required" => StartTls::Required,
      "opportunistic" => StartTls::Opportunistic,
      "never" => StartTls::Never,
      other => {
        let reason = "must be 'required', 'opportunistic' or 'never'";
        return Err(section.out_of_range("starttls", reason, &Value::from(other)));
      }
    };
    let auth = match section.child("auth")? {
      None => None,
      Some(auth) => Some(SmtpAuth {
        user: auth.string("user", None)?,
        pass: auth.string("pass", None)?,
      }),
    };
    let from = section.string("from", None)?;
    check_mailbox(section, "from", &from)?;
    let to = section.string_list("to")?;
    if to.is_empty() {
      return Err(ConfigError::Missing {
        key: section.key("to"),
        reason: "at least one recipient address is required".into(),
      });
    }
    for address in &to {
      check_mailbox(section, "to", address)?;
    }

    Ok(Self {
      host,
      port: section.integer("port", u64::from(default_port), 1, 65_535)? as u16,
      secure,
      starttls,
      reject_unauthorized: section.boolean("rejectUnauthorized", true)?,
      auth,
      from,
      to,
      subject_prefix: section.string("subjectPrefix", Some(defaults::EMAIL_SUBJECT_PREFIX))?,
      retry: RetryPolicy::parse(section)?,
      queue_size: section.queue_size()?,
      rate_limit: parse_rate_limit(section)?,
      max_alerts_per_message: parse_max_alerts(section)?,
    })
  }
}

fn check_mailbox(section: &Section<'_>, key: &str, address: &str) -> Result<(), ConfigError> {
  match address.parse::<lettre::message::Mailbox>() {
    Ok(_) => Ok(()),
    Err(_) => Err(section.out_of_range(key, "must be an email address", &Value::from(address))),
  }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertmanagerConfig {
  /// Base URL; alerts go to `{url}/api/v2/alerts`.
  pub url: reqwest::Url,
  pub instance: String,
  pub labels: Vec<(String, String)>,
  pub annotations: Vec<(String, String)>,
  /// `endsAt` is the send time plus this.
  pub resolve_timeout: Duration,
  pub retry: RetryPolicy,
  pub queue_size: usize,
}

impl AlertmanagerConfig {
  fn parse(section: &Section<'_>) -> Result<Self, ConfigError> {
    let instance = match section.optional_string("instance")? {
      Some(instance) => instance,
      None => super::alertmanager::host_name(),
    };
    Ok(Self {
      url: section.http_url("url")?,
      instance,
      labels: section.string_map("labels")?,
      annotations: section.string_map("annotations")?,
      resolve_timeout: Duration::from_millis(section.integer(
        "resolveTimeoutMs",
        defaults::ALERTMANAGER_RESOLVE_TIMEOUT_MS,
        1,
        MAX_DURATION_MS,
      )?),
      retry: RetryPolicy::parse(section)?,
      queue_size: section.queue_size()?,
    })
  }
}

/// Returns the section under `key` when it exists and has `enabled: true`.
fn enabled_section<'a>(
  root: &'a Map<String, Value>,
  key: &'static str,
) -> Result<Option<Section<'a>>, ConfigError> {
  let section = match root.get(key) {
    None | Some(Value::Null) => return Ok(None),
    Some(Value::Object(map)) => Section {
      path: key.to_string(),
      map,
    },
    Some(other) => return Err(ConfigError::wrong_type(key, "an object", other)),
  };
  if section.boolean("enabled", false)? {
    Ok(Some(section))
  } else {
    Ok(None)
  }
}

/// One JSON object of the configuration, with its dotted path for messages.
struct Section<'a> {
  path: String,
  map: &'a Map<String, Value>,
}

impl<'a> Section<'a> {
  fn key(&self, key: &str) -> String {
    format!("{}.{}", self.path, key)
  }

  /// Returns the value under `key`, treating `null` as absent.
  fn get(&self, key: &str) -> Option<&'a Value> {
    self.map.get(key).filter(|value| !value.is_null())
  }

  fn out_of_range(&self, key: &str, reason: &str, received: &Value) -> ConfigError {
    ConfigError::out_of_range(&self.key(key), reason, received)
  }

  fn child(&self, key: &str) -> Result<Option<Section<'a>>, ConfigError> {
    match self.get(key) {
      None => Ok(None),
      Some(Value::Object(map)) => Ok(Some(Section {
        path: self.key(key),
        map,
      })),
      Some(other) => Err(ConfigError::wrong_type(&self.key(key), "an object", other)),
    }
  }

  fn boolean(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
    match self.get(key) {
      None => Ok(default),
      Some(Value::Bool(flag)) => Ok(*flag),
      Some(other) => Err(ConfigError::wrong_type(&self.key(key), "a boolean", other)),
    }
  }

  fn number(&self, key: &str, default: f64) -> Result<f64, ConfigError> {
    match self.get(key) {
      None => Ok(default),
      Some(Value::Number(number)) => number.as_f64().filter(|n| n.is_finite()).ok_or_else(|| {
        self.out_of_range(
          key,
          "must be a finite number",
          &Value::Number(number.clone()),
        )
      }),
      Some(other) => Err(ConfigError::wrong_type(&self.key(key), "a number", other)),
    }
  }

  /// Reads a whole number in `min..=max`; a fractional value is truncated.
  fn integer(&self, key: &str, default: u64, min: u64, max: u64) -> Result<u64, ConfigError> {
    if self.get(key).is_none() {
      return Ok(default);
    }
    let number = self.number(key, 0.0)?;
    if number < min as f64 || number > max as f64 {
      let reason = format!("must be between {min} and {max}");
      let received = self.get(key).cloned().unwrap_or(Value::Null);
      return Err(self.out_of_range(key, &reason, &received));
    }
    Ok(number as u64)
  }

  fn queue_size(&self) -> Result<usize, ConfigError> {
    Ok(self.integer(
      "queueSize",
      defaults::QUEUE_SIZE as u64,
      1,
      MAX_QUEUE_SIZE as u64,
    )? as usize)
  }

  fn optional_string(&self, key: &str) -> Result<Option<String>, ConfigError> {
    match self.get(key) {
      None => Ok(None),
      Some(Value::String(text)) => Ok(Some(text.clone())),
      Some(other) => Err(ConfigError::wrong_type(&self.key(key), "a string", other)),
    }
  }

  /// Reads a string; a missing key takes `default`, or is an error when `default` is `None`.
  fn string(&self, key: &str, default: Option<&str>) -> Result<String, ConfigError> {
    match (self.optional_string(key)?, default) {
      (Some(text), _) => Ok(text),
      (None, Some(default)) => Ok(default.to_string()),
      (None, None) => Err(ConfigError::Missing {
        key: self.key(key),
        reason: format!(
          "required when {}.enabled is true",
          self.path.split('.').next().unwrap_or("")
        ),
      }),
    }
  }

  /// Reads a string or an array of strings.
  fn string_list(&self, key: &str) -> Result<Vec<String>, ConfigError> {
    match self.get(key) {
      None => Ok(Vec::new()),
      Some(Value::String(text)) => Ok(vec![text.clone()]),
      Some(Value::Array(items)) => items
        .iter()
        .enumerate()
        .map(|(index, item)| match item {
          Value::String(text) => Ok(text.clone()),
          other => Err(ConfigError::wrong_type(
            &format!("{}[{index}]", self.key(key)),
            "a string",
            other,
          )),
        })
        .collect(),
      Some(other) => Err(ConfigError::wrong_type(
        &self.key(key),
        "a string or an array of strings",
        other,
      )),
    }
  }

  /// Reads an object whose values are strings (numbers and booleans are converted).
  fn string_map(&self, key: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let Some(section) = self.child(key)? else {
      return Ok(Vec::new());
    };
    section
      .map
      .iter()
      .map(|(name, value)| match value {
        Value::String(text) => Ok((name.clone(), text.clone())),
        Value::Number(number) => Ok((name.clone(), number.to_string())),
        Value::Bool(flag) => Ok((name.clone(), flag.to_string())),
        other => Err(ConfigError::wrong_type(
          &section.key(name),
          "a string",
          other,
        )),
      })
      .collect()
  }

  fn http_url(&self, key: &str) -> Result<reqwest::Url, ConfigError> {
    let text = self.string(key, None)?;
    let reason = "must be an absolute http:// or https:// URL";
    match reqwest::Url::parse(&text) {
      Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(url),
      _ => Err(self.out_of_range(key, reason, &Value::from(text))),
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn parse(value: Value) -> Result<DeliveryConfig, ConfigError> {
    DeliveryConfig::from_value(&value)
  }

  #[test]
  fn empty_config_enables_nothing() {
    let config = parse(json!({})).unwrap();
    assert!(config.file.is_none());
    assert!(!config.needs_network());
  }

  #[test]
  fn file_defaults_apply() {
    let config = parse(json!({ "file": { "enabled": true } })).unwrap();
    let file = config.file.unwrap();
    assert_eq!(file.log_path, defaults::FILE_LOG_PATH);
    assert_eq!(file.max_file_size, 10 * 1024 * 1024);
    assert_eq!(file.max_files, 5);
  }

  #[test]
  fn section_without_enabled_is_off() {
    let config = parse(json!({ "webhook": { "url": "http://127.0.0.1:1/" } })).unwrap();
    assert!(config.webhook.is_none());
  }

  #[test]
  fn disabled_section_is_not_validated() {
    let config = parse(json!({ "webhook": { "enabled": false, "timeoutMs": "soon" } })).unwrap();
    assert!(config.webhook.is_none());
  }

  #[test]
  fn webhook_defaults_apply() {
    let config =
      parse(json!({ "webhook": { "enabled": true, "url": "http://127.0.0.1:9/hook" } })).unwrap();
    let webhook = config.webhook.unwrap();
    assert_eq!(webhook.retry, RetryPolicy::default());
    assert_eq!(webhook.queue_size, 1000);
    assert_eq!(webhook.format, WebhookFormat::Generic);
    assert_eq!(
      webhook.rate_limit,
      Some(RateLimitConfig {
        per_second: 1.0,
        burst: 5
      })
    );
  }

  #[test]
  fn wrong_type_names_key_and_value() {
    let error =
      parse(json!({ "webhook": { "enabled": true, "url": "http://h/", "timeoutMs": "soon" } }))
        .unwrap_err();
    assert!(!error.is_range_error());
    assert_eq!(
      error.to_string(),
      "invalid option alerting.webhook.timeoutMs: expected a number, received \"soon\""
    );
  }

  #[test]
  fn out_of_range_names_key_and_value() {
    let error = parse(json!({ "file": { "enabled": true, "maxFileSize": 0 } })).unwrap_err();
    assert!(error.is_range_error());
    assert_eq!(
      error.to_string(),
      "invalid option alerting.file.maxFileSize: must be between 1 and 9007199254740991, received 0"
    );
  }

  #[test]
  fn missing_url_is_reported() {
    let error = parse(json!({ "webhook": { "enabled": true } })).unwrap_err();
    assert_eq!(
      error.to_string(),
      "missing option alerting.webhook.url: required when webhook.enabled is true"
    );
  }

  #[test]
  fn non_http_url_is_rejected() {
    let error =
      parse(json!({ "webhook": { "enabled": true, "url": "ftp://example/" } })).unwrap_err();
    assert!(
      error.to_string().contains("alerting.webhook.url"),
      "{error}"
    );
    assert!(error.to_string().contains("ftp://example/"), "{error}");
  }

  #[test]
  fn rate_limit_can_be_disabled() {
    let value = json!({ "webhook": { "enabled": true, "url": "http://h/", "rateLimit": { "enabled": false } } });
    assert_eq!(parse(value).unwrap().webhook.unwrap().rate_limit, None);
  }

  #[test]
  fn email_requires_recipients() {
    let value = json!({ "email": { "enabled": true, "host": "127.0.0.1", "from": "a@b.example" } });
    let error = parse(value).unwrap_err();
    assert!(error.to_string().contains("alerting.email.to"), "{error}");
  }

  #[test]
  fn email_port_follows_secure() {
    let base = json!({ "enabled": true, "host": "h", "from": "a@b.example", "to": "c@d.example" });
    let mut secure = base.clone();
    secure["secure"] = json!(true);
    assert_eq!(
      parse(json!({ "email": base })).unwrap().email.unwrap().port,
      587
    );
    assert_eq!(
      parse(json!({ "email": secure }))
        .unwrap()
        .email
        .unwrap()
        .port,
      465
    );
  }

  #[test]
  fn email_rate_limit_defaults_apply() {
    let value = json!({ "email": { "enabled": true, "host": "h", "from": "a@b.example", "to": "c@d.example" } });
    let email = parse(value).unwrap().email.unwrap();
    assert_eq!(
      email.rate_limit,
      Some(RateLimitConfig {
        per_second: 1.0,
        burst: 5
      })
    );
    assert_eq!(email.max_alerts_per_message, 100);
  }

  #[test]
  fn bad_recipient_is_named() {
    let value = json!({ "email": { "enabled": true, "host": "h", "from": "a@b.example", "to": ["ok@x.example", 7] } });
    let error = parse(value).unwrap_err();
    assert_eq!(
      error.to_string(),
      "invalid option alerting.email.to[1]: expected a string, received 7"
    );
  }

  #[test]
  fn alertmanager_instance_defaults_to_host_name() {
    let value = json!({ "alertmanager": { "enabled": true, "url": "http://127.0.0.1:9093" } });
    let config = parse(value).unwrap().alertmanager.unwrap();
    assert!(!config.instance.is_empty());
    assert_eq!(config.resolve_timeout, Duration::from_secs(300));
  }

  #[test]
  fn unknown_keys_are_ignored() {
    let value =
      json!({ "console": { "enabled": true }, "file": { "enabled": true, "colour": "blue" } });
    assert!(parse(value).unwrap().file.is_some());
  }
}
