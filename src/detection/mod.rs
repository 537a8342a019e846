//! Regression detection methods a metric can use, and the parameters of the
//! robust one.
//!
//! `classic` is the rule in [`crate::regression::RegressionRule`]: a single
//! value above `mean + 2σ` and more than 20 % over the mean. It is the
//! default and reproduces the TypeScript original's alerts exactly. `robust`
//! is [`RobustDetector`]: a one-sided CUSUM on log values, standardised by
//! the median and MAD of the window and clipped at `clip` standard
//! deviations. STATISTICS.md compares the two on seeded synthetic streams.

mod baseline;
mod robust;

pub use baseline::LogBaseline;
pub use robust::{RobustDetector, RobustFinding};

use serde::{Deserialize, Serialize};

use crate::error::MonitorError;

/// How a metric decides that a sample is a regression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DetectionMethod {
  /// The mean + 2σ rule of the TypeScript original, judged on every sample.
  #[default]
  Classic,
  /// A CUSUM of robustly standardised log values; see [`RobustDetector`].
  Robust,
}

impl DetectionMethod {
  /// Parses the names used in the JavaScript options, `'classic'` and `'robust'`.
  pub fn parse(name: &str) -> Result<Self, MonitorError> {
    match name {
      "classic" => Ok(DetectionMethod::Classic),
      "robust" => Ok(DetectionMethod::Robust),
      other => Err(MonitorError::InvalidOption {
        name: "detection",
        reason: format!("must be 'classic' or 'robust', received '{other}'"),
      }),
    }
  }

  pub fn as_str(self) -> &'static str {
    match self {
      DetectionMethod::Classic => "classic",
      DetectionMethod::Robust => "robust",
    }
  }
}

/// Parameters of the robust detector. `allowance`, `decision_interval` and
/// `clip` are in robust standard deviations of the log values (1.4826 · MAD).
///
/// The defaults find a shift of one standard deviation (+28 % at a log-scale
/// σ of 0.25) after a median of 10 samples, while a stable stream raises
/// about 4 false alarms per 10,000 samples. STATISTICS.md has the measured
/// figures and how they were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RobustOptions {
  /// Samples the baseline needs before any check, at start and again after
  /// each alarm. Default 30.
  pub min_samples: usize,
  /// CUSUM reference value k: each standardised value adds `z − k`, so only
  /// shifts larger than k accumulate. It is half the shift the detector is
  /// tuned for, which is one standard deviation. Default 0.5.
  pub allowance: f64,
  /// CUSUM decision interval h: an alarm is raised when the sum exceeds it.
  /// Default 6: with k = 0.5, Siegmund's approximation gives an average run
  /// length of about 2,600 samples between false alarms on normal data; 5
  /// would give about 940, too close to one false alarm per 1,000 samples.
  pub decision_interval: f64,
  /// Huber clipping bound c: each standardised value is clamped to
  /// [−c, c] before it enters the sum, so one sample adds at most `c − k`.
  /// While `c − k` is below `decision_interval` a single spike cannot raise
  /// an alarm on its own. Default 3, so a doubling at σ 0.25 (2.8 standard
  /// deviations) still adds almost its full weight and is found in 3 samples.
  pub clip: f64,
}

impl Default for RobustOptions {
  fn default() -> Self {
    Self {
      min_samples: 30,
      allowance: 0.5,
      decision_interval: 6.0,
      clip: 3.0,
    }
  }
}

/// Smallest accepted `min_samples`: the MAD of fewer values is too coarse to
/// standardise with.
pub const MIN_ROBUST_SAMPLES: usize = 5;

