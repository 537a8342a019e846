//! The robust baseline of the detector: median and MAD of log values.

/// Consistency factor that turns the MAD of normal data into its standard deviation.
const MAD_TO_SIGMA: f64 = 1.4826;
/// The same for the mean absolute deviation around the median, √(π/2).
const MEAN_DEVIATION_TO_SIGMA: f64 = 1.2533;
/// Smallest log-scale spread used, about 0.1 % of the median, so a window of
/// identical values still gives finite standardised values.
pub const MIN_LOG_SCALE: f64 = 1e-3;

/// Location and spread of a window on the log scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogBaseline {
  /// Median of the raw values, always above 0.
  pub median: f64,
  /// ln(median).
  pub log_median: f64,
  /// Robust standard deviation of ln(value): 1.4826 · MAD, or when the MAD is
  /// 0 (more than half the values equal the median) 1.2533 · the mean absolute
  /// deviation, and never below [`MIN_LOG_SCALE`].
  pub scale: f64,
}

impl LogBaseline {
  /// Computes the baseline of `values`, using `scratch` as working memory
  /// that callers keep between calls to avoid reallocating.
  ///
  /// Returns `None` when there are no values, or when the median is not
  /// above 0 or the spread is infinite (half the values or more are 0 or
  /// negative), because log ratios to such a median are undefined. Values of
  /// 0 or below count as infinitely far below the median in the MAD, which
  /// widens the spread rather than hiding them. Costs O(n): two selections on
  /// integer keys, one division per value, and logarithms only when the MAD
  /// is 0.
  pub fn compute<I>(values: I, scratch: &mut Vec<u64>) -> Option<Self>
  where
    I: Iterator<Item = f64>,
  {
    scratch.clear();
    scratch.extend(values.map(order_key));
    let median = median_in_place(scratch)?;
    if !(median > 0.0 && median.is_finite()) {
      return None;
    }

    // |ln(v / m)| orders the same way as max(v / m, m / v), which needs no logarithm.
    for key in scratch.iter_mut() {
      let value = from_order_key(*key);
      let ratio = if value >= median {
        value / median
      } else if value > 0.0 {
        median / value
      } else {
        f64::INFINITY
      };
      *key = order_key(ratio);
    }
    let mad_ratio = median_in_place(scratch)?;
    let mad = mad_ratio.ln();
    if !mad.is_finite() {
      return None;
    }

    let scale = if mad > 0.0 {
      MAD_TO_SIGMA * mad
    } else {
      MEAN_DEVIATION_TO_SIGMA * mean_log_ratio(scratch)
    };
    let scale = if scale.is_finite() {
      scale.max(MIN_LOG_SCALE)
    } else {
      MIN_LOG_SCALE
    };
    Some(Self {
      median,
      log_median: median.ln(),
      scale,
    })
  }

  /// Returns the standardised log deviation of `value`, clamped to [−clip, clip].
  /// Values of 0 or below give −clip.
  pub fn standardise(&self, value: f64, clip: f64) -> f64 {
    if value <= 0.0 {
      return -clip;
    }
    ((value.ln() - self.log_median) / self.scale).clamp(-clip, clip)
  }
}

/// Maps `value` to an integer whose unsigned order is the IEEE 754 total
/// order of the floats, so selections compare integers instead of floats.
fn order_key(value: f64) -> u64 {
  let bits = value.to_bits();
  if bits >> 63 == 1 {
    !bits
  } else {
    bits | 1 << 63
  }
}

fn from_order_key(key: u64) -> f64 {
  let bits = if key >> 63 == 1 {
    key & !(1 << 63)
  } else {
    !key
  };
  f64::from_bits(bits)
}

/// Mean of ln(ratio) over the finite ratios stored as keys; 0 when there are none.
fn mean_log_ratio(keys: &[u64]) -> f64 {
  let (count, sum) = keys
    .iter()
    .map(|key| from_order_key(*key))
    .filter(|ratio| ratio.is_finite())
    .fold((0usize, 0.0), |(count, sum), ratio| {
      (count + 1, sum + ratio.ln())
    });
  if count == 0 {
    0.0
  } else {
    sum / count as f64
  }
}

/// Returns the median of the values stored as `keys` (the mean of the two
/// middle values for an even count), reordering them. `None` when empty.
fn median_in_place(keys: &mut [u64]) -> Option<f64> {
  let count = keys.len();
  if count == 0 {
    return None;
  }
  let middle = count / 2;
  let (lower_half, upper, _) = keys.select_nth_unstable(middle);
  let upper = from_order_key(*upper);
  if count % 2 == 1 || upper.is_infinite() {
    // With +∞ as the upper middle value the mean is +∞; returning it avoids ∞ − ∞.
    return Some(upper);
  }
  let lower = lower_half
    .iter()
    .copied()
    .max()
    .map_or(upper, from_order_key);
  Some(lower + (upper - lower) / 2.0)
}

