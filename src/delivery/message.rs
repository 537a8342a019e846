//! One alert as the channels see it: the `RegressionAlert` object, its type,
//! the message text and the stable id that receivers use to drop duplicates.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct AlertMessage {
  /// Stable id given by the caller, sent with every try.
  pub id: String,
  /// `threshold`, `regression` or `regression_test`.
  pub kind: String,
  /// Human-readable text; built from the alert fields when the caller gave none.
  pub message: String,
  /// The alert object as the caller passed it.
  pub alert: Map<String, Value>,
  pub metric_name: String,
  /// `warning` or `critical`.
  pub severity: String,
  /// Epoch milliseconds; the time of routing when the alert has none.
  pub timestamp_ms: f64,
}

impl AlertMessage {
  /// Parses the alert JSON. Fails when it is not a JSON object.
  pub fn parse(
    id: String,
    kind: String,
    alert_json: &str,
    message: String,
  ) -> Result<Self, String> {
    let alert = match serde_json::from_str::<Value>(alert_json) {
      Ok(Value::Object(map)) => map,
      Ok(_) => return Err("invalid alert: expected a JSON object".to_string()),
      Err(error) => return Err(format!("invalid alert JSON: {error}")),
    };
    Ok(Self::from_alert(id, kind, alert, message))
  }

  pub fn from_alert(id: String, kind: String, alert: Map<String, Value>, message: String) -> Self {
    let metric_name = alert
      .get("metricName")
      .and_then(Value::as_str)
      .unwrap_or("unknown")
      .to_string();
    let severity = alert
      .get("severity")
      .and_then(Value::as_str)
      .unwrap_or("warning")
      .to_string();
    let timestamp_ms = alert
      .get("timestamp")
      .and_then(Value::as_f64)
      .filter(|ms| ms.is_finite() && *ms >= 0.0)
      .unwrap_or_else(now_ms);
    let mut parsed = Self {
      id,
      kind,
      message,
      alert,
      metric_name,
      severity,
      timestamp_ms,
    };
    if parsed.message.is_empty() {
      parsed.message = parsed.default_text();
    }
    parsed
  }

  pub fn number(&self, key: &str) -> Option<f64> {
    self.alert.get(key).and_then(Value::as_f64)
  }

  /// Builds `[WARNING] threshold alert on response_time: 150 (threshold 100, +50.0%)`.
  fn default_text(&self) -> String {
    let value = |key: &str| {
      self
        .number(key)
        .map_or_else(|| "?".to_string(), format_number)
    };
    let percentage = self
      .number("regressionPercentage")
      .map_or_else(String::new, |p| format!(", +{p:.1}%"));
    format!(
      "[{}] {} alert on {}: {} (threshold {}{})",
      self.severity.to_uppercase(),
      self.kind,
      self.metric_name,
      value("currentValue"),
      value("threshold"),
      percentage
    )
  }

  /// Returns the alert plus `type`, `message` and `id`, as one JSON object.
  pub fn to_record(&self) -> Map<String, Value> {
    let mut record = self.alert.clone();
    record.insert("type".into(), Value::from(self.kind.as_str()));
    record.insert("message".into(), Value::from(self.message.as_str()));
    record.insert("id".into(), Value::from(self.id.as_str()));
    record
      .entry("severity")
      .or_insert_with(|| Value::from(self.severity.as_str()));
    record
  }
}

/// Formats a number without a trailing `.0` and with at most three decimals.
pub fn format_number(value: f64) -> String {
  if value.fract() == 0.0 && value.abs() < 1e15 {
    format!("{}", value as i64)
  } else {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
  }
}

/// Formats epoch milliseconds as RFC 3339 UTC with milliseconds,
/// `2023-11-14T22:13:20.000Z`. Values before 1970 format as the epoch.
pub fn rfc3339(epoch_ms: f64) -> String {
  let total_ms = if epoch_ms.is_finite() && epoch_ms > 0.0 {
    epoch_ms as u64
  } else {
    0
  };
  let millis = total_ms % 1000;
  let total_seconds = total_ms / 1000;
  let (hour, minute, second) = (
    total_seconds / 3600 % 24,
    total_seconds / 60 % 60,
    total_seconds % 60,
  );
  let (year, month, day) = civil_from_days((total_seconds / 86_400) as i64);
  format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z")
}

