//! The samples kept for one metric name, stored column-wise in a ring.

use std::sync::Arc;

use serde_json::value::RawValue;

use crate::baseline::Baseline;
use crate::detection::{RobustDetector, RobustFinding, RobustOptions};
use crate::regression::RegressionRule;
use crate::threshold::Threshold;
use crate::window::{quantile_of_sorted, RunningStats};

/// One stored sample, as read back by callers.
#[derive(Debug, Clone)]
pub struct Sample {
  pub value: f64,
  pub unit: Arc<str>,
  /// Epoch milliseconds.
  pub timestamp: f64,
  /// The caller's context object as JSON text.
  pub context: Option<Box<RawValue>>,
}

/// The newest `capacity` samples of one metric and their running statistics.
///
/// Values, timestamps and unit ids sit in parallel vectors (about 18 bytes a
/// sample); the context column is only allocated once a sample carries one.
#[derive(Debug)]
pub struct Series {
  name: Arc<str>,
  capacity: usize,
  values: Vec<f64>,
  timestamps: Vec<f64>,
  unit_ids: Vec<u16>,
  contexts: Option<Vec<Option<Box<RawValue>>>>,
  /// Distinct units seen for this metric; `unit_ids` index into it.
  units: Vec<Arc<str>>,
  /// Physical index of the oldest live sample.
  start: usize,
  len: usize,
  /// Sequence number the next sample gets; the oldest live one has `next_sequence - len`.
  next_sequence: u64,
  stats: RunningStats,
  last_updated: f64,
  /// Samples pushed since the series was created, including dropped ones.
  pub(crate) total_count: u64,
  /// Sum of every value pushed since the series was created.
  pub(crate) total_sum: f64,
  pub(crate) threshold: Option<Threshold>,
  pub(crate) rule: RegressionRule,
  /// State of the robust detector; `None` when the classic rule applies.
  robust: Option<Box<RobustDetector>>,
  /// Set once the monitor removed this series from its name map; a
  /// `SeriesTarget` that still points here must resolve its name again.
  pub(crate) detached: bool,
}

/// Units beyond this many distinct ones per metric are stored as the last one.
const MAX_UNITS_PER_METRIC: usize = u16::MAX as usize;

impl Series {
  pub fn new(
    name: Arc<str>,
    capacity: usize,
    threshold: Option<Threshold>,
    rule: RegressionRule,
  ) -> Self {
    Self {
      name,
      capacity: capacity.max(1),
      values: Vec::new(),
      timestamps: Vec::new(),
      unit_ids: Vec::new(),
      contexts: None,
      units: Vec::new(),
      start: 0,
      len: 0,
      next_sequence: 0,
      stats: RunningStats::new(),
      last_updated: 0.0,
      total_count: 0,
      total_sum: 0.0,
      threshold,
      rule,
      robust: None,
      detached: false,
    }
  }

  pub fn name(&self) -> &Arc<str> {
    &self.name
  }

  pub fn len(&self) -> usize {
    self.len
  }

  pub fn is_empty(&self) -> bool {
    self.len == 0
  }

  pub fn stats(&self) -> &RunningStats {
    &self.stats
  }

  /// Appends a sample, dropping the oldest one when the ring is full, and
  /// updates the running statistics. The value must be finite.
  pub fn push(&mut self, value: f64, unit: &str, timestamp: f64, context: Option<Box<RawValue>>) {
    let unit_id = self.intern_unit(unit);
    self.push_unit_id(value, unit_id, timestamp, context);
  }

  /// Appends a sample whose unit `intern_unit` already returned the id of.
  pub(crate) fn push_unit_id(
    &mut self,
    value: f64,
    unit_id: u16,
    timestamp: f64,
    context: Option<Box<RawValue>>,
  ) {
    if self.len == self.capacity {
      self.drop_oldest();
    }

    // A compare instead of `%`: an integer division would cost more than the
    // rest of the push together.
    let mut slot = self.start + self.len;
    if slot >= self.capacity {
      slot -= self.capacity;
    }
    if slot == self.values.len() {
      self.values.push(value);
      self.timestamps.push(timestamp);
      self.unit_ids.push(unit_id);
      if let Some(contexts) = self.contexts.as_mut() {
        contexts.push(None);
      }
    } else {
      self.values[slot] = value;
      self.timestamps[slot] = timestamp;
      self.unit_ids[slot] = unit_id;
      if let Some(contexts) = self.contexts.as_mut() {
        contexts[slot] = None;
      }
    }
    if context.is_some() {
      let stored = self.values.len();
      let contexts = self.contexts.get_or_insert_with(|| vec![None; stored]);
      contexts[slot] = context;
    }

    self.len += 1;
    self.stats.add(self.next_sequence, value);
    self.next_sequence += 1;
    self.total_count += 1;
    self.total_sum += value;
    self.last_updated = timestamp;
    if self.stats.needs_resync() {
      self.resync();
    }
  }

  /// Drops samples whose timestamp is before `cutoff`, oldest first, stopping
  /// at the first newer one. Returns how many were dropped.
  pub fn drop_older_than(&mut self, cutoff: f64) -> usize {
    let mut dropped = 0;
    while self.len > 0 && self.timestamps[self.start] < cutoff {
      self.drop_oldest();
      dropped += 1;
    }
    if dropped > 0 && self.len > 0 {
      self.resync();
    }
    dropped
  }

