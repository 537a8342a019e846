//! The Prometheus text exposition (format 0.0.4) of a monitor.
//!
//! Each metric becomes a summary: quantiles 0.5, 0.9 and 0.99 over the kept
//! window, and `_sum` and `_count` over every sample since the metric was
//! first recorded. Values are converted to base units (seconds, bytes) as the
//! Prometheus naming conventions ask. The alert history becomes a gauge.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;
use std::sync::Arc;

use crate::alert::Alert;
use crate::error::MonitorError;
use crate::monitor::Monitor;
use crate::window::quantile_of_sorted;

/// The media type of the text format, for the `Content-Type` header.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The prefix of every exported family name unless the caller sets another.
pub const DEFAULT_PREFIX: &str = "perf_sentinel_";

/// The quantiles of each summary, as (label value, q).
const QUANTILES: [(&str, f64); 3] = [("0.5", 0.5), ("0.9", 0.9), ("0.99", 0.99)];

const BYTES_PER_KIB: f64 = 1024.0;

/// Options of one exposition.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpositionOptions {
  /// Prepended to every family name. Empty, or a valid metric name.
  pub prefix: String,
  /// Add the `recent_alerts` gauge.
  pub include_alerts: bool,
}

impl Default for ExpositionOptions {
  fn default() -> Self {
    Self {
      prefix: String::from(DEFAULT_PREFIX),
      include_alerts: true,
    }
  }
}

impl ExpositionOptions {
  /// Rejects a prefix that would make family names invalid.
  pub fn validate(&self) -> Result<(), MonitorError> {
    if self.prefix.is_empty() || is_valid_metric_name(&self.prefix) {
      return Ok(());
    }
    Err(MonitorError::InvalidOption {
      name: "prefix",
      reason: format!(
        "must be empty or match [a-zA-Z_:][a-zA-Z0-9_:]*, received {:?}",
        self.prefix
      ),
    })
  }
}

/// The mapping of a recorded unit to a Prometheus base unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitConversion {
  /// Appended to the family name, such as `_seconds`; empty when unitless.
  pub suffix: &'static str,
  pub multiplier: f64,
  /// Kept apart from `multiplier` because dividing by 1000 rounds exactly
  /// where multiplying by 0.001 does not (300 ms gives 0.3 s, not 0.30000000000000004).
  pub divisor: f64,
}

impl UnitConversion {
  /// Converts a recorded value into the base unit.
  pub fn apply(&self, value: f64) -> f64 {
    value * self.multiplier / self.divisor
  }
}

/// Maps a recorded unit to its base unit. Time units become seconds, and
/// byte units become bytes, with KB, MB and GB as powers of 1024. Any other
/// unit, '%' included, is exported unchanged without a suffix.
pub fn unit_conversion(unit: &str) -> UnitConversion {
  let (suffix, multiplier, divisor) = match unit.trim() {
    "ns" => ("_seconds", 1.0, 1e9),
    "us" | "µs" => ("_seconds", 1.0, 1e6),
    "ms" => ("_seconds", 1.0, 1e3),
    "s" | "sec" | "seconds" => ("_seconds", 1.0, 1.0),
    "B" | "bytes" => ("_bytes", 1.0, 1.0),
    "KB" | "KiB" => ("_bytes", BYTES_PER_KIB, 1.0),
    "MB" | "MiB" => ("_bytes", BYTES_PER_KIB * BYTES_PER_KIB, 1.0),
    "GB" | "GiB" => ("_bytes", BYTES_PER_KIB * BYTES_PER_KIB * BYTES_PER_KIB, 1.0),
    _ => ("", 1.0, 1.0),
  };
  UnitConversion {
    suffix,
    multiplier,
    divisor,
  }
}

/// Returns true when `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn is_valid_metric_name(name: &str) -> bool {
  let mut chars = name.chars();
  let Some(first) = chars.next() else {
    return false;
  };
  (first.is_ascii_alphabetic() || first == '_' || first == ':')
    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Replaces every character outside `[a-zA-Z0-9_]` with `_` and prepends
/// `_` to a leading digit. Colons are replaced too, because the Prometheus
/// naming guide reserves them for recording rules.
pub fn sanitize_name(name: &str) -> String {
  let mut sanitized = String::with_capacity(name.len() + 1);
  if name.chars().next().is_none_or(|c| c.is_ascii_digit()) {
    sanitized.push('_');
  }
  for c in name.chars() {
    sanitized.push(if c.is_ascii_alphanumeric() || c == '_' {
      c
    } else {
      '_'
    });
  }
  sanitized
}

