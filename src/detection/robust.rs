//! The robust regression detector: a one-sided CUSUM of clipped, robustly
//! standardised log values.
//!
//! For each sample x the detector computes z = (ln x − ln m) / s, where m is
//! the median of the baseline window and s = 1.4826 · MAD of its log values,
//! clamps z to [−c, c] (Huber clipping) and updates the upper CUSUM
//! S ← max(0, S + z − k). An alarm is raised when S > h. Then S restarts at
//! 0 and the baseline restarts at the sample where the sum last left 0 (the
//! CUSUM estimate of the change point), so one shift raises one alarm and the
//! detector then watches the new level.
//!
//! Why these pieces: durations are right-skewed and their noise grows with
//! their level, and the log makes both roughly symmetric and constant. Median
//! and MAD ignore the outliers that inflate a mean and standard deviation.
//! The CUSUM adds evidence over several samples, so a moderate shift that
//! persists is found within a few samples while ordinary noise rarely climbs
//! to h. Clipping caps what one sample can add at c − k, below h, so a single
//! spike cannot raise an alarm on its own.
//!
//! The baseline (median and MAD) is recomputed every n / 8 samples, n being
//! the samples it covers (at most the window): about eight value operations
//! per sample amortised, whatever the window size. Between refreshes a check
//! is one logarithm and a few additions. Refreshing every n / 16 samples
//! gave the same detection figures at about twice the cost.

use super::baseline::LogBaseline;
use super::RobustOptions;
use crate::alert::Severity;

/// A baseline covering n samples is recomputed after n / REFRESH_DIVISOR new samples.
const REFRESH_DIVISOR: usize = 8;
/// Log deviations of the current CUSUM run kept for the shift estimate.
const RUN_MEMORY: usize = 16;

/// The outcome of a robust check that raised an alarm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RobustFinding {
  /// Median of the baseline window, above 0.
  pub median: f64,
  /// The smallest value that would have raised the alarm on this sample,
  /// given the sum before it: `median · exp(s · (h + k − S_prev))`. It lies
  /// between the median and the value that raised the alarm.
  pub threshold: f64,
  /// `(value − median) / median · 100`, the excess of this sample.
  pub percentage: f64,
  /// Estimated size of the shift in per cent: exp(median log deviation of
  /// the last samples of the CUSUM run, at most 16) − 1, times 100. Less
  /// sensitive to one extreme sample than `percentage`.
  pub shift_percent: f64,
  /// Critical when `shift_percent` exceeds the rule's critical percentage.
  pub severity: Severity,
}

/// Per-metric state of the robust detector.
#[derive(Debug, Clone)]
pub struct RobustDetector {
  options: RobustOptions,
  /// Sequence number of the first sample the baseline may use.
  baseline_start: u64,
  /// `None` until enough samples exist, or while the window's median is not above 0.
  baseline: Option<LogBaseline>,
  /// True when the baseline must be computed on the next check, whatever `since_refresh`.
  refresh_due: bool,
  /// Samples seen since the baseline was last computed.
  since_refresh: usize,
  /// Reused buffer for the median and MAD computation.
  scratch: Vec<u64>,
  /// The CUSUM sum S, in standard deviations.
  sum: f64,
  /// Sequence number of the sample at which S last rose from 0.
  run_start: u64,
  /// Log deviations from the median of the newest samples of the run, in a ring.
  run_deviations: [f64; RUN_MEMORY],
  run_length: usize,
}

impl RobustDetector {
  /// Creates a detector whose baseline may use every sample already in the window.
  pub fn new(options: RobustOptions) -> Self {
    Self {
      options,
      baseline_start: 0,
      baseline: None,
      refresh_due: true,
      since_refresh: 0,
      scratch: Vec::new(),
      sum: 0.0,
      run_start: 0,
      run_deviations: [0.0; RUN_MEMORY],
      run_length: 0,
    }
  }

  pub fn options(&self) -> &RobustOptions {
    &self.options
  }

  /// Returns the current CUSUM sum, in standard deviations.
  pub fn sum(&self) -> f64 {
    self.sum
  }

  /// Returns the baseline in use, if the detector is past its warm-up.
  pub fn baseline(&self) -> Option<&LogBaseline> {
    self.baseline.as_ref()
  }

