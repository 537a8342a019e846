//! Node-API binding of perf-sentinel. Each file wraps one core type and only
//! converts values; the state and the statistics live in `perf-sentinel-core`.

#![deny(clippy::all)]
// Under cfg(test) the #[napi] macros register nothing, so every export looks unused.
#![cfg_attr(test, allow(dead_code))]

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