/// Escapes a label value: backslash, double quote and line feed.
pub fn escape_label_value(value: &str) -> String {
  let mut escaped = String::with_capacity(value.len());
  for c in value.chars() {
    match c {
      '\\' => escaped.push_str("\\\\"),
      '"' => escaped.push_str("\\\""),
      '\n' => escaped.push_str("\\n"),
      _ => escaped.push(c),
    }
  }
  escaped
}

/// Escapes HELP text: backslash and line feed (quotes stay as they are).
pub fn escape_help(text: &str) -> String {
  let mut escaped = String::with_capacity(text.len());
  for c in text.chars() {
    match c {
      '\\' => escaped.push_str("\\\\"),
      '\n' => escaped.push_str("\\n"),
      _ => escaped.push(c),
    }
  }
  escaped
}

/// Formats a sample value as the text format expects: `+Inf`, `-Inf`,
/// `NaN`, or the shortest decimal that parses back to the same number.
pub fn format_value(value: f64) -> String {
  if value.is_nan() {
    String::from("NaN")
  } else if value == f64::INFINITY {
    String::from("+Inf")
  } else if value == f64::NEG_INFINITY {
    String::from("-Inf")
  } else {
    // Debug switches to exponent notation for very large and small
    // magnitudes, which Prometheus' parser accepts and keeps lines short.
    format!("{value:?}")
  }
}

/// One metric's figures, copied out of its series under the lock.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSnapshot {
  pub name: Arc<str>,
  /// The unit of the newest sample.
  pub unit: Arc<str>,
  /// The kept window, in recorded units.
  pub values: Vec<f64>,
  /// Samples since the metric was first recorded.
  pub total_count: u64,
  /// Sum of those samples, in recorded units.
  pub total_sum: f64,
}

/// Copies the figures of every metric with samples, sorted by name.
pub fn snapshot(monitor: &Monitor) -> Vec<MetricSnapshot> {
  let mut snapshots = Vec::new();
  for name in monitor.metric_names() {
    // NOTE: a clear() between metric_names() and this lookup makes series()
    // create an empty series, which metric_names() skips and the next
    // drop_older_than() removes.
    let Ok(series) = monitor.series(&name) else {
      continue;
    };
    let series = series.lock();
    let Some(newest) = series.samples(Some(1)).pop() else {
      continue;
    };
    snapshots.push(MetricSnapshot {
      name,
      // Limitation: a metric recorded under several units is converted with
      // the newest sample's unit, because a family has exactly one unit.
      unit: newest.unit,
      values: series.values(),
      total_count: series.total_count,
      total_sum: series.total_sum,
    });
  }
  snapshots
}

/// Builds the exposition of `monitor`: a snapshot under the locks, then the
/// text without any lock held.
pub fn render(monitor: &Monitor, options: &ExpositionOptions) -> Result<String, MonitorError> {
  options.validate()?;
  let snapshots = snapshot(monitor);
  let alerts = if options.include_alerts {
    monitor.recent_alerts(usize::MAX)
  } else {
    Vec::new()
  };
  Ok(render_snapshots(&snapshots, &alerts, options))
}

/// Builds the exposition from copied figures. `alerts` is ignored unless
/// `options.include_alerts` is set.
pub fn render_snapshots(
  snapshots: &[MetricSnapshot],
  alerts: &[Alert],
  options: &ExpositionOptions,
) -> String {
  let mut names = FamilyNames::default();
  let alerts_family = format!("{}recent_alerts", options.prefix);
  if options.include_alerts {
    names.reserve(&alerts_family);
  }

  let mut text = String::new();
  for metric in snapshots {
    let conversion = unit_conversion(&metric.unit);
    let family = names.claim(&options.prefix, &metric.name, conversion.suffix);
    write_summary(&mut text, &family, metric, conversion);
  }
  if options.include_alerts {
    write_alerts(&mut text, &alerts_family, alerts);
  }
  text
}

