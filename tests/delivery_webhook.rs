//! Webhook delivery against a local receiver: retries, `Retry-After`,
//! timeouts, permanent errors, rate-limit merging and queue overflow.

mod delivery_support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use delivery_support::{alert_json, status, Receiver, Recorder, Reply, GENEROUS};
use perf_sentinel_core::delivery::{ChannelKind, DeliveryConfig, DeliveryEvent, Dispatcher};
use serde_json::json;

fn webhook_dispatcher(url: &str, extra: serde_json::Value, recorder: &Recorder) -> Dispatcher {
  let mut webhook = json!({
    "enabled": true,
    "url": url,
    "timeoutMs": 500,
    "retries": 3,
    "backoffMs": 20,
    "maxBackoffMs": 100,
    "rateLimit": { "enabled": false },
  });
  for (key, value) in extra.as_object().unwrap() {
    webhook[key] = value.clone();
  }
  let config = DeliveryConfig::from_value(&json!({ "webhook": webhook })).unwrap();
  Dispatcher::new(config, recorder.sink()).unwrap()
}

fn submit(dispatcher: &Dispatcher, id: &str, metric: &str) {
  dispatcher.submit(
    id.into(),
    "threshold".into(),
    alert_json(metric, 160.0),
    format!("{metric} is slow"),
  );
}

#[test]
fn retries_5xx_until_success() {
  let receiver = Receiver::sequence(vec![status(503), status(503)]);
  let recorder = Recorder::default();
  let dispatcher = webhook_dispatcher(&receiver.url, json!({}), &recorder);

  submit(&dispatcher, "alert-1", "response_time");
  assert!(dispatcher.close(GENEROUS));

  assert_eq!(receiver.count(), 3);
  assert_eq!(
    recorder.of_kind("delivered"),
    vec![DeliveryEvent::Delivered {
      id: "alert-1".into(),
      channel: ChannelKind::Webhook,
      attempts: 3
    }]
  );
  assert_eq!(recorder.of_kind("retrying").len(), 2);
  let stats = &dispatcher.stats()[0];
  assert_eq!(
    (stats.sent, stats.retried, stats.failed, stats.attempts),
    (1, 2, 0, 3)
  );
  for request in receiver.received() {
    assert_eq!(request.body["id"], "alert-1");
  }
}

#[test]
fn client_errors_are_not_retried() {
  for code in [400u16, 404] {
    let receiver = Receiver::sequence(vec![status(code)]);
    let recorder = Recorder::default();
    let dispatcher = webhook_dispatcher(&receiver.url, json!({}), &recorder);

    submit(&dispatcher, "alert-1", "response_time");
    assert!(dispatcher.close(GENEROUS));

    assert_eq!(receiver.count(), 1, "HTTP {code}");
    let failed = recorder.of_kind("failed");
    assert_eq!(failed.len(), 1);
    match &failed[0] {
      DeliveryEvent::Failed {
        status, attempts, ..
      } => {
        assert_eq!(*status, Some(code));
        assert_eq!(*attempts, 1);
      }
      other => panic!("unexpected event {other:?}"),
    }
    assert_eq!(dispatcher.stats()[0].failed, 1);
  }
}

#[test]
fn retry_after_delays_next_try() {
  let retry_after = Reply::Status(429, vec![("Retry-After".into(), "1".into())]);
  let receiver = Receiver::sequence(vec![retry_after]);
  let recorder = Recorder::default();
  let dispatcher = webhook_dispatcher(&receiver.url, json!({}), &recorder);

  submit(&dispatcher, "alert-1", "response_time");
  assert!(dispatcher.close(GENEROUS));

  let requests = receiver.received();
  assert_eq!(requests.len(), 2);
  let gap = requests[1].at.duration_since(requests[0].at);
  assert!(
    gap >= Duration::from_millis(990),
    "second try came {gap:?} after the first"
  );
  match &recorder.of_kind("retrying")[0] {
    DeliveryEvent::Retrying {
      delay_ms, attempt, ..
    } => {
      assert_eq!(*delay_ms, 1000);
      assert_eq!(*attempt, 2);
    }
    other => panic!("unexpected event {other:?}"),
  }
}

