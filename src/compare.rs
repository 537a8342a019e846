//! Two-sample comparison of timings: the ratio of medians (new / old) with a
//! seeded percentile-bootstrap 95 % confidence interval, a two-sided
//! Mann-Whitney U test with the normal approximation, and a verdict.
//!
//! Verdict rule, checked in this order, with `low` and `high` the bounds of the
//! 95 % interval of the median ratio, `p` the p-value, `e` the minimum
//! effect (default 1 %) and `m` the equivalence margin (default 3 %):
//! - regressed: `low > 1 + e` and `p < alpha`;
//! - improved: `high < 1 / (1 + e)` and `p < alpha`;
//! - equivalent: `1 / (1 + m) <= low` and `high <= 1 + m`;
//! - inconclusive: anything else.

use statrs::distribution::{ContinuousCDF, Normal};
use thiserror::Error;

/// Minimum number of samples per side that `compare_samples` accepts.
pub const MIN_SAMPLES: usize = 2;
/// Maximum number of bootstrap resamples. Each one costs a pass over both samples.
pub const MAX_RESAMPLES: usize = 100_000;

/// Error returned by `compare_samples` for invalid input.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CompareError {
  #[error("{side} must contain at least {MIN_SAMPLES} samples, received {len}")]
  TooFewSamples { side: &'static str, len: usize },
  #[error("{side}[{index}] must be a finite number of at least 0, received {value}")]
  InvalidSample {
    side: &'static str,
    index: usize,
    value: f64,
  },
  #[error("{name} {reason}")]
  InvalidOption { name: &'static str, reason: String },
}

/// Outcome of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
  Regressed,
  Improved,
  Equivalent,
  Inconclusive,
}

impl Verdict {
  pub fn as_str(self) -> &'static str {
    match self {
      Verdict::Regressed => "regressed",
      Verdict::Improved => "improved",
      Verdict::Equivalent => "equivalent",
      Verdict::Inconclusive => "inconclusive",
    }
  }
}

/// Settings of `compare_samples`. `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareOptions {
  /// Seed of the bootstrap. The same seed and samples give the same interval.
  pub seed: u64,
  /// Bootstrap resamples, 1 to `MAX_RESAMPLES`. Default 2000.
  pub resamples: usize,
  /// Significance level of the test, in (0, 1). Default 0.05.
  pub alpha: f64,
  /// Smallest relative change called a regression or an improvement. Default 0.01.
  pub min_effect: f64,
  /// Relative change within which the two sides count as equivalent. Default 0.03.
  pub equivalence_margin: f64,
}

impl Default for CompareOptions {
  fn default() -> Self {
    Self {
      seed: 0,
      resamples: 2000,
      alpha: 0.05,
      min_effect: 0.01,
      equivalence_margin: 0.03,
    }
  }
}

impl CompareOptions {
  pub fn validate(&self) -> Result<(), CompareError> {
    if self.resamples == 0 || self.resamples > MAX_RESAMPLES {
      return Err(CompareError::InvalidOption {
        name: "resamples",
        reason: format!(
          "must be between 1 and {MAX_RESAMPLES}, received {}",
          self.resamples
        ),
      });
    }
    if !(self.alpha > 0.0 && self.alpha < 1.0) {
      return Err(CompareError::InvalidOption {
        name: "alpha",
        reason: format!(
          "must be greater than 0 and less than 1, received {}",
          self.alpha
        ),
      });
    }
    let margins = [
      ("minEffect", self.min_effect),
      ("equivalenceMargin", self.equivalence_margin),
    ];
    for (name, value) in margins {
      if !value.is_finite() || !(0.0..=10.0).contains(&value) {
        return Err(CompareError::InvalidOption {
          name,
          reason: format!("must be a number from 0 to 10, received {value}"),
        });
      }
    }
    Ok(())
  }
}

/// Result of `compare_samples`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
  pub old_median: f64,
  pub new_median: f64,
  /// `new_median / old_median`: 1 when both are 0, infinity when only old is 0.
  pub ratio: f64,
  /// 2.5th and 97.5th percentiles of the bootstrapped median ratio.
  pub ratio_ci95: (f64, f64),
  /// Two-sided p-value of the Mann-Whitney U test.
  pub p_value: f64,
  /// U statistic of the old sample.
  pub u_statistic: f64,
  /// Standard score of U, with continuity and tie corrections.
  pub z_score: f64,
  pub verdict: Verdict,
}