fn write_summary(
  text: &mut String,
  family: &str,
  metric: &MetricSnapshot,
  conversion: UnitConversion,
) {
  let unit_note = if metric.unit.is_empty() {
    String::from("recorded without a unit")
  } else {
    format!("recorded in {}", metric.unit)
  };
  let kept = metric.values.len();
  let help = format!(
    "perf-sentinel metric \"{}\" ({unit_note}). Quantiles cover the {kept} kept sample{}; _sum and _count cover every sample since the metric was first recorded.",
    metric.name,
    if kept == 1 { "" } else { "s" }
  );
  // Writing into a String cannot fail, so the fmt::Result values are ignored.
  let _ = writeln!(text, "# HELP {family} {}", escape_help(&help));
  let _ = writeln!(text, "# TYPE {family} summary");

  // The conversion is a positive scale, so converting the quantile of the
  // recorded values equals the quantile of converted values, with one rounding instead of two.
  let mut sorted = metric.values.clone();
  sorted.sort_unstable_by(f64::total_cmp);
  for (label, q) in QUANTILES {
    if let Some(value) = quantile_of_sorted(&sorted, q) {
      let _ = writeln!(
        text,
        "{family}{{quantile=\"{label}\"}} {}",
        format_value(conversion.apply(value))
      );
    }
  }
  let _ = writeln!(
    text,
    "{family}_sum {}",
    format_value(conversion.apply(metric.total_sum))
  );
  let _ = writeln!(text, "{family}_count {}", metric.total_count);
}

fn write_alerts(text: &mut String, family: &str, alerts: &[Alert]) {
  let mut counts: BTreeMap<(&str, &str, &str), u64> = BTreeMap::new();
  for alert in alerts {
    let kind = match alert.kind {
      crate::alert::AlertKind::Threshold => "threshold",
      crate::alert::AlertKind::Regression => "regression",
    };
    *counts
      .entry((alert.metric_name.as_ref(), kind, alert.severity.as_str()))
      .or_insert(0) += 1;
  }

  let help = "Alerts in the monitor's alert history (its newest maxAlerts alerts) by metric, check type and severity. A gauge, because the history drops its oldest alerts.";
  let _ = writeln!(text, "# HELP {family} {help}");
  let _ = writeln!(text, "# TYPE {family} gauge");
  for ((metric, kind, severity), count) in counts {
    let _ = writeln!(
      text,
      "{family}{{metric=\"{}\",type=\"{kind}\",severity=\"{severity}\"}} {count}",
      escape_label_value(metric)
    );
  }
}

/// Family names handed out so far, with the sample names each one uses, so
/// that two metrics never share a name after sanitising.
#[derive(Default)]
struct FamilyNames {
  taken: HashSet<String>,
}

impl FamilyNames {
  fn reserve(&mut self, family: &str) {
    self.taken.insert(family.to_owned());
  }

  /// Returns a unique summary family name for `metric`. A name already used
  /// by another family, or by its `_sum` or `_count` lines, gets a suffix
  /// derived from the original metric name, which stays the same across scrapes.
  // NOTE: metrics are claimed in name order, so a new metric that sorts
  // before an existing one with the same sanitised name takes over its plain name.
  fn claim(&mut self, prefix: &str, metric: &str, unit_suffix: &str) -> String {
    let mut base = format!("{prefix}{}", sanitize_name(metric));
    if !unit_suffix.is_empty() && base.ends_with(unit_suffix) {
      base.truncate(base.len() - unit_suffix.len());
    }
    let mut family = format!("{base}{unit_suffix}");
    if !self.is_free(&family) {
      family = format!("{base}_{:08x}{unit_suffix}", fnv1a(metric));
    }
    // A second collision (same hash) is astronomically unlikely but would
    // make the exposition invalid, so count upwards until the name is free.
    let mut attempt = 2;
    while !self.is_free(&family) {
      family = format!("{base}_{:08x}_{attempt}{unit_suffix}", fnv1a(metric));
      attempt += 1;
    }
    for name in [
      family.clone(),
      format!("{family}_sum"),
      format!("{family}_count"),
    ] {
      self.taken.insert(name);
    }
    family
  }

  fn is_free(&self, family: &str) -> bool {
    [
      family.to_owned(),
      format!("{family}_sum"),
      format!("{family}_count"),
    ]
    .iter()
    .all(|name| !self.taken.contains(name))
  }
}

