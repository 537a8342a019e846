//! Property tests: the incrementally maintained baseline equals a brute-force
//! two-pass computation over the same kept samples.

use perf_sentinel_core::{Monitor, MonitorOptions};
use proptest::prelude::*;

/// Mean, population standard deviation, minimum and maximum in two passes.
fn two_pass(values: &[f64]) -> (f64, f64, f64, f64) {
  let n = values.len() as f64;
  let mean = values.iter().sum::<f64>() / n;
  let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
  let min = values.iter().copied().fold(f64::INFINITY, f64::min);
  let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
  (mean, variance.sqrt(), min, max)
}

/// True when `actual` is within 1e-9 relative of `expected`, with an absolute
/// floor scaled by the magnitude of the data for results near zero.
fn close(actual: f64, expected: f64, scale: f64) -> bool {
  let tolerance = 1e-9 * expected.abs().max(scale * 1e-6);
  (actual - expected).abs() <= tolerance
}

fn monitor_with_window(window: usize) -> Monitor {
  Monitor::new(MonitorOptions {
    max_samples: window,
    default_thresholds: false,
    ..MonitorOptions::default()
  })
  .expect("valid options")
}

proptest! {
  #![proptest_config(ProptestConfig::with_cases(200))]

  #[test]
  fn baseline_matches_two_pass(
    window in 1usize..64,
    values in prop::collection::vec(-1e6f64..1e6, 1..400),
  ) {
    let monitor = monitor_with_window(window);
    for (i, &value) in values.iter().enumerate() {
      monitor.record("m", value, "ms", i as f64, None).expect("finite value");
      let kept = &values[(i + 1).saturating_sub(window)..=i];
      let (mean, std, min, max) = two_pass(kept);
      let scale = kept.iter().fold(0.0f64, |m, v| m.max(v.abs()));
      let baseline = monitor.baseline("m").expect("baseline after a sample");
      prop_assert_eq!(baseline.sample_count, kept.len());
      prop_assert!(close(baseline.average_value, mean, scale), "mean {} vs {}", baseline.average_value, mean);
      prop_assert!(close(baseline.standard_deviation, std, scale), "std {} vs {}", baseline.standard_deviation, std);
      prop_assert_eq!(baseline.min_value, min);
      prop_assert_eq!(baseline.max_value, max);
      prop_assert!(baseline.p50 >= min && baseline.p99 <= max);
      prop_assert!(baseline.p50 <= baseline.p95 && baseline.p95 <= baseline.p99);
    }
  }

  #[test]
  fn latency_like_streams_stay_exact_over_long_runs(
    offset in 1.0f64..1e5,
    jitter in prop::collection::vec(0.0f64..1.0, 3000..3001),
  ) {
    // Values far from zero with a small spread are where running sums lose precision.
    let monitor = monitor_with_window(1000);
    let values: Vec<f64> = jitter.iter().map(|j| offset + j * offset * 0.01).collect();
    for (i, &value) in values.iter().enumerate() {
      monitor.record("lat", value, "ms", i as f64, None).expect("finite value");
    }
    let kept = &values[values.len() - 1000..];
    let (mean, std, _, _) = two_pass(kept);
    let baseline = monitor.baseline("lat").expect("baseline");
    prop_assert!((baseline.average_value - mean).abs() <= 1e-9 * mean.abs());
    prop_assert!((baseline.standard_deviation - std).abs() <= 1e-9 * std, "std {} vs {}", baseline.standard_deviation, std);
  }

  #[test]
  fn pruning_by_age_matches_two_pass(
    values in prop::collection::vec(0.0f64..1000.0, 2..300),
    cut in 0usize..300,
  ) {
    let monitor = monitor_with_window(128);
    for (i, &value) in values.iter().enumerate() {
      monitor.record("m", value, "ms", i as f64, None).expect("finite value");
    }
    let cut = cut.min(values.len());
    monitor.drop_older_than(cut as f64);
    let start = cut.max(values.len().saturating_sub(128));
    let kept = &values[start..];
    match monitor.baseline("m") {
      None => prop_assert!(kept.is_empty()),
      Some(baseline) => {
        let (mean, std, min, max) = two_pass(kept);
        prop_assert_eq!(baseline.sample_count, kept.len());
        prop_assert!(close(baseline.average_value, mean, 1000.0));
        prop_assert!(close(baseline.standard_deviation, std, 1000.0));
        prop_assert_eq!(baseline.min_value, min);
        prop_assert_eq!(baseline.max_value, max);
      }
    }
  }
}

#[test]
fn default_rule_fires_like_the_original() {
  // Ten samples of 10 then one of 100: mean 18.18, σ 25.7, expected max 69.6,
  // and 100 is 450 % over the mean, so a critical regression.
  let monitor = monitor_with_window(1000);
  for i in 0..10 {
    let outcome = monitor
      .record("lat", 10.0, "ms", i as f64, None)
      .expect("record");
    assert!(outcome.regression.is_none());
  }
  let outcome = monitor
    .record("lat", 100.0, "ms", 10.0, None)
    .expect("record");
  let alert = outcome.regression.expect("a regression alert");
  assert_eq!(alert.severity, perf_sentinel_core::Severity::Critical);
  assert!((alert.previous_value - 200.0 / 11.0).abs() < 1e-12);
}

#[test]
fn non_finite_and_huge_values_are_rejected() {
  let monitor = monitor_with_window(10);
  for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, -1e308] {
    assert!(
      monitor.record("m", value, "ms", 0.0, None).is_err(),
      "{value} accepted"
    );
  }
  assert!(monitor.baseline("m").is_none());
  monitor
    .record("m", -0.0, "ms", 0.0, None)
    .expect("negative zero is finite");
  assert!(monitor.baseline("m").is_some());
}

#[test]
fn export_round_trips_through_json() {
  let source = monitor_with_window(10);
  for i in 0..25 {
    source
      .record("m", i as f64, "ms", i as f64, None)
      .expect("record");
  }
  let text = source.export_json();
  let target = monitor_with_window(10);
  target.import_json(&text).expect("import");
  assert_eq!(source.baseline("m"), target.baseline("m"));
  assert_eq!(target.samples("m", None).len(), 10);
}
