//! Node-API binding of perf-sentinel. Each file wraps one core type and only
//! converts values; the state and the statistics live in `perf-sentinel-core`.

#![deny(clippy::all)]

mod bench;
mod compare;
mod cooldown;
mod dispatcher;
mod errors;
mod monitor;
mod prometheus;
mod raw;
mod recording;
mod shared;