/// 32-bit FNV-1a of `text`, for stable disambiguation suffixes.
fn fnv1a(text: &str) -> u32 {
  let mut hash: u32 = 0x811c_9dc5;
  for byte in text.bytes() {
    hash ^= u32::from(byte);
    hash = hash.wrapping_mul(0x0100_0193);
  }
  hash
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::monitor::MonitorOptions;

  fn monitor() -> Monitor {
    Monitor::new(MonitorOptions {
      default_thresholds: false,
      ..MonitorOptions::default()
    })
    .unwrap()
  }

  fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
  }

  #[test]
  fn label_values_escape_backslash_quote_newline() {
    assert_eq!(escape_label_value(r#"a\b"c"#), r#"a\\b\"c"#);
    assert_eq!(escape_label_value("line\nbreak"), "line\\nbreak");
    assert_eq!(escape_label_value("plain"), "plain");
  }

  #[test]
  fn help_escapes_backslash_and_newline_only() {
    assert_eq!(escape_help("a\\b\n\"c\""), "a\\\\b\\n\"c\"");
  }

  #[test]
  fn names_are_sanitised() {
    assert_eq!(sanitize_name("response_time"), "response_time");
    assert_eq!(sanitize_name("GET /api/rooms"), "GET__api_rooms");
    assert_eq!(sanitize_name("db:query.time"), "db_query_time");
    assert_eq!(sanitize_name("9lives"), "_9lives");
    assert_eq!(sanitize_name(""), "_");
    assert_eq!(sanitize_name("größe"), "gr__e");
    for name in ["GET /x", "9", "", "ü", "a:b"] {
      assert!(is_valid_metric_name(&sanitize_name(name)), "{name:?}");
    }
  }

  #[test]
  fn metric_name_validation() {
    assert!(is_valid_metric_name("perf_sentinel_"));
    assert!(is_valid_metric_name(":rule:"));
    assert!(!is_valid_metric_name("9a"));
    assert!(!is_valid_metric_name("a-b"));
    assert!(!is_valid_metric_name(""));
  }

  #[test]
  fn units_convert_to_base_units() {
    let cases = [
      ("ms", "_seconds", 250.0, 0.25),
      ("s", "_seconds", 2.0, 2.0),
      ("us", "_seconds", 1500.0, 0.0015),
      ("bytes", "_bytes", 10.0, 10.0),
      ("KB", "_bytes", 2.0, 2048.0),
      ("MB", "_bytes", 3.0, 3.0 * 1_048_576.0),
      ("%", "", 42.0, 42.0),
      ("", "", 7.0, 7.0),
      ("requests", "", 7.0, 7.0),
    ];
    for (unit, suffix, recorded, base) in cases {
      let conversion = unit_conversion(unit);
      assert_eq!(conversion.suffix, suffix, "unit {unit:?}");
      assert_eq!(conversion.apply(recorded), base, "unit {unit:?}");
    }
  }

  #[test]
  fn values_format_for_the_parser() {
    assert_eq!(format_value(0.25), "0.25");
    assert_eq!(format_value(3.0), "3.0");
    assert_eq!(format_value(1e150), "1e150");
    assert_eq!(format_value(f64::INFINITY), "+Inf");
    assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
    assert_eq!(format_value(f64::NAN), "NaN");
    assert_eq!(format_value(1e-7).parse::<f64>().unwrap(), 1e-7);
  }

  #[test]
  fn milliseconds_become_a_seconds_summary() {
    let monitor = monitor();
    for value in [100.0, 200.0, 300.0, 400.0, 500.0] {
      monitor
        .record("response_time", value, "ms", 1.0, None)
        .unwrap();
    }
    let text = render(&monitor, &ExpositionOptions::default()).unwrap();
    let lines = lines(&text);
    assert!(lines.contains(&"# TYPE perf_sentinel_response_time_seconds summary"));
    assert!(lines.contains(&"perf_sentinel_response_time_seconds{quantile=\"0.5\"} 0.3"));
    let p99 = lines
      .iter()
      .find_map(|l| l.strip_prefix("perf_sentinel_response_time_seconds{quantile=\"0.99\"} "))
      .unwrap();
    assert!((p99.parse::<f64>().unwrap() - 0.496).abs() < 1e-12, "{p99}");
    assert!(lines.contains(&"perf_sentinel_response_time_seconds_sum 1.5"));
    assert!(lines.contains(&"perf_sentinel_response_time_seconds_count 5"));
    let help = lines
      .iter()
      .find(|l| l.starts_with("# HELP perf_sentinel_response_time_seconds "))
      .unwrap();
    assert!(
      help.contains("\"response_time\" (recorded in ms)"),
      "{help}"
    );
  }

  #[test]
  fn megabytes_become_bytes() {
    let monitor = monitor();
    monitor
      .record("memory_usage", 2.0, "MB", 1.0, None)
      .unwrap();
    let text = render(&monitor, &ExpositionOptions::default()).unwrap();
    assert!(
      text.contains("perf_sentinel_memory_usage_bytes{quantile=\"0.5\"} 2097152.0\n"),
      "{text}"
    );
    assert!(text.contains("perf_sentinel_memory_usage_bytes_sum 2097152.0\n"));
  }

  #[test]
  fn existing_unit_suffix_is_not_doubled() {
    let monitor = monitor();
    monitor
      .record("heap_bytes", 10.0, "bytes", 1.0, None)
      .unwrap();
    let text = render(&monitor, &ExpositionOptions::default()).unwrap();
    assert!(
      text.contains("# TYPE perf_sentinel_heap_bytes summary\n"),
      "{text}"
    );
  }

  #[test]
  fn sum_and_count_include_dropped_samples() {
    let monitor = Monitor::new(MonitorOptions {
      max_samples: 3,
      default_thresholds: false,
      ..MonitorOptions::default()
    })
    .unwrap();
    for value in 1..=10 {
      monitor
        .record("queue_depth", value as f64, "", 1.0, None)
        .unwrap();
    }
    let text = render(&monitor, &ExpositionOptions::default()).unwrap();
    assert!(
      text.contains("perf_sentinel_queue_depth_count 10\n"),
      "{text}"
    );
    assert!(text.contains("perf_sentinel_queue_depth_sum 55.0\n"));
    // The quantiles see only the window 8, 9, 10.
    assert!(text.contains("perf_sentinel_queue_depth{quantile=\"0.5\"} 9.0\n"));
    assert!(text.contains("the 3 kept samples;"), "{text}");
  }

  #[test]
  fn colliding_names_get_distinct_families() {
    let monitor = monitor();
    monitor.record("a.b", 1.0, "", 1.0, None).unwrap();
    monitor.record("a-b", 2.0, "", 1.0, None).unwrap();
    monitor.record("a_b_count", 3.0, "", 1.0, None).unwrap();
    let text = render(&monitor, &ExpositionOptions::default()).unwrap();
    let families: Vec<&str> = text
      .lines()
      .filter_map(|l| l.strip_prefix("# TYPE "))
      .map(|l| l.split(' ').next().unwrap())
      .collect();
    let unique: HashSet<&&str> = families.iter().collect();
    assert_eq!(families.len(), 4, "{text}");
    assert_eq!(unique.len(), 4, "{text}");
    assert!(families.contains(&"perf_sentinel_a_b"));
    for family in families {
      assert!(is_valid_metric_name(family), "{family}");
    }
  }

  #[test]
  fn alert_labels_are_escaped() {
    let monitor = monitor();
    let name = "say \"hi\"\\\nnow";
    monitor.set_threshold(name, 1.0, "", true).unwrap();
    monitor.record(name, 5.0, "", 1.0, None).unwrap();
    let text = render(&monitor, &ExpositionOptions::default()).unwrap();
    let expected =
      "perf_sentinel_recent_alerts{metric=\"say \\\"hi\\\"\\\\\\nnow\",type=\"threshold\",severity=\"critical\"} 1\n";
    assert!(text.contains(expected), "{text}");
    assert!(
      text.contains("# HELP perf_sentinel_say__hi___now "),
      "{text}"
    );
    assert!(
      text.contains("metric \"say \"hi\"\\\\\\nnow\" (recorded without a unit)"),
      "{text}"
    );
  }

  #[test]
  fn prefix_is_configurable_and_validated() {
    let monitor = monitor();
    monitor.record("x", 1.0, "", 1.0, None).unwrap();
    let options = ExpositionOptions {
      prefix: String::from("app_"),
      include_alerts: false,
    };
    let text = render(&monitor, &options).unwrap();
    assert!(text.starts_with("# HELP app_x "), "{text}");
    assert!(!text.contains("recent_alerts"));

    let empty = ExpositionOptions {
      prefix: String::new(),
      include_alerts: true,
    };
    assert!(render(&monitor, &empty)
      .unwrap()
      .contains("# TYPE x summary\n"));

    let bad = ExpositionOptions {
      prefix: String::from("bad-prefix"),
      include_alerts: true,
    };
    let error = render(&monitor, &bad).unwrap_err();
    assert!(error.to_string().contains("bad-prefix"), "{error}");
  }

  #[test]
  fn empty_monitor_exports_only_the_alert_family() {
    let text = render(&monitor(), &ExpositionOptions::default()).unwrap();
    assert_eq!(
      lines(&text).iter().filter(|l| !l.starts_with('#')).count(),
      0,
      "{text}"
    );
    assert!(text.contains("# TYPE perf_sentinel_recent_alerts gauge\n"));
  }
}
