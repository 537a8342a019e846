//! Alert delivery channels: file, webhook, email (SMTP) and Alertmanager.
//!
//! [`Dispatcher`] takes alerts without blocking the caller, routes each one
//! to the bounded queue of every enabled channel on a router thread, and
//! delivers them on a file writer thread and on a Tokio runtime for the
//! network channels. Every outcome comes back as a [`DeliveryEvent`] and is
//! counted in [`ChannelStats`]. The configuration, with its defaults, is in
//! [`config`].

pub mod alertmanager;
pub mod channel;
pub mod config;
pub mod dispatcher;
pub mod email;
pub mod error;
pub mod event;
pub mod file;
pub mod http;
pub mod message;
pub mod network;
pub mod pending;
pub mod queue;
pub mod rate_limit;
pub mod retry;
pub mod stats;
pub mod webhook;

pub use config::DeliveryConfig;
pub use dispatcher::Dispatcher;
pub use error::{ConfigError, SendError};
pub use event::{DeliveryEvent, EventSink};
pub use stats::{ChannelKind, ChannelStats};