  /// Judges `value`, the newest sample, which has sequence number `sequence`
  /// and is the last value of the live window `head` followed by `tail`
  /// (oldest first). `critical_percent` sets the severity.
  ///
  /// Returns `None` during warm-up (fewer than `min_samples` samples since
  /// the start or the last alarm), while the baseline median is not above 0,
  /// and whenever the sum stays at or below the decision interval.
  pub fn observe(
    &mut self,
    value: f64,
    sequence: u64,
    head: &[f64],
    tail: &[f64],
    critical_percent: f64,
  ) -> Option<RobustFinding> {
    let live = head.len() + tail.len();
    let since_start = sequence
      .saturating_sub(self.baseline_start)
      .saturating_add(1);
    let covered = usize::try_from(since_start).unwrap_or(usize::MAX).min(live);
    if covered < self.options.min_samples {
      self.baseline = None;
      self.refresh_due = true;
      return None;
    }

    self.since_refresh += 1;
    let refresh_every = (covered / REFRESH_DIVISOR).max(1);
    if self.refresh_due || self.since_refresh >= refresh_every {
      let skip = live - covered;
      let window = head.iter().chain(tail.iter()).skip(skip).copied();
      self.baseline = LogBaseline::compute(window, &mut self.scratch);
      self.refresh_due = false;
      self.since_refresh = 0;
    }
    let baseline = self.baseline?;

    let z = baseline.standardise(value, self.options.clip);
    let previous_sum = self.sum;
    self.sum = (previous_sum + z - self.options.allowance).max(0.0);
    self.track_run(value, sequence, previous_sum, &baseline);

    if self.sum <= self.options.decision_interval {
      return None;
    }
    let finding = self.finding(value, previous_sum, &baseline, critical_percent);
    self.restart_after_alarm();
    Some(finding)
  }

  /// Updates the run bookkeeping: where the current excursion of S above 0
  /// began, and the log deviations of its newest samples.
  fn track_run(&mut self, value: f64, sequence: u64, previous_sum: f64, baseline: &LogBaseline) {
    if self.sum == 0.0 {
      self.run_length = 0;
      return;
    }
    if previous_sum == 0.0 {
      self.run_start = sequence;
      self.run_length = 0;
    }
    if value > 0.0 {
      self.run_deviations[self.run_length % RUN_MEMORY] = value.ln() - baseline.log_median;
      self.run_length += 1;
    }
  }

  fn finding(
    &self,
    value: f64,
    previous_sum: f64,
    baseline: &LogBaseline,
    critical_percent: f64,
  ) -> RobustFinding {
    let options = &self.options;
    let median = baseline.median;
    let remaining = options.decision_interval + options.allowance - previous_sum;
    let threshold = median * (baseline.scale * remaining).exp();
    let percentage = (value - median) / median * 100.0;
    let shift_percent = self.estimated_shift_percent().unwrap_or(percentage);
    let severity = if shift_percent > critical_percent {
      Severity::Critical
    } else {
      Severity::Warning
    };
    RobustFinding {
      median,
      threshold: threshold.min(value),
      percentage,
      shift_percent,
      severity,
    }
  }

  /// exp(median of the stored run deviations) − 1, in per cent.
  fn estimated_shift_percent(&self) -> Option<f64> {
    let stored = self.run_length.min(RUN_MEMORY);
    if stored == 0 {
      return None;
    }
    let mut deviations = self.run_deviations;
    let deviations = &mut deviations[..stored];
    deviations.sort_unstable_by(f64::total_cmp);
    let middle = stored / 2;
    let log_shift = if stored % 2 == 1 {
      deviations[middle]
    } else {
      (deviations[middle - 1] + deviations[middle]) / 2.0
    };
    let percent = log_shift.exp_m1() * 100.0;
    percent.is_finite().then_some(percent)
  }