  fn drop_oldest(&mut self) {
    let oldest_sequence = self.next_sequence - self.len as u64;
    self
      .stats
      .remove_oldest(oldest_sequence, self.values[self.start]);
    if let Some(contexts) = self.contexts.as_mut() {
      contexts[self.start] = None;
    }
    self.start += 1;
    if self.start == self.capacity {
      self.start = 0;
    }
    self.len -= 1;
    if self.len == 0 {
      self.start = 0;
      self.values.clear();
      self.timestamps.clear();
      self.unit_ids.clear();
      self.contexts = None;
    }
  }

  fn resync(&mut self) {
    let (head, tail) = live_slices(&self.values, self.start, self.len, self.capacity);
    self.stats.resync(head.iter().chain(tail.iter()).copied());
  }

  /// Returns the id of `unit` in this series' unit table, adding it when
  /// new. Ids stay valid for the life of the series.
  pub(crate) fn intern_unit(&mut self, unit: &str) -> u16 {
    if let Some(last) = self.unit_ids.last() {
      if let Some(known) = self.units.get(*last as usize) {
        if known.as_ref() == unit {
          return *last;
        }
      }
    }
    if let Some(index) = self.units.iter().position(|known| known.as_ref() == unit) {
      return index as u16;
    }
    if self.units.len() >= MAX_UNITS_PER_METRIC {
      return (self.units.len() - 1) as u16;
    }
    self.units.push(Arc::from(unit));
    (self.units.len() - 1) as u16
  }

  /// Returns the unit with id `unit_id`, or '' for an id never handed out.
  pub(crate) fn unit(&self, unit_id: u16) -> Arc<str> {
    self
      .units
      .get(unit_id as usize)
      .cloned()
      .unwrap_or_else(|| Arc::from(""))
  }

  /// Marks the series as removed from its monitor and frees its samples.
  pub(crate) fn detach(&mut self) {
    self.detached = true;
    self.values = Vec::new();
    self.timestamps = Vec::new();
    self.unit_ids = Vec::new();
    self.contexts = None;
    self.start = 0;
    self.len = 0;
    self.stats.clear();
  }

  /// Returns the live values in order as two slices, because the ring may wrap once.
  fn live_values(&self) -> (&[f64], &[f64]) {
    live_slices(&self.values, self.start, self.len, self.capacity)
  }

  fn physical_index(&self, logical: usize) -> usize {
    (self.start + logical) % self.capacity
  }

  /// Returns the newest `limit` samples (all when `None`), oldest first.
  pub fn samples(&self, limit: Option<usize>) -> Vec<Sample> {
    let count = limit.map_or(self.len, |limit| limit.min(self.len));
    (self.len - count..self.len)
      .map(|logical| {
        let index = self.physical_index(logical);
        Sample {
          value: self.values[index],
          unit: self.units[self.unit_ids[index] as usize].clone(),
          timestamp: self.timestamps[index],
          context: self.contexts.as_ref().and_then(|c| c[index].clone()),
        }
      })
      .collect()
  }

  /// Returns the live values, oldest first.
  pub fn values(&self) -> Vec<f64> {
    let (head, tail) = self.live_values();
    let mut values = Vec::with_capacity(self.len);
    values.extend_from_slice(head);
    values.extend_from_slice(tail);
    values
  }

  /// Returns the baseline over the live samples, or `None` when there are none.
  pub fn baseline(&self) -> Option<Baseline> {
    if self.len == 0 {
      return None;
    }
    let mut sorted = self.values();
    sorted.sort_unstable_by(f64::total_cmp);
    Some(Baseline {
      metric_name: self.name.clone(),
      average_value: self.stats.mean(),
      min_value: self.stats.min().unwrap_or(sorted[0]),
      max_value: self.stats.max().unwrap_or(sorted[sorted.len() - 1]),
      standard_deviation: self.stats.std_dev(),
      sample_count: self.len,
      last_updated: self.last_updated,
      p50: quantile_of_sorted(&sorted, 0.50).unwrap_or(0.0),
      p95: quantile_of_sorted(&sorted, 0.95).unwrap_or(0.0),
      p99: quantile_of_sorted(&sorted, 0.99).unwrap_or(0.0),
    })
  }

  pub fn last_updated(&self) -> f64 {
    self.last_updated
  }

  /// Switches this series to the robust detector with `options`, restarting
  /// its state, or back to the classic rule when `None`.
  pub(crate) fn set_detection(&mut self, options: Option<RobustOptions>) {
    self.robust = options.map(|options| Box::new(RobustDetector::new(options)));
  }

  pub(crate) fn uses_robust_detection(&self) -> bool {
    self.robust.is_some()
  }

  /// Runs the robust detector on the newest sample `value`; `None` when
  /// there is no alarm or the series uses the classic rule.
  pub(crate) fn detect_robust(&mut self, value: f64) -> Option<RobustFinding> {
    let detector = self.robust.as_mut()?;
    let newest = self.next_sequence.checked_sub(1)?;
    let (head, tail) = live_slices(&self.values, self.start, self.len, self.capacity);
    detector.observe(value, newest, head, tail, self.rule.critical_percent)
  }
}

/// Splits the live part of a ring column into at most two ordered slices.
fn live_slices(column: &[f64], start: usize, len: usize, capacity: usize) -> (&[f64], &[f64]) {
  let end = start + len;
  if end <= column.len() {
    (&column[start..end], &[])
  } else {
    let wrapped = end - capacity;
    (&column[start..], &column[..wrapped])
  }
}
