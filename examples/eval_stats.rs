//! Seeded comparison of the classic and the robust regression detection on
//! synthetic lognormal streams: false alarms on stable streams, delay after
//! steps, first detection during a slow drift, and alarms caused by single
//! spikes. Every trial feeds the same stream to both methods through
//! `Monitor::record`, the path the addon uses.
//!
//! Run: `cargo run --release --example eval_stats [-- --seed N --trials N
//! --min-samples N --allowance K --decision-interval H --clip C]`.
//! STATISTICS.md records the results of the default run.

use std::time::Instant;

use perf_sentinel_core::detection::{DetectionMethod, RobustOptions};
use perf_sentinel_core::monitor::MonitorOptions;
use perf_sentinel_core::Monitor;

const DEFAULT_SEED: u64 = 20_261_204;
const DEFAULT_TRIALS: usize = 200;
/// Median of every synthetic stream before a change, in milliseconds.
const MEDIAN: f64 = 100.0;
const STATIONARY_LENGTH: usize = 10_000;
/// Samples before a step, drift or spike: a full default window plus a
/// random offset below 100, so changes fall at every phase of the baseline refresh.
const WARM_LENGTH: usize = 1000;
const WARM_JITTER: u64 = 100;
const STEP_HORIZON: usize = 200;
const STEP_WITHIN: usize = 30;
const DRIFT_LENGTH: usize = 2000;
const DRIFT_PERCENT: f64 = 50.0;
const SPIKES_PER_TRIAL: usize = 10;
const SPIKE_SPACING: usize = 300;
const SPIKE_FACTOR: f64 = 10.0;
/// Samples from a spike on in which an alarm counts as caused by it.
const SPIKE_WINDOW: usize = 100;
const SIGMAS: [f64; 2] = [0.25, 0.5];
/// Step sizes; the step of 0 % is the control, where every alarm is a false one.
const STEPS_PERCENT: [f64; 4] = [0.0, 10.0, 30.0, 100.0];

/// xoshiro256++ (Blackman and Vigna), seeded through SplitMix64. Written out
/// here so that the streams stay identical whatever crate versions are locked.
struct Rng {
  state: [u64; 4],
  spare_normal: Option<f64>,
}

fn splitmix64(state: &mut u64) -> u64 {
  *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
  let mut z = *state;
  z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
  z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
  z ^ (z >> 31)
}

impl Rng {
  fn new(seed: u64) -> Self {
    let mut mixer = seed;
    let state = [
      splitmix64(&mut mixer),
      splitmix64(&mut mixer),
      splitmix64(&mut mixer),
      splitmix64(&mut mixer),
    ];
    Self {
      state,
      spare_normal: None,
    }
  }

  fn next_u64(&mut self) -> u64 {
    let s = &mut self.state;
    let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
    let t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3].rotate_left(45);
    result
  }

  /// Uniform in [0, 1) with 53 random bits.
  fn uniform(&mut self) -> f64 {
    (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
  }

  fn below(&mut self, bound: u64) -> u64 {
    self.next_u64() % bound
  }

  /// Standard normal by Marsaglia's polar method.
  fn normal(&mut self) -> f64 {
    if let Some(spare) = self.spare_normal.take() {
      return spare;
    }
    loop {
      let u = 2.0 * self.uniform() - 1.0;
      let v = 2.0 * self.uniform() - 1.0;
      let s = u * u + v * v;
      if s > 0.0 && s < 1.0 {
        let factor = (-2.0 * s.ln() / s).sqrt();
        self.spare_normal = Some(v * factor);
        return u * factor;
      }
    }
  }

  /// Draws a lognormal sample with median `median` and log-scale σ `sigma`.
  fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
    median * (sigma * self.normal()).exp()
  }
}

/// Derives the seed of one trial so that every scenario has its own streams.
fn trial_seed(seed: u64, scenario: u64, trial: usize) -> u64 {
  let mut mixer = seed ^ (scenario << 32) ^ trial as u64;
  splitmix64(&mut mixer)
}

#[derive(Clone, Copy)]
enum Method {
  Classic,
  Robust(RobustOptions),
}

impl Method {
  fn label(self) -> &'static str {
    match self {
      Method::Classic => "classic",
      Method::Robust(_) => "robust",
    }
  }
}