impl RobustOptions {
  /// Checks ranges against a window of `max_samples`; returns the first invalid option.
  pub fn validate(&self, max_samples: usize) -> Result<(), MonitorError> {
    if self.min_samples < MIN_ROBUST_SAMPLES || self.min_samples > max_samples {
      return Err(MonitorError::InvalidOption {
        name: "robust.minSamples",
        reason: format!(
          "must be between {MIN_ROBUST_SAMPLES} and maxSamples ({max_samples}), received {}",
          self.min_samples
        ),
      });
    }
    if !self.allowance.is_finite() || self.allowance < 0.0 {
      return Err(MonitorError::InvalidOption {
        name: "robust.allowance",
        reason: format!(
          "must be a finite number of at least 0, received {}",
          self.allowance
        ),
      });
    }
    if !self.decision_interval.is_finite() || self.decision_interval <= 0.0 {
      return Err(MonitorError::InvalidOption {
        name: "robust.decisionInterval",
        reason: format!(
          "must be a finite number above 0, received {}",
          self.decision_interval
        ),
      });
    }
    // Infinity is accepted and turns clipping off.
    if self.clip.is_nan() || self.clip <= self.allowance {
      return Err(MonitorError::InvalidOption {
        name: "robust.clip",
        reason: format!(
          "must be greater than allowance ({}), or no value could ever raise the sum; received {}",
          self.allowance, self.clip
        ),
      });
    }
    Ok(())
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::alert::{Alert, Severity};
  use crate::monitor::{Monitor, MonitorOptions};

  #[test]
  fn method_names_round_trip() {
    for method in [DetectionMethod::Classic, DetectionMethod::Robust] {
      assert_eq!(DetectionMethod::parse(method.as_str()), Ok(method));
    }
  }

  #[test]
  fn unknown_method_names_detection() {
    let error = DetectionMethod::parse("fast").unwrap_err();
    assert!(error.to_string().contains("detection"), "{error}");
    assert!(error.is_range_error());
  }

  #[test]
  fn defaults_are_valid() {
    assert_eq!(RobustOptions::default().validate(1000), Ok(()));
  }

  #[test]
  fn invalid_options_name_the_field() {
    let cases = [
      (
        "robust.minSamples",
        RobustOptions {
          min_samples: 2,
          ..Default::default()
        },
      ),
      (
        "robust.minSamples",
        RobustOptions {
          min_samples: 2000,
          ..Default::default()
        },
      ),
      (
        "robust.allowance",
        RobustOptions {
          allowance: -1.0,
          ..Default::default()
        },
      ),
      (
        "robust.allowance",
        RobustOptions {
          allowance: f64::NAN,
          ..Default::default()
        },
      ),
      (
        "robust.decisionInterval",
        RobustOptions {
          decision_interval: 0.0,
          ..Default::default()
        },
      ),
      (
        "robust.clip",
        RobustOptions {
          clip: 0.5,
          ..Default::default()
        },
      ),
      (
        "robust.clip",
        RobustOptions {
          clip: f64::NAN,
          ..Default::default()
        },
      ),
    ];
    for (name, options) in cases {
      let error = options.validate(1000).unwrap_err();
      assert!(error.to_string().contains(name), "{name}: {error}");
    }
  }

  fn monitor(detection: DetectionMethod) -> Monitor {
    let options = MonitorOptions {
      default_thresholds: false,
      detection,
      ..MonitorOptions::default()
    };
    Monitor::new(options).unwrap()
  }

  /// Records 100, 105, 95, … (`count` values) and then `last`; returns the
  /// regression alert `last` raised.
  fn record_then(monitor: &Monitor, name: &str, count: usize, last: f64) -> Option<Alert> {
    for value in [100.0, 105.0, 95.0].into_iter().cycle().take(count) {
      monitor.record(name, value, "ms", 0.0, None).unwrap();
    }
    monitor
      .record(name, last, "ms", 1.0, None)
      .unwrap()
      .regression
  }

  #[test]
  fn monitor_default_is_classic() {
    let monitor = monitor(DetectionMethod::Classic);
    let alert = record_then(&monitor, "latency", 30, 1000.0).expect("classic alert on a spike");
    let mean = (30.0 * 100.0 + 1000.0) / 31.0;
    assert!(
      (alert.previous_value - mean).abs() < 1e-9,
      "{}",
      alert.previous_value
    );
  }

  #[test]
  fn robust_monitor_ignores_a_spike() {
    let monitor = monitor(DetectionMethod::Robust);
    assert_eq!(record_then(&monitor, "latency", 300, 1e6), None);
  }

  #[test]
  fn set_detection_switches_one_metric() {
    let monitor = monitor(DetectionMethod::Classic);
    monitor
      .set_detection("robust_metric", DetectionMethod::Robust, None)
      .unwrap();
    assert!(record_then(&monitor, "classic_metric", 300, 1e6).is_some());
    assert_eq!(record_then(&monitor, "robust_metric", 300, 1e6), None);

    monitor
      .set_detection("robust_metric", DetectionMethod::Classic, None)
      .unwrap();
    assert!(record_then(&monitor, "robust_metric", 30, 1e6).is_some());
  }

  #[test]
  fn set_detection_survives_clear() {
    let monitor = monitor(DetectionMethod::Classic);
    record_then(&monitor, "latency", 30, 100.0);
    monitor
      .set_detection("latency", DetectionMethod::Robust, None)
      .unwrap();
    monitor.clear();
    assert_eq!(record_then(&monitor, "latency", 300, 1e6), None);
  }

  #[test]
  fn robust_alert_reports_median_and_alarm_level() {
    let monitor = monitor(DetectionMethod::Robust);
    record_then(&monitor, "latency", 300, 100.0);
    let alert = (0..10)
      .find_map(|_| {
        monitor
          .record("latency", 200.0, "ms", 2.0, None)
          .unwrap()
          .regression
      })
      .expect("a doubling is found within 10 samples");
    assert_eq!(alert.current_value, 200.0);
    assert_eq!(alert.previous_value, 100.0);
    assert!(alert.threshold > 100.0, "{}", alert.threshold);
    assert!(alert.threshold <= 200.0, "{}", alert.threshold);
    assert_eq!(alert.regression_percentage, 100.0);
    assert_eq!(alert.severity, Severity::Critical);
    assert_eq!(monitor.recent_alerts(10), vec![alert]);
  }

  #[test]
  fn set_detection_rejects_invalid_input() {
    let monitor = Monitor::new(MonitorOptions {
      max_samples: 20,
      default_thresholds: false,
      ..MonitorOptions::default()
    })
    .unwrap();
    assert_eq!(
      monitor.set_detection("", DetectionMethod::Robust, None),
      Err(MonitorError::EmptyName)
    );
    let error = monitor
      .set_detection("latency", DetectionMethod::Robust, None)
      .unwrap_err();
    assert!(error.to_string().contains("robust.minSamples"), "{error}");
    let small = RobustOptions {
      min_samples: 10,
      ..RobustOptions::default()
    };
    assert_eq!(
      monitor.set_detection("latency", DetectionMethod::Robust, Some(small)),
      Ok(())
    );
  }

  #[test]
  fn robust_monitor_checks_min_samples_against_window() {
    let options = MonitorOptions {
      max_samples: 20,
      detection: DetectionMethod::Robust,
      ..MonitorOptions::default()
    };
    let error = Monitor::new(options)
      .err()
      .expect("minSamples 30 exceeds a window of 20");
    assert!(error.to_string().contains("robust.minSamples"), "{error}");
  }

  #[test]
  fn infinite_clip_is_accepted() {
    let options = RobustOptions {
      clip: f64::INFINITY,
      ..Default::default()
    };
    assert_eq!(options.validate(1000), Ok(()));
  }
}
