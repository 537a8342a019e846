//! `compareSamples`: the statistics behind the harness's old-versus-new
//! verdict, computed on a libuv worker thread.

use napi::bindgen_prelude::{AsyncTask, Float64Array};
use napi::{Env, Task};
use napi_derive::napi;
use perf_sentinel_core::compare::{self, CompareError, CompareOptions, Comparison};

use crate::errors::{range_error, type_error};

/// Largest integer that a JavaScript number represents exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Thresholds of the verdict rule. Every field is optional.
#[napi(object)]
pub struct CompareRule {
  /// Significance level of the Mann-Whitney U test, in (0, 1). Default 0.05.
  pub alpha: Option<f64>,
  /// Smallest relative change called regressed or improved, from 0 to 10. Default 0.01 (1 %).
  pub min_effect: Option<f64>,
  /// Relative change within which the sides are equivalent, from 0 to 10. Default 0.03 (3 %).
  pub equivalence_margin: Option<f64>,
}

/// Result of `compareSamples`.
#[napi(object)]
pub struct SampleComparison {
  pub old_median: f64,
  pub new_median: f64,
  /// Median ratio new / old: 1 when both medians are 0, Infinity when only the old one is.
  pub ratio: f64,
  /// `[low, high]`: 2.5th and 97.5th percentiles of the bootstrapped median ratio.
  #[napi(js_name = "ratioCI95")]
  pub ratio_ci95: Vec<f64>,
  /// Two-sided p-value of the Mann-Whitney U test (normal approximation).
  pub p_value: f64,
  /// U statistic of the old sample: pairs where old is larger, ties counting one half.
  pub u_statistic: f64,
  /// Standard score of U, with tie and continuity corrections.
  pub z_score: f64,
  /// `'regressed' | 'improved' | 'equivalent' | 'inconclusive'`.
  #[napi(ts_type = "'regressed' | 'improved' | 'equivalent' | 'inconclusive'")]
  pub verdict: String,
}

impl From<Comparison> for SampleComparison {
  fn from(comparison: Comparison) -> Self {
    Self {
      old_median: comparison.old_median,
      new_median: comparison.new_median,
      ratio: comparison.ratio,
      ratio_ci95: vec![comparison.ratio_ci95.0, comparison.ratio_ci95.1],
      p_value: comparison.p_value,
      u_statistic: comparison.u_statistic,
      z_score: comparison.z_score,
      verdict: comparison.verdict.as_str().to_string(),
    }
  }
}

/// Runs the bootstrap and the test on a worker thread over copies of the samples.
pub struct CompareTask {
  old: Vec<f64>,
  new: Vec<f64>,
  options: CompareOptions,
}

impl Task for CompareTask {
  type Output = Comparison;
  type JsValue = SampleComparison;

  fn compute(&mut self) -> napi::Result<Comparison> {
    compare::compare_samples(&self.old, &self.new, &self.options).map_err(to_napi)
  }

  fn resolve(&mut self, _env: Env, output: Comparison) -> napi::Result<SampleComparison> {
    Ok(output.into())
  }
}

/// Compares two Float64Arrays of timings (or any non-negative measurements):
/// median ratio new / old with a seeded percentile-bootstrap 95 % interval
/// over `resamples` resamples (1 to 100000), a two-sided Mann-Whitney U test,
/// and the verdict: regressed when the interval lies above 1 + minEffect and
/// p < alpha, improved when it lies below 1 / (1 + minEffect) and p < alpha,
/// equivalent when it lies within [1 / (1 + equivalenceMargin), 1 + equivalenceMargin],
/// inconclusive otherwise. Each side needs at least 2 finite values of at
/// least 0. `seed` is an integer from 0 to 2^53 - 1; the same seed and
/// samples give the same interval. Invalid arguments throw a TypeError or
/// RangeError before any work starts.
#[napi(catch_unwind, ts_return_type = "Promise<SampleComparison>")]
pub fn compare_samples(
  old_samples: Float64Array,
  new_samples: Float64Array,
  seed: f64,
  resamples: f64,
  rule: Option<CompareRule>,
) -> napi::Result<AsyncTask<CompareTask>> {
  let defaults = CompareOptions::default();
  let rule = rule.unwrap_or(CompareRule {
    alpha: None,
    min_effect: None,
    equivalence_margin: None,
  });
  let options = CompareOptions {
    seed: integer_argument("seed", seed, 0.0, MAX_SAFE_INTEGER)? as u64,
    resamples: integer_argument("resamples", resamples, 1.0, compare::MAX_RESAMPLES as f64)?
      as usize,
    alpha: rule.alpha.unwrap_or(defaults.alpha),
    min_effect: rule.min_effect.unwrap_or(defaults.min_effect),
    equivalence_margin: rule
      .equivalence_margin
      .unwrap_or(defaults.equivalence_margin),
  };
  options.validate().map_err(to_napi)?;

  let task = CompareTask {
    old: old_samples.to_vec(),
    new: new_samples.to_vec(),
    options,
  };
  // Checking the samples here makes bad input throw synchronously, as the other argument errors do.
  compare::check_samples("old", &task.old).map_err(to_napi)?;
  compare::check_samples("new", &task.new).map_err(to_napi)?;
  Ok(AsyncTask::new(task))
}

fn integer_argument(name: &str, value: f64, min: f64, max: f64) -> napi::Result<f64> {
  if value.fract() != 0.0 || !value.is_finite() {
    return Err(type_error(format!(
      "{name} must be an integer, received {value}"
    )));
  }
  if value < min || value > max {
    return Err(range_error(format!(
      "{name} must be between {min} and {max}, received {value}"
    )));
  }
  Ok(value)
}

fn to_napi(error: CompareError) -> napi::Error {
  range_error(error)
}
