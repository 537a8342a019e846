//! Dispatchers end their threads on close and on drop. This file contains one
//! test so that no other test's threads disturb the count.

mod delivery_support;

use std::time::{Duration, Instant};

use delivery_support::{alert_json, Receiver, Recorder};
use perf_sentinel_core::delivery::{DeliveryConfig, Dispatcher};
use serde_json::json;

fn thread_count() -> usize {
  std::fs::read_dir("/proc/self/task")
    .map(|tasks| tasks.count())
    .unwrap_or(0)
}

/// Waits for the count to come back to `expected`; threads leave the task
/// list shortly after they return.
fn settle(expected: usize) -> usize {
  let started = Instant::now();
  while thread_count() > expected && started.elapsed() < Duration::from_secs(10) {
    std::thread::sleep(Duration::from_millis(10));
  }
  thread_count()
}

#[test]
fn dispatchers_do_not_leak_threads() {
  let receiver = Receiver::sequence(vec![]);
  let dir = std::env::temp_dir().join(format!("perf-sentinel-threads-{}", std::process::id()));
  let config = json!({
    "file": { "enabled": true, "logPath": dir.join("alerts.log") },
    "webhook": { "enabled": true, "url": receiver.url, "rateLimit": { "enabled": false } },
  });
  let before = thread_count();

  for round in 0..50 {
    let recorder = Recorder::default();
    let dispatcher = Dispatcher::new(
      DeliveryConfig::from_value(&config).unwrap(),
      recorder.sink(),
    )
    .unwrap();
    dispatcher.submit(
      format!("a{round}"),
      "threshold".into(),
      alert_json("m", 160.0),
      String::new(),
    );
    assert!(dispatcher.close(Duration::from_secs(20)));
  }
  assert_eq!(settle(before), before, "threads left after close");

  for round in 0..20 {
    let recorder = Recorder::default();
    let dispatcher = Dispatcher::new(
      DeliveryConfig::from_value(&config).unwrap(),
      recorder.sink(),
    )
    .unwrap();
    dispatcher.submit(
      format!("b{round}"),
      "threshold".into(),
      alert_json("m", 160.0),
      String::new(),
    );
    drop(dispatcher);
  }
  assert_eq!(settle(before), before, "threads left after drop");

  let file_only = json!({ "file": { "enabled": true, "logPath": dir.join("alerts.log") } });
  let dispatcher = Dispatcher::new(
    DeliveryConfig::from_value(&file_only).unwrap(),
    Recorder::default().sink(),
  )
  .unwrap();
  // The file channel alone needs the router and the writer thread, no runtime.
  assert_eq!(thread_count(), before + 2);
  assert!(dispatcher.close(Duration::from_secs(5)));
  assert_eq!(settle(before), before);
  let _ = std::fs::remove_dir_all(&dir);
}
