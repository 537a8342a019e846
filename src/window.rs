//! Running statistics over a first-in, first-out window of values.
//!
//! Every update costs amortised O(1): the mean and the sum of squared
//! deviations follow Welford's update for an added and a removed value, and
//! the minimum and maximum come from monotonic queues. Removing values lets
//! rounding error accumulate, so the owner calls [`RunningStats::resync`]
//! once per window length of removals, which also costs O(1) per sample.

use std::collections::VecDeque;

/// Mean, population variance, minimum and maximum of the values currently in
/// a window. Values must be finite; callers reject NaN and infinities first.
#[derive(Debug, Clone, Default)]
pub struct RunningStats {
  count: usize,
  mean: f64,
  /// Sum of squared deviations from the mean (Welford's M2).
  m2: f64,
  /// Candidates for the minimum as (sequence number, value), values increasing.
  min_queue: VecDeque<(u64, f64)>,
  /// Candidates for the maximum as (sequence number, value), values decreasing.
  max_queue: VecDeque<(u64, f64)>,
  removals_since_resync: usize,
}

impl RunningStats {
  pub fn new() -> Self {
    Self::default()
  }

  /// Adds `value`, the newest value of the window, with its sequence number.
  pub fn add(&mut self, sequence: u64, value: f64) {
    self.count += 1;
    let delta = value - self.mean;
    self.mean += delta / self.count as f64;
    self.m2 += delta * (value - self.mean);

    while self.min_queue.back().is_some_and(|&(_, v)| v >= value) {
      self.min_queue.pop_back();
    }
    self.min_queue.push_back((sequence, value));

    while self.max_queue.back().is_some_and(|&(_, v)| v <= value) {
      self.max_queue.pop_back();
    }
    self.max_queue.push_back((sequence, value));
  }

  /// Removes `value`, the oldest value of the window, added under `sequence`.
  pub fn remove_oldest(&mut self, sequence: u64, value: f64) {
    if self.count <= 1 {
      self.clear();
      return;
    }
    self.count -= 1;
    let delta = value - self.mean;
    self.mean -= delta / self.count as f64;
    self.m2 -= delta * (value - self.mean);
    if self.m2 < 0.0 {
      self.m2 = 0.0;
    }
    self.removals_since_resync += 1;

    if self.min_queue.front().is_some_and(|&(s, _)| s == sequence) {
      self.min_queue.pop_front();
    }
    if self.max_queue.front().is_some_and(|&(s, _)| s == sequence) {
      self.max_queue.pop_front();
    }
  }

  /// Returns true once as many values were removed as the window holds, the
  /// point at which [`RunningStats::resync`] keeps the total cost O(1) per value.
  pub fn needs_resync(&self) -> bool {
    self.removals_since_resync >= self.count.max(1)
  }

  /// Recomputes the mean and M2 in two passes over the window's values,
  /// discarding the rounding error that removals accumulated.
  pub fn resync<I>(&mut self, values: I)
  where
    I: Iterator<Item = f64> + Clone,
  {
    let (count, sum) = values
      .clone()
      .fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    if count == 0 {
      self.clear();
      return;
    }
    let mean = sum / count as f64;
    // A second pass over the deviations corrects the rounding of `sum`.
    let correction = values.clone().map(|v| v - mean).sum::<f64>() / count as f64;
    let mean = mean + correction;
    self.m2 = values.map(|v| (v - mean) * (v - mean)).sum();
    self.mean = mean;
    self.count = count;
    self.removals_since_resync = 0;
  }

  pub fn clear(&mut self) {
    *self = Self::default();
  }

  pub fn count(&self) -> usize {
    self.count
  }

  pub fn mean(&self) -> f64 {
    if self.count == 0 {
      0.0
    } else {
      self.mean
    }
  }

  /// Population variance (divides by n, not n - 1).
  pub fn variance(&self) -> f64 {
    if self.count == 0 {
      0.0
    } else {
      self.m2 / self.count as f64
    }
  }

  /// Population standard deviation.
  pub fn std_dev(&self) -> f64 {
    self.variance().sqrt()
  }

  pub fn min(&self) -> Option<f64> {
    self.min_queue.front().map(|&(_, v)| v)
  }

  pub fn max(&self) -> Option<f64> {
    self.max_queue.front().map(|&(_, v)| v)
  }
}

/// Returns the `q` quantile (0 ≤ q ≤ 1) of `sorted` by linear interpolation
/// between closest ranks (Hyndman and Fan type 7, numpy's default), so the
/// result always lies within the smallest and largest value.
pub fn quantile_of_sorted(sorted: &[f64], q: f64) -> Option<f64> {
  let last = sorted.len().checked_sub(1)?;
  let q = if q.is_nan() { 0.5 } else { q.clamp(0.0, 1.0) };
  let rank = q * last as f64;
  let lower = rank.floor() as usize;
  let upper = rank.ceil() as usize;
  let (low, high) = (sorted[lower.min(last)], sorted[upper.min(last)]);
  let value = low + (high - low) * (rank - lower as f64);
  Some(value.clamp(low.min(high), low.max(high)))
}

#[cfg(test)]
mod tests {
  use super::*;

  fn two_pass(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, variance.sqrt())
  }

  #[test]
  fn single_value_has_zero_spread() {
    let mut stats = RunningStats::new();
    stats.add(0, 7.0);
    assert_eq!(stats.mean(), 7.0);
    assert_eq!(stats.std_dev(), 0.0);
    assert_eq!(stats.min(), Some(7.0));
    assert_eq!(stats.max(), Some(7.0));
  }

  #[test]
  fn removing_last_value_empties_stats() {
    let mut stats = RunningStats::new();
    stats.add(0, 3.0);
    stats.remove_oldest(0, 3.0);
    assert_eq!(stats.count(), 0);
    assert_eq!(stats.min(), None);
    assert_eq!(stats.mean(), 0.0);
  }

  #[test]
  fn sliding_window_matches_two_pass() {
    let values: Vec<f64> = (0..5000)
      .map(|i| ((i * 7919) % 1000) as f64 * 0.37 + 50.0)
      .collect();
    let window = 100;
    let mut stats = RunningStats::new();
    for (i, &v) in values.iter().enumerate() {
      if i >= window {
        stats.remove_oldest((i - window) as u64, values[i - window]);
      }
      stats.add(i as u64, v);
      let start = i.saturating_sub(window - 1);
      let slice = &values[start..=i];
      if stats.needs_resync() {
        stats.resync(slice.iter().copied());
      }
      let (mean, std) = two_pass(slice);
      assert!((stats.mean() - mean).abs() <= 1e-9 * mean.abs());
      assert!((stats.std_dev() - std).abs() <= 1e-9 * std.max(1e-300));
      let min = slice.iter().copied().fold(f64::INFINITY, f64::min);
      let max = slice.iter().copied().fold(f64::NEG_INFINITY, f64::max);
      assert_eq!(stats.min(), Some(min));
      assert_eq!(stats.max(), Some(max));
    }
  }

  #[test]
  fn quantiles_stay_within_range() {
    let two = [2.0, 418.0];
    for q in [0.0, 0.5, 0.95, 0.99, 1.0] {
      let value = quantile_of_sorted(&two, q).unwrap();
      assert!((2.0..=418.0).contains(&value), "q={q} gave {value}");
    }
    assert_eq!(quantile_of_sorted(&[7.0], 0.99), Some(7.0));
    assert_eq!(quantile_of_sorted(&[], 0.5), None);
  }
}