#[test]
fn silent_server_times_out_each_try() {
  let receiver = Receiver::start(std::sync::Arc::new(|_, _| Reply::Hang));
  let recorder = Recorder::default();
  let dispatcher = webhook_dispatcher(
    &receiver.url,
    json!({ "timeoutMs": 200, "retries": 2 }),
    &recorder,
  );

  let started = Instant::now();
  submit(&dispatcher, "alert-1", "response_time");
  assert!(dispatcher.close(GENEROUS));
  let elapsed = started.elapsed();

  assert_eq!(receiver.count(), 3);
  // Three tries of 200 ms plus two backoff delays of at most 100 ms; the
  // bound is loose because only "it ends" matters here.
  assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
  let failed = recorder.of_kind("failed");
  assert_eq!(failed.len(), 1);
  match &failed[0] {
    DeliveryEvent::Failed {
      error,
      attempts,
      status,
      ..
    } => {
      assert!(error.contains("timed out"), "{error}");
      assert_eq!(*attempts, 3);
      assert_eq!(*status, None);
    }
    other => panic!("unexpected event {other:?}"),
  }
}

#[test]
fn deadline_bounds_all_tries() {
  let receiver = Receiver::start(std::sync::Arc::new(|_, _| status(503)));
  let recorder = Recorder::default();
  let extra = json!({ "retries": 1000, "backoffMs": 50, "maxBackoffMs": 50, "deadlineMs": 400 });
  let dispatcher = webhook_dispatcher(&receiver.url, extra, &recorder);

  submit(&dispatcher, "alert-1", "response_time");
  assert!(dispatcher.close(GENEROUS));

  let failed = recorder.of_kind("failed");
  assert_eq!(failed.len(), 1);
  match &failed[0] {
    DeliveryEvent::Failed { error, status, .. } => {
      assert!(error.contains("400 ms deadline"), "{error}");
      assert_eq!(*status, Some(503));
    }
    other => panic!("unexpected event {other:?}"),
  }
  assert!(receiver.count() < 1000);
}

#[test]
fn rate_limit_merges_instead_of_dropping() {
  let receiver = Receiver::sequence(vec![]);
  let recorder = Recorder::default();
  let extra = json!({ "rateLimit": { "perSecond": 4, "burst": 1 } });
  let dispatcher = webhook_dispatcher(&receiver.url, extra, &recorder);

  for i in 0..30 {
    submit(&dispatcher, &format!("alert-{i}"), &format!("metric_{i}"));
  }
  assert!(dispatcher.close(GENEROUS));

  let mut ids = Vec::new();
  let mut merged = 0;
  for request in receiver.received() {
    match request.body["ids"].as_array() {
      Some(list) => {
        merged += 1;
        assert_eq!(request.body["alerts"].as_array().unwrap().len(), list.len());
        ids.extend(list.iter().map(|id| id.as_str().unwrap().to_string()));
      }
      None => ids.push(request.body["id"].as_str().unwrap().to_string()),
    }
  }
  let expected: Vec<String> = (0..30).map(|i| format!("alert-{i}")).collect();
  assert_eq!(ids, expected, "every alert once, in order");
  assert!(
    merged >= 1,
    "no merged message among {} requests",
    receiver.count()
  );
  assert!(receiver.count() < 30);
  let stats = &dispatcher.stats()[0];
  assert_eq!((stats.sent, stats.dropped), (30, 0));
}

#[test]
fn full_queue_drops_and_counts() {
  let receiver = Receiver::start(std::sync::Arc::new(|_, _| Reply::Hang));
  let recorder = Recorder::default();
  let extra = json!({ "queueSize": 2, "timeoutMs": 5000, "retries": 0 });
  let dispatcher = webhook_dispatcher(&receiver.url, extra, &recorder);

  submit(&dispatcher, "first", "m0");
  let wait = Instant::now();
  while receiver.count() == 0 && wait.elapsed() < GENEROUS {
    std::thread::sleep(Duration::from_millis(5));
  }
  for i in 1..=5 {
    submit(&dispatcher, &format!("later-{i}"), &format!("m{i}"));
  }
  // The first alert hangs in flight, two wait in the queue, three overflow;
  // closing with a short timeout abandons the rest.
  assert!(!dispatcher.close(Duration::from_millis(300)));

  let stats = &dispatcher.stats()[0];
  assert_eq!(stats.sent, 0);
  assert_eq!(stats.dropped, 6);
  let dropped = recorder.of_kind("dropped");
  let full: Vec<_> = dropped
    .iter()
    .filter(|event| matches!(event, DeliveryEvent::Dropped { reason, .. } if reason.starts_with("queue full")))
    .collect();
  assert_eq!(full.len(), 3);
  let ids: HashSet<&str> = dropped.iter().map(|event| event.id()).collect();
  assert_eq!(ids.len(), 6);
}