/// Converts days since 1970-01-01 to a proleptic Gregorian date, after
/// Howard Hinnant's `civil_from_days` ("chrono-Compatible Low-Level Date
/// Algorithms").
fn civil_from_days(days: i64) -> (i64, u32, u32) {
  let z = days + 719_468;
  let era = z.div_euclid(146_097);
  let day_of_era = z.rem_euclid(146_097);
  let year_of_era =
    (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
  let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  let month_index = (5 * day_of_year + 2) / 153;
  let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
  let month = if month_index < 10 {
    month_index + 3
  } else {
    month_index - 9
  } as u32;
  let year = year_of_era + era * 400 + i64::from(month <= 2);
  (year, month, day)
}

pub fn now_ms() -> f64 {
  std::time::SystemTime::now()
    .duration_since(std::time::UNIX_EPOCH)
    .map(|elapsed| elapsed.as_secs_f64() * 1000.0)
    .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
  use super::*;

  const ALERT: &str = r#"{"metricName":"response_time","currentValue":150,"previousValue":100,
    "threshold":100,"regressionPercentage":50,"timestamp":1700000000000,"severity":"warning"}"#;

  #[test]
  fn parse_reads_alert_fields() {
    let message = AlertMessage::parse("a1".into(), "threshold".into(), ALERT, "hi".into()).unwrap();
    assert_eq!(message.metric_name, "response_time");
    assert_eq!(message.severity, "warning");
    assert_eq!(message.timestamp_ms, 1_700_000_000_000.0);
    assert_eq!(message.message, "hi");
  }

  #[test]
  fn empty_message_gets_default_text() {
    let message =
      AlertMessage::parse("a1".into(), "threshold".into(), ALERT, String::new()).unwrap();
    assert_eq!(
      message.message,
      "[WARNING] threshold alert on response_time: 150 (threshold 100, +50.0%)"
    );
  }

  #[test]
  fn non_object_alert_is_rejected() {
    assert!(AlertMessage::parse("a".into(), "threshold".into(), "[1]", String::new()).is_err());
    assert!(AlertMessage::parse("a".into(), "threshold".into(), "{", String::new()).is_err());
  }

  #[test]
  fn record_carries_type_message_id() {
    let message = AlertMessage::parse("a1".into(), "regression".into(), ALERT, "m".into()).unwrap();
    let record = message.to_record();
    assert_eq!(record["type"], "regression");
    assert_eq!(record["message"], "m");
    assert_eq!(record["id"], "a1");
    assert_eq!(record["metricName"], "response_time");
  }

  #[test]
  fn rfc3339_matches_known_dates() {
    assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00.000Z");
    assert_eq!(rfc3339(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
    assert_eq!(rfc3339(1_700_000_000_123.0), "2023-11-14T22:13:20.123Z");
    assert_eq!(rfc3339(4_102_444_799_999.0), "2099-12-31T23:59:59.999Z");
    assert_eq!(rfc3339(f64::NAN), "1970-01-01T00:00:00.000Z");
  }

  #[test]
  fn rfc3339_agrees_with_http_dates() {
    for seconds in (0..4_000_000_000u64).step_by(86_399 * 367) {
      let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
      let http = httpdate::fmt_http_date(time);
      let parsed = httpdate::parse_http_date(&http).unwrap();
      assert_eq!(parsed, time);
      let ours = rfc3339(seconds as f64 * 1000.0);
      let day: u32 = http[5..7].parse().unwrap();
      let year: i64 = http[12..16].parse().unwrap();
      assert_eq!(ours[0..4].parse::<i64>().unwrap(), year, "{http} vs {ours}");
      assert_eq!(ours[8..10].parse::<u32>().unwrap(), day, "{http} vs {ours}");
      assert_eq!(&ours[11..19], &http[17..25], "{http} vs {ours}");
    }
  }

  #[test]
  fn numbers_format_compactly() {
    assert_eq!(format_number(150.0), "150");
    assert_eq!(format_number(1.5), "1.5");
    assert_eq!(format_number(0.1234), "0.123");
  }
}