  /// Restarts the sum and the baseline at the estimated change point, which
  /// begins a new warm-up.
  fn restart_after_alarm(&mut self) {
    self.baseline_start = self.run_start;
    self.baseline = None;
    self.refresh_due = true;
    self.since_refresh = 0;
    self.sum = 0.0;
    self.run_length = 0;
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  const CRITICAL_PERCENT: f64 = 50.0;

  /// SplitMix64 with Box-Muller normals: a fixed, dependency-free stream for the tests.
  struct TestRng(u64);

  impl TestRng {
    fn uniform(&mut self) -> f64 {
      self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
      let mut z = self.0;
      z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
      z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
      ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
      let radius = (-2.0 * (1.0 - self.uniform()).ln()).sqrt();
      let normal = radius * (2.0 * std::f64::consts::PI * self.uniform()).cos();
      median * (sigma * normal).exp()
    }
  }

  /// Feeds samples to a detector over a sliding window of `capacity`, as a
  /// series does, and returns the finding of each sample.
  struct Harness {
    detector: RobustDetector,
    values: Vec<f64>,
    capacity: usize,
  }

  impl Harness {
    fn new(options: RobustOptions) -> Self {
      Self {
        detector: RobustDetector::new(options),
        values: Vec::new(),
        capacity: 1000,
      }
    }

    fn observe(&mut self, value: f64) -> Option<RobustFinding> {
      self.values.push(value);
      let sequence = self.values.len() as u64 - 1;
      let start = self.values.len().saturating_sub(self.capacity);
      self.detector.observe(
        value,
        sequence,
        &self.values[start..],
        &[],
        CRITICAL_PERCENT,
      )
    }

    /// Returns the indices (within `values`) of the samples that raised an alarm.
    fn alarms(&mut self, values: impl IntoIterator<Item = f64>) -> Vec<usize> {
      let mut raised = Vec::new();
      for (index, value) in values.into_iter().enumerate() {
        if self.observe(value).is_some() {
          raised.push(index);
        }
      }
      raised
    }
  }

  /// Returns a noise-free stable stream, 100, 105, 95, …, ending on 95 when `count`
  /// is a multiple of 3, after which the sum is 0.
  fn cycle(count: usize) -> impl Iterator<Item = f64> {
    [100.0, 105.0, 95.0].into_iter().cycle().take(count)
  }

  fn stable(rng: &mut TestRng, count: usize) -> Vec<f64> {
    (0..count).map(|_| rng.lognormal(100.0, 0.25)).collect()
  }

  #[test]
  fn warm_up_checks_nothing() {
    let options = RobustOptions::default();
    let mut harness = Harness::new(options);
    for index in 0..options.min_samples - 1 {
      // Wildly growing values would alarm at once if they were checked.
      assert_eq!(harness.observe(10f64.powi(index as i32 % 12)), None);
      assert_eq!(harness.detector.baseline(), None);
      assert_eq!(harness.detector.sum(), 0.0);
    }
    harness.observe(100.0);
    assert!(
      harness.detector.baseline().is_some(),
      "baseline after {} samples",
      options.min_samples
    );
  }

  #[test]
  fn single_spike_adds_at_most_clip_minus_allowance() {
    let options = RobustOptions::default();
    let mut harness = Harness::new(options);
    assert_eq!(harness.alarms(cycle(300)), Vec::<usize>::new());
    assert_eq!(harness.detector.sum(), 0.0);

    assert_eq!(harness.observe(1e12), None);
    assert!((harness.detector.sum() - (options.clip - options.allowance)).abs() < 1e-12);
    assert_eq!(harness.alarms(cycle(300)), Vec::<usize>::new());
  }

  #[test]
  fn spikes_on_noisy_stream_do_not_alarm_alone() {
    let mut rng = TestRng(7);
    let mut harness = Harness::new(RobustOptions::default());
    harness.alarms(stable(&mut rng, 1000));
    for _ in 0..50 {
      let sum_before = harness.detector.sum();
      let finding = harness.observe(100.0 * 50.0);
      if sum_before == 0.0 {
        assert_eq!(finding, None, "a spike alone raised an alarm");
      }
      harness.alarms(stable(&mut rng, 100));
    }
  }

  #[test]
  fn repeated_heavy_values_alarm_on_third() {
    // Each adds clip − allowance = 2.5, and the sum must exceed 6.
    let mut harness = Harness::new(RobustOptions::default());
    harness.alarms(cycle(300));
    assert_eq!(harness.detector.sum(), 0.0);
    assert_eq!(harness.alarms([1e6, 1e6, 1e6]), vec![2]);
  }

  #[test]
  fn seeded_steps_are_detected_quickly() {
    for (percent, within) in [(30.0, 30), (100.0, 5)] {
      let mut rng = TestRng(2026);
      let mut harness = Harness::new(RobustOptions::default());
      let before = harness.alarms(stable(&mut rng, 1000));
      assert_eq!(
        before,
        Vec::<usize>::new(),
        "false alarm before the +{percent} % step"
      );

      let shifted = 100.0 * (1.0 + percent / 100.0);
      let mut delay = None;
      for sample in 1..=within {
        let value = rng.lognormal(shifted, 0.25);
        if let Some(finding) = harness.observe(value) {
          delay = Some(sample);
          assert!(
            (finding.median / 100.0 - 1.0).abs() < 0.05,
            "median {}",
            finding.median
          );
          assert!(finding.threshold > finding.median, "{finding:?}");
          assert!(finding.threshold <= value, "{finding:?}");
          let percentage = (value - finding.median) / finding.median * 100.0;
          assert!((finding.percentage - percentage).abs() < 1e-9);
          let expected = if percent > CRITICAL_PERCENT {
            Severity::Critical
          } else {
            Severity::Warning
          };
          assert_eq!(
            finding.severity, expected,
            "shift estimate {}",
            finding.shift_percent
          );
          break;
        }
      }
      assert!(
        delay.is_some(),
        "+{percent} % step not found within {within} samples"
      );
    }
  }

  #[test]
  fn threshold_is_the_alarm_level() {
    let mut rng = TestRng(11);
    let mut harness = Harness::new(RobustOptions::default());
    harness.alarms(stable(&mut rng, 1000));
    loop {
      let before = harness.detector.clone();
      let value = rng.lognormal(200.0, 0.25);
      let Some(finding) = harness.observe(value) else {
        continue;
      };
      let sequence = harness.values.len() as u64 - 1;
      let window = &harness.values[harness.values.len() - 1000..];
      let probe = |candidate: f64| {
        let mut replay = before.clone();
        let mut values = window.to_vec();
        *values.last_mut().unwrap() = candidate;
        replay
          .observe(candidate, sequence, &values, &[], CRITICAL_PERCENT)
          .is_some()
      };
      assert!(
        probe(finding.threshold * (1.0 + 1e-9)),
        "just above the threshold"
      );
      assert!(
        !probe(finding.threshold * (1.0 - 1e-6)),
        "just below the threshold"
      );
      break;
    }
  }

  #[test]
  fn alarm_restarts_sum_and_baseline() {
    let options = RobustOptions::default();
    let mut rng = TestRng(99);
    let mut harness = Harness::new(options);
    harness.alarms(stable(&mut rng, 1000));
    let mut delay = 0;
    loop {
      delay += 1;
      if harness.observe(rng.lognormal(200.0, 0.25)).is_some() {
        break;
      }
      assert!(delay < 50, "doubling not found");
    }
    assert_eq!(harness.detector.sum(), 0.0);
    assert_eq!(harness.detector.baseline(), None);

    // The new level becomes the baseline and raises no further alarm.
    let later = harness.alarms((0..500).map(|_| rng.lognormal(200.0, 0.25)));
    assert_eq!(later, Vec::<usize>::new());
    let median = harness.detector.baseline().map(|b| b.median).unwrap_or(0.0);
    assert!(
      (median / 200.0 - 1.0).abs() < 0.05,
      "baseline median {median} after the step"
    );
  }

  #[test]
  fn non_positive_values_never_give_nan() {
    let options = RobustOptions::default();
    let streams: [Vec<f64>; 4] = [
      vec![0.0; 200],
      vec![-5.0; 200],
      (0..200)
        .map(|i| if i % 3 == 0 { 0.0 } else { 50.0 })
        .collect(),
      (0..200)
        .map(|i| if i % 2 == 0 { -1.0 } else { 0.0 })
        .collect(),
    ];
    for stream in streams {
      let mut harness = Harness::new(options);
      for value in stream {
        if let Some(finding) = harness.observe(value) {
          for number in [
            finding.median,
            finding.threshold,
            finding.percentage,
            finding.shift_percent,
          ] {
            assert!(number.is_finite(), "non-finite field in {finding:?}");
          }
        }
        assert!(harness.detector.sum().is_finite());
      }
      // Large values after such a stream never produce a non-finite alert.
      for value in [1e6, 1e9, 1e12, 1e150] {
        if let Some(finding) = harness.observe(value) {
          assert!(finding.percentage.is_finite(), "{finding:?}");
          assert!(finding.median > 0.0, "{finding:?}");
        }
      }
    }
  }

  #[test]
  fn non_positive_median_raises_nothing() {
    let mut harness = Harness::new(RobustOptions::default());
    let mostly_zero = (0..200).map(|i| if i % 4 == 0 { 10.0 } else { 0.0 });
    assert_eq!(harness.alarms(mostly_zero), Vec::<usize>::new());
    assert_eq!(harness.detector.baseline(), None);
    assert_eq!(harness.alarms([1e9; 20]), Vec::<usize>::new());
  }
}
