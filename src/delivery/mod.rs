//! Alert delivery channels.