#[cfg(test)]
mod tests {
  use super::*;

  fn baseline(values: &[f64]) -> Option<LogBaseline> {
    LogBaseline::compute(values.iter().copied(), &mut Vec::new())
  }

  #[test]
  fn median_matches_sorting() {
    let median = |values: &[f64]| {
      median_in_place(&mut values.iter().copied().map(order_key).collect::<Vec<_>>())
    };
    assert_eq!(median(&[5.0, 1.0, 4.0, 2.0, 3.0]), Some(3.0));
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&[-4.0, 1.0, -3.0, 2.0, 0.0]), Some(0.0));
    assert_eq!(median(&[]), None);
  }

  #[test]
  fn order_keys_sort_like_floats() {
    let values = [
      f64::NEG_INFINITY,
      -1e300,
      -2.5,
      -0.0,
      0.0,
      1e-300,
      1.0,
      2.5,
      1e300,
      f64::INFINITY,
    ];
    for pair in values.windows(2) {
      assert!(
        order_key(pair[0]) < order_key(pair[1]),
        "{} < {}",
        pair[0],
        pair[1]
      );
    }
    for value in values {
      assert_eq!(from_order_key(order_key(value)).to_bits(), value.to_bits());
    }
  }

  #[test]
  fn scale_matches_log_mad() {
    // ln-values −0.2, −0.1, 0, 0.1, 0.3: median 0, absolute deviations sorted 0, 0.1, 0.1, 0.2, 0.3.
    let values: Vec<f64> = [-0.2f64, -0.1, 0.0, 0.1, 0.3]
      .iter()
      .map(|x| 100.0 * x.exp())
      .collect();
    let baseline = baseline(&values).unwrap();
    assert!((baseline.median - 100.0).abs() < 1e-9);
    assert!(
      (baseline.scale - MAD_TO_SIGMA * 0.1).abs() < 1e-9,
      "{}",
      baseline.scale
    );
  }

  #[test]
  fn identical_values_get_minimum_scale() {
    let baseline = baseline(&[7.0; 20]).unwrap();
    assert_eq!(baseline.median, 7.0);
    assert_eq!(baseline.scale, MIN_LOG_SCALE);
  }

  #[test]
  fn zero_mad_falls_back_to_mean_deviation() {
    // 12 of 20 values equal the median, so the MAD is 0.
    let mut values = vec![10.0; 12];
    values.extend([20.0; 8]);
    let baseline = baseline(&values).unwrap();
    let expected = MEAN_DEVIATION_TO_SIGMA * 8.0 * 2f64.ln() / 20.0;
    assert!(
      (baseline.scale - expected).abs() < 1e-12,
      "{}",
      baseline.scale
    );
  }

  #[test]
  fn non_positive_median_gives_none() {
    assert_eq!(baseline(&[0.0, 0.0, 0.0, 5.0]), None);
    assert_eq!(baseline(&[-3.0, -2.0, -1.0]), None);
    assert_eq!(baseline(&[]), None);
  }

  #[test]
  fn some_zero_values_widen_the_spread() {
    let values = [0.0, 10.0, 10.5, 11.0, 9.5, 0.0, 10.2];
    let baseline = baseline(&values).unwrap();
    assert!(baseline.median > 0.0);
    assert!(baseline.scale.is_finite());
    assert!(baseline.scale > 0.0);
  }

  #[test]
  fn half_zero_values_give_none() {
    assert_eq!(
      baseline(&[0.0, 0.0, 10.0, 10.0, 10.0]).map(|b| b.median),
      Some(10.0)
    );
    assert_eq!(
      baseline(&[0.0, 0.0, 0.0, 0.0, 10.0, 10.0, 10.0, 10.0]),
      None
    );
  }

  #[test]
  fn standardise_clips_and_handles_zero() {
    let baseline = LogBaseline {
      median: 100.0,
      log_median: 100f64.ln(),
      scale: 0.25,
    };
    assert_eq!(baseline.standardise(100.0, 3.0), 0.0);
    assert_eq!(baseline.standardise(1e9, 3.0), 3.0);
    assert_eq!(baseline.standardise(0.0, 3.0), -3.0);
    assert_eq!(baseline.standardise(-5.0, 3.0), -3.0);
    let z = baseline.standardise(100.0 * 0.25f64.exp(), 3.0);
    assert!((z - 1.0).abs() < 1e-12);
  }
}