/// Compares `new` against `old`. Both must contain at least `MIN_SAMPLES`
/// finite, non-negative values.
pub fn compare_samples(
  old: &[f64],
  new: &[f64],
  options: &CompareOptions,
) -> Result<Comparison, CompareError> {
  options.validate()?;
  check_samples("old", old)?;
  check_samples("new", new)?;

  let old_median = median(&mut old.to_vec());
  let new_median = median(&mut new.to_vec());
  let ratio_ci95 = bootstrap_ratio_ci95(old, new, options.seed, options.resamples);
  let test = mann_whitney_u(old, new);
  let verdict = decide(ratio_ci95, test.p_value, options);

  Ok(Comparison {
    old_median,
    new_median,
    ratio: median_ratio(new_median, old_median),
    ratio_ci95,
    p_value: test.p_value,
    u_statistic: test.u,
    z_score: test.z,
    verdict,
  })
}

/// Applies the verdict rule of the module documentation.
pub fn decide(ratio_ci95: (f64, f64), p_value: f64, options: &CompareOptions) -> Verdict {
  let (low, high) = ratio_ci95;
  let significant = p_value < options.alpha;
  let effect = 1.0 + options.min_effect;
  let margin = 1.0 + options.equivalence_margin;
  if significant && low > effect {
    Verdict::Regressed
  } else if significant && high < 1.0 / effect {
    Verdict::Improved
  } else if low >= 1.0 / margin && high <= margin {
    Verdict::Equivalent
  } else {
    Verdict::Inconclusive
  }
}

/// Checks one side: at least `MIN_SAMPLES` values, each finite and at least 0.
pub fn check_samples(side: &'static str, samples: &[f64]) -> Result<(), CompareError> {
  if samples.len() < MIN_SAMPLES {
    return Err(CompareError::TooFewSamples {
      side,
      len: samples.len(),
    });
  }
  match samples.iter().position(|v| !v.is_finite() || *v < 0.0) {
    Some(index) => Err(CompareError::InvalidSample {
      side,
      index,
      value: samples[index],
    }),
    None => Ok(()),
  }
}

fn median_ratio(new_median: f64, old_median: f64) -> f64 {
  if old_median > 0.0 {
    new_median / old_median
  } else if new_median > 0.0 {
    f64::INFINITY
  } else {
    1.0
  }
}

/// Returns the median of a non-empty slice, reordering it. For an even
/// length it is the mean of the two middle values.
pub fn median(values: &mut [f64]) -> f64 {
  let len = values.len();
  if len == 0 {
    return f64::NAN;
  }
  let middle = len / 2;
  let (lower, upper, _) = values.select_nth_unstable_by(middle, f64::total_cmp);
  let upper = *upper;
  if len % 2 == 1 {
    return upper;
  }
  let lower = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
  (lower + upper) / 2.0
}

/// Percentile bootstrap of `median(new) / median(old)`: each resample draws
/// both sides with replacement, independently.
fn bootstrap_ratio_ci95(old: &[f64], new: &[f64], seed: u64, resamples: usize) -> (f64, f64) {
  let mut rng = fastrand::Rng::with_seed(seed);
  let mut old_draw = vec![0.0; old.len()];
  let mut new_draw = vec![0.0; new.len()];
  let mut ratios = Vec::with_capacity(resamples);
  for _ in 0..resamples {
    for slot in old_draw.iter_mut() {
      *slot = old[rng.usize(..old.len())];
    }
    for slot in new_draw.iter_mut() {
      *slot = new[rng.usize(..new.len())];
    }
    ratios.push(median_ratio(median(&mut new_draw), median(&mut old_draw)));
  }
  ratios.sort_unstable_by(f64::total_cmp);
  (percentile(&ratios, 0.025), percentile(&ratios, 0.975))
}

/// Linear interpolation between the closest ranks of a sorted, non-empty slice.
fn percentile(sorted: &[f64], fraction: f64) -> f64 {
  let last = sorted.len() - 1;
  let position = fraction * last as f64;
  let below = position.floor() as usize;
  let above = position.ceil() as usize;
  let (low, high) = (sorted[below.min(last)], sorted[above.min(last)]);
  let weight = position - below as f64;
  // Interpolating towards an infinite ratio would give NaN or infinity, so take the nearer rank.
  if weight == 0.0 || !low.is_finite() || !high.is_finite() {
    return if weight < 0.5 { low } else { high };
  }
  low + (high - low) * weight
}