#[test]
fn submit_after_close_is_dropped() {
  let receiver = Receiver::sequence(vec![]);
  let recorder = Recorder::default();
  let dispatcher = webhook_dispatcher(&receiver.url, json!({}), &recorder);
  assert!(dispatcher.close(GENEROUS));

  submit(&dispatcher, "late", "m");

  assert_eq!(receiver.count(), 0);
  assert_eq!(dispatcher.stats()[0].dropped, 1);
  assert_eq!(recorder.of_kind("routed").len(), 1);
  assert!(
    matches!(&recorder.of_kind("dropped")[0], DeliveryEvent::Dropped { reason, .. } if reason == "dispatcher closed")
  );
}

#[test]
fn invalid_alert_json_is_dropped() {
  let receiver = Receiver::sequence(vec![]);
  let recorder = Recorder::default();
  let dispatcher = webhook_dispatcher(&receiver.url, json!({}), &recorder);

  dispatcher.submit(
    "bad".into(),
    "threshold".into(),
    "{not json".into(),
    String::new(),
  );
  assert!(dispatcher.close(GENEROUS));

  assert_eq!(receiver.count(), 0);
  assert_eq!(dispatcher.stats()[0].dropped, 1);
  let dropped = recorder.of_kind("dropped");
  assert!(
    matches!(&dropped[0], DeliveryEvent::Dropped { reason, .. } if reason.starts_with("invalid alert JSON"))
  );
}

#[test]
fn routed_precedes_outcome() {
  let receiver = Receiver::sequence(vec![]);
  let recorder = Recorder::default();
  let dispatcher = webhook_dispatcher(&receiver.url, json!({}), &recorder);
  for i in 0..20 {
    submit(&dispatcher, &format!("a{i}"), &format!("m{i}"));
  }
  assert!(dispatcher.close(GENEROUS));

  let events = recorder.events.lock().clone();
  for i in 0..20 {
    let id = format!("a{i}");
    let kinds: Vec<&str> = events
      .iter()
      .filter(|event| event.id() == id)
      .map(|event| event.kind())
      .collect();
    assert_eq!(kinds, vec!["routed", "delivered"], "{id}");
  }
}

#[test]
fn custom_headers_are_sent() {
  let receiver = Receiver::sequence(vec![]);
  let recorder = Recorder::default();
  let dispatcher = webhook_dispatcher(
    &receiver.url,
    json!({ "headers": { "Authorization": "Bearer t0k3n" } }),
    &recorder,
  );
  submit(&dispatcher, "a", "m");
  assert!(dispatcher.close(GENEROUS));

  let request = &receiver.received()[0];
  assert!(request
    .headers
    .contains(&("authorization".into(), "Bearer t0k3n".into())));
  assert!(request
    .headers
    .contains(&("content-type".into(), "application/json".into())));
  assert_eq!(request.path, "/hook");
}

#[test]
fn alerts_within_burst_go_separately() {
  let receiver = Receiver::sequence(vec![]);
  let recorder = Recorder::default();
  let extra = json!({ "rateLimit": { "perSecond": 1, "burst": 5 } });
  let dispatcher = webhook_dispatcher(&receiver.url, extra, &recorder);

  submit(&dispatcher, "a1", "m1");
  submit(&dispatcher, "a2", "m2");
  assert!(dispatcher.close(GENEROUS));

  let requests = receiver.received();
  assert_eq!(requests.len(), 2);
  for request in &requests {
    assert!(
      request.body.get("ids").is_none(),
      "merged: {}",
      request.body
    );
  }
}

#[test]
fn backlog_behind_slow_receiver_merges() {
  // The first message waits 300 ms for its answer while 20 more alerts queue
  // up, more than the 5 tokens of the bucket.
  let receiver = Receiver::start(std::sync::Arc::new(|index, _| {
    if index == 0 {
      std::thread::sleep(Duration::from_millis(300));
    }
    status(200)
  }));
  let recorder = Recorder::default();
  let extra = json!({ "rateLimit": { "perSecond": 1, "burst": 5 } });
  let dispatcher = webhook_dispatcher(&receiver.url, extra, &recorder);

  submit(&dispatcher, "first", "m0");
  let wait = Instant::now();
  while receiver.count() == 0 && wait.elapsed() < GENEROUS {
    std::thread::sleep(Duration::from_millis(5));
  }
  for i in 1..=20 {
    submit(&dispatcher, &format!("later-{i}"), &format!("m{i}"));
  }
  assert!(dispatcher.close(GENEROUS));

  let requests = receiver.received();
  assert_eq!(
    requests.len(),
    2,
    "expected the first alert, then one merged message"
  );
  assert_eq!(requests[1].body["ids"].as_array().map(Vec::len), Some(20));
  assert_eq!(dispatcher.stats()[0].sent, 21);
}