/// Records `values` in order into a fresh monitor and returns the indices of
/// the samples that raised a regression alert.
fn alarms(method: Method, values: &[f64]) -> Vec<usize> {
  let mut options = MonitorOptions {
    default_thresholds: false,
    ..MonitorOptions::default()
  };
  if let Method::Robust(robust) = method {
    options.detection = DetectionMethod::Robust;
    options.robust = robust;
  }
  let monitor = match Monitor::new(options) {
    Ok(monitor) => monitor,
    Err(error) => panic!("invalid evaluation options: {error}"),
  };
  let mut raised = Vec::new();
  for (index, &value) in values.iter().enumerate() {
    match monitor.record("latency", value, "ms", index as f64, None) {
      Ok(outcome) if outcome.regression.is_some() => raised.push(index),
      Ok(_) => {}
      Err(error) => panic!("record rejected sample {index} ({value}): {error}"),
    }
  }
  raised
}

fn warm_length(rng: &mut Rng) -> usize {
  WARM_LENGTH + rng.below(WARM_JITTER) as usize
}

/// Median of `values` (None counts as never), or None when over half are None.
fn median_of(mut values: Vec<Option<usize>>) -> Option<usize> {
  values.sort_by_key(|value| value.unwrap_or(usize::MAX));
  values.get(values.len() / 2).copied().flatten()
}

fn show(value: Option<usize>) -> String {
  value.map_or_else(|| String::from("never"), |v| v.to_string())
}

struct Config {
  seed: u64,
  trials: usize,
  robust: RobustOptions,
}

fn parse_args() -> Result<Config, String> {
  let mut config = Config {
    seed: DEFAULT_SEED,
    trials: DEFAULT_TRIALS,
    robust: RobustOptions::default(),
  };
  let mut args = std::env::args().skip(1);
  while let Some(flag) = args.next() {
    let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
    let invalid = |error: &dyn std::fmt::Display| format!("invalid {flag} '{value}': {error}");
    match flag.as_str() {
      "--seed" => config.seed = value.parse().map_err(|e| invalid(&e))?,
      "--trials" => config.trials = value.parse().map_err(|e| invalid(&e))?,
      "--min-samples" => config.robust.min_samples = value.parse().map_err(|e| invalid(&e))?,
      "--allowance" => config.robust.allowance = value.parse().map_err(|e| invalid(&e))?,
      "--decision-interval" => {
        config.robust.decision_interval = value.parse().map_err(|e| invalid(&e))?
      }
      "--clip" => config.robust.clip = value.parse().map_err(|e| invalid(&e))?,
      other => {
        return Err(format!(
          "unknown option {other}; see the header of examples/eval_stats.rs"
        ))
      }
    }
  }
  if config.trials == 0 {
    return Err(String::from("--trials must be at least 1"));
  }
  config
    .robust
    .validate(MonitorOptions::default().max_samples)
    .map_err(|e| e.to_string())?;
  Ok(config)
}

struct StationaryResult {
  /// False alarms per 10,000 samples, counted from the first sample.
  rate: f64,
  /// The same over the first `WARM_LENGTH` samples only.
  rate_warming: f64,
  /// The same over the samples after them, when the window is full.
  rate_full: f64,
  /// Median over trials of the time per record, which load on the machine disturbs less than the mean.
  nanos_per_record: f64,
}

/// False alarms on a stable stream, and the time per record.
fn stationary(config: &Config, method: Method, scenario: u64, sigma: f64) -> StationaryResult {
  let mut warming = 0;
  let mut full = 0;
  let mut nanos = Vec::with_capacity(config.trials);
  for trial in 0..config.trials {
    let mut rng = Rng::new(trial_seed(config.seed, scenario, trial));
    let values: Vec<f64> = (0..STATIONARY_LENGTH)
      .map(|_| rng.lognormal(MEDIAN, sigma))
      .collect();
    let started = Instant::now();
    let raised = alarms(method, &values);
    nanos.push(started.elapsed().as_secs_f64() * 1e9 / STATIONARY_LENGTH as f64);
    let early = raised.iter().filter(|&&index| index < WARM_LENGTH).count();
    warming += early;
    full += raised.len() - early;
  }
  let per_10k =
    |alarms: usize, samples: usize| alarms as f64 / (config.trials * samples) as f64 * 10_000.0;
  StationaryResult {
    rate: per_10k(warming + full, STATIONARY_LENGTH),
    rate_warming: per_10k(warming, WARM_LENGTH),
    rate_full: per_10k(full, STATIONARY_LENGTH - WARM_LENGTH),
    nanos_per_record: {
      nanos.sort_by(f64::total_cmp);
      nanos[nanos.len() / 2]
    },
  }
}