/// The statistic, standard score and two-sided p-value of a Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UTest {
  pub u: f64,
  pub z: f64,
  pub p_value: f64,
}

/// Mann-Whitney U test of `a` against `b`, normal approximation with tie and
/// continuity corrections. `u` is the count of pairs where `a` is larger,
/// ties counting one half. The approximation is fair from about 8 samples
/// per side. With every value tied the p-value is 1.
pub fn mann_whitney_u(a: &[f64], b: &[f64]) -> UTest {
  let (n1, n2) = (a.len() as f64, b.len() as f64);
  let mut pooled: Vec<(f64, bool)> = a
    .iter()
    .map(|&v| (v, true))
    .chain(b.iter().map(|&v| (v, false)))
    .collect();
  pooled.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));

  // Average ranks over runs of ties, and the tie term of the variance.
  let mut rank_sum_a = 0.0;
  let mut tie_term = 0.0;
  let mut start = 0;
  while start < pooled.len() {
    let mut end = start + 1;
    while end < pooled.len() && pooled[end].0 == pooled[start].0 {
      end += 1;
    }
    let count = (end - start) as f64;
    let average_rank = (start + end + 1) as f64 / 2.0;
    let in_a = pooled[start..end].iter().filter(|entry| entry.1).count() as f64;
    rank_sum_a += in_a * average_rank;
    tie_term += count * count * count - count;
    start = end;
  }

  let u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
  let n = n1 + n2;
  let mean = n1 * n2 / 2.0;
  let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
  if variance <= 0.0 || !variance.is_finite() {
    return UTest {
      u,
      z: 0.0,
      p_value: 1.0,
    };
  }

  let distance = ((u - mean).abs() - 0.5).max(0.0);
  let z = distance.copysign(u - mean) / variance.sqrt();
  let p_value = match Normal::new(0.0, 1.0) {
    Ok(normal) => (2.0 * normal.cdf(-z.abs())).min(1.0),
    Err(_) => f64::NAN,
  };
  UTest { u, z, p_value }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn options(seed: u64) -> CompareOptions {
    CompareOptions {
      seed,
      ..CompareOptions::default()
    }
  }

  /// Counts pairs directly: O(n1 * n2), the definition of U.
  fn brute_force_u(a: &[f64], b: &[f64]) -> f64 {
    let mut u = 0.0;
    for &x in a {
      for &y in b {
        if x > y {
          u += 1.0;
        } else if x == y {
          u += 0.5;
        }
      }
    }
    u
  }

  fn spread(center: f64, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..n).map(|_| center * (0.9 + 0.2 * rng.f64())).collect()
  }

  #[test]
  fn median_of_odd_and_even_lengths() {
    assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
    assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    assert_eq!(median(&mut [5.0]), 5.0);
    assert!(median(&mut []).is_nan());
  }

  #[test]
  fn u_matches_pair_counting() {
    let cases: [(&[f64], &[f64]); 4] = [
      (&[1.0, 2.0, 3.0], &[4.0, 5.0]),
      (&[1.0, 2.0, 2.0, 7.0], &[2.0, 3.0, 2.0]),
      (&[5.0, 5.0], &[5.0, 5.0, 5.0]),
      (&[0.3, 9.0, 1.5, 1.5, 4.0], &[1.5, 0.2, 8.0]),
    ];
    for (a, b) in cases {
      assert_eq!(
        mann_whitney_u(a, b).u,
        brute_force_u(a, b),
        "{a:?} vs {b:?}"
      );
    }
    let a = spread(1.0, 300, 1);
    let b = spread(1.02, 250, 2);
    assert_eq!(mann_whitney_u(&a, &b).u, brute_force_u(&a, &b));
  }

  #[test]
  fn p_value_against_reference() {
    // 1..=10 against 11..=20: U = 0, mean 50, sd sqrt(175) = 13.2288,
    // z = -(50 - 0.5) / 13.2288 = -3.7418, two-sided p = 1.8267e-4.
    let a: Vec<f64> = (1..=10).map(f64::from).collect();
    let b: Vec<f64> = (11..=20).map(f64::from).collect();
    let test = mann_whitney_u(&a, &b);
    assert_eq!(test.u, 0.0);
    assert!((test.z + 3.7418).abs() < 1e-4, "z = {}", test.z);
    assert!(
      (test.p_value - 1.8267e-4).abs() < 1e-7,
      "p = {}",
      test.p_value
    );
  }

  #[test]
  fn all_ties_give_p_of_one() {
    let test = mann_whitney_u(&[2.0; 5], &[2.0; 7]);
    assert_eq!(test.p_value, 1.0);
    assert_eq!(test.z, 0.0);
  }

  #[test]
  fn identical_distributions_are_equivalent() {
    let old = spread(1.0, 800, 11);
    let new = spread(1.0, 800, 12);
    let comparison = compare_samples(&old, &new, &options(7)).unwrap();
    assert_eq!(comparison.verdict, Verdict::Equivalent);
    assert!(comparison.ratio_ci95.0 < 1.0);
    assert!(comparison.ratio_ci95.1 > 1.0);
  }

  #[test]
  fn five_percent_slower_is_regressed() {
    let old = spread(1.0, 800, 21);
    let new = spread(1.05, 800, 22);
    let comparison = compare_samples(&old, &new, &options(7)).unwrap();
    assert_eq!(comparison.verdict, Verdict::Regressed);
    assert!(comparison.p_value < 1e-6);
    assert!(comparison.ratio_ci95.0 > 1.01);
    assert!(comparison.ratio_ci95.1 < 1.09);
  }

  #[test]
  fn five_percent_faster_is_improved() {
    let old = spread(1.05, 800, 31);
    let new = spread(1.0, 800, 32);
    assert_eq!(
      compare_samples(&old, &new, &options(7)).unwrap().verdict,
      Verdict::Improved
    );
  }

  #[test]
  fn few_noisy_samples_are_inconclusive() {
    let old = [1.0, 1.5, 0.7];
    let new = [1.1, 0.6, 1.6];
    assert_eq!(
      compare_samples(&old, &new, &options(7)).unwrap().verdict,
      Verdict::Inconclusive
    );
  }

  #[test]
  fn same_seed_same_interval() {
    let old = spread(1.0, 200, 41);
    let new = spread(1.03, 200, 42);
    let first = compare_samples(&old, &new, &options(99)).unwrap();
    let second = compare_samples(&old, &new, &options(99)).unwrap();
    let other = compare_samples(&old, &new, &options(100)).unwrap();
    assert_eq!(first, second);
    assert_ne!(first.ratio_ci95, other.ratio_ci95);
  }

  #[test]
  fn zero_medians() {
    let both_zero = compare_samples(&[0.0, 0.0], &[0.0, 0.0], &options(1)).unwrap();
    assert_eq!(both_zero.ratio, 1.0);
    let old_zero = compare_samples(&[0.0, 0.0, 0.0], &[1.0, 1.0, 1.0], &options(1)).unwrap();
    assert_eq!(old_zero.ratio, f64::INFINITY);
  }

  #[test]
  fn verdict_rule_boundaries() {
    let rule = CompareOptions::default();
    assert_eq!(decide((1.02, 1.05), 0.01, &rule), Verdict::Regressed);
    assert_eq!(decide((1.02, 1.05), 0.2, &rule), Verdict::Inconclusive);
    assert_eq!(decide((1.005, 1.02), 0.01, &rule), Verdict::Equivalent);
    assert_eq!(decide((0.95, 0.98), 0.01, &rule), Verdict::Improved);
    assert_eq!(decide((0.98, 1.029), 0.5, &rule), Verdict::Equivalent);
    assert_eq!(decide((0.98, 1.031), 0.5, &rule), Verdict::Inconclusive);
  }

  #[test]
  fn rejects_bad_input() {
    let ok = [1.0, 2.0];
    assert_eq!(
      compare_samples(&[1.0], &ok, &options(1))
        .unwrap_err()
        .to_string(),
      "old must contain at least 2 samples, received 1"
    );
    assert_eq!(
      compare_samples(&ok, &[1.0, f64::NAN], &options(1))
        .unwrap_err()
        .to_string(),
      "new[1] must be a finite number of at least 0, received NaN"
    );
    assert!(compare_samples(&ok, &[-1.0, 1.0], &options(1)).is_err());
    let no_resamples = CompareOptions {
      resamples: 0,
      ..CompareOptions::default()
    };
    assert_eq!(
      compare_samples(&ok, &ok, &no_resamples)
        .unwrap_err()
        .to_string(),
      "resamples must be between 1 and 100000, received 0"
    );
    let bad_alpha = CompareOptions {
      alpha: 1.0,
      ..CompareOptions::default()
    };
    assert!(compare_samples(&ok, &ok, &bad_alpha).is_err());
  }
}
