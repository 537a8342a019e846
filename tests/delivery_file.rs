//! File channel through the dispatcher: rotation loses nothing, and two
//! dispatchers sharing one path write whole lines.

mod delivery_support;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use delivery_support::{alert_json, Recorder, GENEROUS};
use perf_sentinel_core::delivery::{DeliveryConfig, Dispatcher};
use serde_json::{json, Value};

fn temp_dir(name: &str) -> PathBuf {
  let dir = std::env::temp_dir().join(format!(
    "perf-sentinel-delivery-{name}-{}",
    std::process::id()
  ));
  let _ = fs::remove_dir_all(&dir);
  dir
}

fn file_dispatcher(
  log_path: &Path,
  max_file_size: u64,
  max_files: u32,
  recorder: &Recorder,
) -> Dispatcher {
  let config = DeliveryConfig::from_value(&json!({
    "file": { "enabled": true, "logPath": log_path, "maxFileSize": max_file_size, "maxFiles": max_files },
  }))
  .unwrap();
  Dispatcher::new(config, recorder.sink()).unwrap()
}

/// Lines of every rotated file, oldest first, then of the live file.
fn read_log(log_path: &Path) -> (Vec<Value>, Vec<u64>) {
  let mut rotated: Vec<(u32, PathBuf)> = Vec::new();
  for entry in fs::read_dir(log_path.parent().unwrap()).unwrap() {
    let path = entry.unwrap().path();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let base = log_path.file_name().unwrap().to_string_lossy().to_string();
    if let Some(index) = name
      .strip_prefix(&format!("{base}."))
      .and_then(|suffix| suffix.parse::<u32>().ok())
    {
      rotated.push((index, path));
    }
  }
  rotated.sort_by_key(|(index, _)| std::cmp::Reverse(*index));
  let mut paths: Vec<PathBuf> = rotated.into_iter().map(|(_, path)| path).collect();
  paths.push(log_path.to_path_buf());

  let mut lines = Vec::new();
  let mut sizes = Vec::new();
  for path in paths {
    let text = fs::read_to_string(&path).unwrap();
    sizes.push(text.len() as u64);
    for line in text.lines() {
      lines.push(
        serde_json::from_str(line).unwrap_or_else(|error| panic!("broken line {line:?}: {error}")),
      );
    }
  }
  (lines, sizes)
}

#[test]
fn rotation_keeps_every_alert_once() {
  let dir = temp_dir("rotation");
  let log_path = dir.join("logs/alerts.log");
  let recorder = Recorder::default();
  let dispatcher = file_dispatcher(&log_path, 1024, 1000, &recorder);

  for i in 0..500 {
    dispatcher.submit(
      format!("id-{i}"),
      "threshold".into(),
      alert_json(&format!("metric_{i}"), 160.0),
      String::new(),
    );
  }
  assert!(dispatcher.close(GENEROUS));

  let (lines, sizes) = read_log(&log_path);
  let metrics: Vec<String> = lines
    .iter()
    .map(|line| line["metricName"].as_str().unwrap().to_string())
    .collect();
  let expected: Vec<String> = (0..500).map(|i| format!("metric_{i}")).collect();
  assert_eq!(metrics, expected);
  assert!(sizes.iter().all(|size| *size <= 1024), "{sizes:?}");
  assert!(sizes.len() > 50);
  assert_eq!(lines[7]["id"], "id-7");
  assert_eq!(lines[7]["type"], "threshold");
  assert_eq!(lines[7]["severity"], "critical");
  assert!(lines[7]["message"].as_str().unwrap().contains("metric_7"));
  assert_eq!(dispatcher.stats()[0].sent, 500);
  assert_eq!(recorder.of_kind("delivered").len(), 500);
  fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn shared_path_never_interleaves() {
  let dir = temp_dir("shared");
  let log_path = dir.join("alerts.log");
  let first = file_dispatcher(&log_path, 4096, 1000, &Recorder::default());
  let second = file_dispatcher(&log_path, 4096, 1000, &Recorder::default());

  for i in 0..400 {
    let dispatcher = if i % 2 == 0 { &first } else { &second };
    let padding = "p".repeat(i % 300);
    dispatcher.submit(
      format!("id-{i}"),
      "regression".into(),
      alert_json(&format!("m{i}_{padding}"), 120.0),
      String::new(),
    );
  }
  assert!(first.close(GENEROUS));
  assert!(second.close(GENEROUS));

  let (lines, sizes) = read_log(&log_path);
  let ids: HashSet<String> = lines
    .iter()
    .map(|line| line["id"].as_str().unwrap().to_string())
    .collect();
  assert_eq!(lines.len(), 400);
  assert_eq!(ids.len(), 400);
  assert!(sizes.iter().all(|size| *size <= 4096), "{sizes:?}");
  fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unwritable_path_reports_failure() {
  let dir = temp_dir("unwritable");
  fs::create_dir_all(&dir).unwrap();
  // A regular file where a folder is expected makes every write fail.
  fs::write(dir.join("blocker"), "x").unwrap();
  let recorder = Recorder::default();
  let dispatcher = file_dispatcher(&dir.join("blocker/alerts.log"), 1024, 1, &recorder);

  dispatcher.submit(
    "a".into(),
    "threshold".into(),
    alert_json("m", 160.0),
    String::new(),
  );
  assert!(dispatcher.close(GENEROUS));

  assert_eq!(dispatcher.stats()[0].failed, 1);
  let failed = recorder.of_kind("failed");
  assert_eq!(failed.len(), 1);
  assert_eq!(failed[0].detail()["channel"], "file");
  assert_eq!(failed[0].detail()["attempts"], 2);
  fs::remove_dir_all(&dir).unwrap();
}