struct StepResult {
  detected_within: f64,
  median_delay: Option<usize>,
  p90_delay: Option<usize>,
  alarms_after: f64,
}

/// Delay (1 = the first shifted sample) of the first alarm after a step of
/// `percent`, over `STEP_HORIZON` shifted samples.
fn step(config: &Config, method: Method, scenario: u64, sigma: f64, percent: f64) -> StepResult {
  let mut delays = Vec::with_capacity(config.trials);
  let mut alarms_after = 0;
  for trial in 0..config.trials {
    let mut rng = Rng::new(trial_seed(config.seed, scenario, trial));
    let before = warm_length(&mut rng);
    let shifted = MEDIAN * (1.0 + percent / 100.0);
    let values: Vec<f64> = (0..before + STEP_HORIZON)
      .map(|index| rng.lognormal(if index < before { MEDIAN } else { shifted }, sigma))
      .collect();
    let raised = alarms(method, &values);
    let after: Vec<usize> = raised
      .iter()
      .filter(|&&index| index >= before)
      .map(|index| index - before + 1)
      .collect();
    alarms_after += after.len();
    delays.push(after.first().copied());
  }
  let within = delays
    .iter()
    .filter(|delay| delay.is_some_and(|d| d <= STEP_WITHIN))
    .count();
  let mut sorted: Vec<usize> = delays
    .iter()
    .map(|delay| delay.unwrap_or(usize::MAX))
    .collect();
  sorted.sort_unstable();
  let p90 = sorted[(sorted.len() * 9 / 10).min(sorted.len() - 1)];
  StepResult {
    detected_within: within as f64 / config.trials as f64 * 100.0,
    median_delay: median_of(delays),
    p90_delay: (p90 != usize::MAX).then_some(p90),
    alarms_after: alarms_after as f64 / config.trials as f64,
  }
}

struct DriftResult {
  detected: f64,
  median_sample: Option<usize>,
}

/// First alarm while the median rises linearly by `DRIFT_PERCENT` over `DRIFT_LENGTH` samples.
fn drift(config: &Config, method: Method, scenario: u64, sigma: f64) -> DriftResult {
  let mut firsts = Vec::with_capacity(config.trials);
  for trial in 0..config.trials {
    let mut rng = Rng::new(trial_seed(config.seed, scenario, trial));
    let before = warm_length(&mut rng);
    let values: Vec<f64> = (0..before + DRIFT_LENGTH)
      .map(|index| {
        let progress = index.saturating_sub(before) as f64 / DRIFT_LENGTH as f64;
        rng.lognormal(MEDIAN * (1.0 + DRIFT_PERCENT / 100.0 * progress), sigma)
      })
      .collect();
    let first = alarms(method, &values)
      .into_iter()
      .find(|&index| index >= before);
    firsts.push(first.map(|index| index - before + 1));
  }
  let detected = firsts.iter().filter(|first| first.is_some()).count();
  DriftResult {
    detected: detected as f64 / config.trials as f64 * 100.0,
    median_sample: median_of(firsts),
  }
}

struct SpikeResult {
  at_spike: f64,
  within_window: f64,
}

/// Alarms per spike of `SPIKE_FACTOR` times a normal sample, on the spike
/// itself and within `SPIKE_WINDOW` samples from it.
fn spikes(config: &Config, method: Method, scenario: u64, sigma: f64) -> SpikeResult {
  let mut at_spike = 0;
  let mut within_window = 0;
  for trial in 0..config.trials {
    let mut rng = Rng::new(trial_seed(config.seed, scenario, trial));
    let before = warm_length(&mut rng);
    let length = before + SPIKES_PER_TRIAL * SPIKE_SPACING;
    let spike_at = |index: usize| index >= before && (index - before).is_multiple_of(SPIKE_SPACING);
    let values: Vec<f64> = (0..length)
      .map(|index| {
        let value = rng.lognormal(MEDIAN, sigma);
        if spike_at(index) {
          value * SPIKE_FACTOR
        } else {
          value
        }
      })
      .collect();
    for index in alarms(method, &values)
      .into_iter()
      .filter(|&index| index >= before)
    {
      let offset = (index - before) % SPIKE_SPACING;
      if offset == 0 {
        at_spike += 1;
      }
      if offset < SPIKE_WINDOW {
        within_window += 1;
      }
    }
  }
  let count = (config.trials * SPIKES_PER_TRIAL) as f64;
  SpikeResult {
    at_spike: at_spike as f64 / count,
    within_window: within_window as f64 / count,
  }
}

