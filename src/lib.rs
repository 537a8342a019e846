//! The core of perf-sentinel: metric series with sliding-window baselines,
//! threshold and regression checks, the alert history, alert cooldown and
//! alert delivery. Nothing here depends on Node-API, so it can be tested and
//! benchmarked on its own.

#![deny(clippy::all)]

pub mod alert;
pub mod baseline;
pub mod compare;
pub mod cooldown;
pub mod delivery;
pub mod detection;
pub mod error;
pub mod export;
pub mod monitor;
pub mod prometheus;
pub mod regression;
pub mod series;
pub mod threshold;
pub mod window;

pub use alert::{Alert, AlertKind, Severity};
pub use baseline::Baseline;
pub use error::MonitorError;
pub use monitor::{Monitor, MonitorOptions, RecordOutcome};
pub use regression::RegressionRule;