fn main() {
  let config = match parse_args() {
    Ok(config) => config,
    Err(message) => {
      eprintln!("eval_stats: {message}");
      std::process::exit(2);
    }
  };
  let methods = [Method::Classic, Method::Robust(config.robust)];
  let robust = config.robust;
  println!(
    "seed {}, {} trials per scenario and method, lognormal streams with median {MEDIAN}",
    config.seed, config.trials
  );
  println!(
    "robust: minSamples {}, allowance k {}, decisionInterval h {}, clip c {}",
    robust.min_samples, robust.allowance, robust.decision_interval, robust.clip
  );

  println!("\n## Stable stream: false alarms per 10,000 samples ({STATIONARY_LENGTH} samples a trial, warm-up included)\n");
  println!("| σ | method | false alarms / 10,000 | in the first {WARM_LENGTH} samples | after them | ns per record |");
  println!("|---|---|---|---|---|---|");
  for (sigma_index, &sigma) in SIGMAS.iter().enumerate() {
    for method in methods {
      let result = stationary(&config, method, 10 + sigma_index as u64, sigma);
      println!(
        "| {sigma} | {} | {:.1} | {:.1} | {:.1} | {:.0} |",
        method.label(),
        result.rate,
        result.rate_warming,
        result.rate_full,
        result.nanos_per_record
      );
    }
  }

  println!(
    "\n## Steps: delay in samples after the step (1 = first shifted sample), horizon {STEP_HORIZON}\n"
  );
  println!("| σ | step | method | detected within {STEP_WITHIN} | median delay | 90th percentile delay | alarms in {STEP_HORIZON} samples after |");
  println!("|---|---|---|---|---|---|---|");
  for (sigma_index, &sigma) in SIGMAS.iter().enumerate() {
    for (step_index, &percent) in STEPS_PERCENT.iter().enumerate() {
      let scenario = 20 + (STEPS_PERCENT.len() * sigma_index + step_index) as u64;
      for method in methods {
        let result = step(&config, method, scenario, sigma, percent);
        println!(
          "| {sigma} | +{percent} % | {} | {:.1} % | {} | {} | {:.1} |",
          method.label(),
          result.detected_within,
          show(result.median_delay),
          show(result.p90_delay),
          result.alarms_after
        );
      }
    }
  }

  println!("\n## Drift: median +{DRIFT_PERCENT} % linearly over {DRIFT_LENGTH} samples\n");
  println!("| σ | method | detected during the drift | median first alarm (sample of the drift) | level then |");
  println!("|---|---|---|---|---|");
  for (sigma_index, &sigma) in SIGMAS.iter().enumerate() {
    for method in methods {
      let result = drift(&config, method, 40 + sigma_index as u64, sigma);
      let level = result.median_sample.map_or_else(
        || String::from("—"),
        |sample| {
          format!(
            "+{:.1} %",
            DRIFT_PERCENT * sample as f64 / DRIFT_LENGTH as f64
          )
        },
      );
      println!(
        "| {sigma} | {} | {:.1} % | {} | {level} |",
        method.label(),
        result.detected,
        show(result.median_sample)
      );
    }
  }

  println!(
    "\n## Single spikes of {SPIKE_FACTOR}× a normal sample, {SPIKES_PER_TRIAL} per trial {SPIKE_SPACING} samples apart\n"
  );
  println!("| σ | method | alarms per spike, on the spike | alarms per spike, within {SPIKE_WINDOW} samples |");
  println!("|---|---|---|---|");
  for (sigma_index, &sigma) in SIGMAS.iter().enumerate() {
    for method in methods {
      let result = spikes(&config, method, 50 + sigma_index as u64, sigma);
      println!(
        "| {sigma} | {} | {:.3} | {:.3} |",
        method.label(),
        result.at_spike,
        result.within_window
      );
    }
  }
}
