//! Helpers for the delivery tests: a small HTTP/1.1 receiver on 127.0.0.1
//! whose responses the test chooses, and an event recorder.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use perf_sentinel_core::delivery::{DeliveryEvent, EventSink};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The receiver's response to one request.
#[derive(Clone, Debug)]
pub enum Reply {
  Status(u16, Vec<(String, String)>),
  /// Reads the request and never responds.
  Hang,
}

pub fn status(code: u16) -> Reply {
  Reply::Status(code, Vec::new())
}

#[derive(Clone, Debug)]
pub struct Received {
  pub at: Instant,
  pub path: String,
  pub body: Value,
  pub headers: Vec<(String, String)>,
}

pub type Responder = Arc<dyn Fn(usize, &Value) -> Reply + Send + Sync>;

pub struct Receiver {
  pub url: String,
  pub requests: Arc<Mutex<Vec<Received>>>,
  runtime: Option<tokio::runtime::Runtime>,
}

impl Receiver {
  /// Starts a receiver whose `responder` gets the request index (0-based) and body.
  pub fn start(responder: Responder) -> Self {
    let runtime = tokio::runtime::Builder::new_multi_thread()
      .worker_threads(1)
      .enable_all()
      .build()
      .unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    runtime.spawn(async move {
      loop {
        let Ok((socket, _)) = listener.accept().await else {
          return;
        };
        let (log, responder) = (log.clone(), responder.clone());
        tokio::spawn(async move { serve(socket, log, responder).await });
      }
    });
    Self {
      url,
      requests,
      runtime: Some(runtime),
    }
  }

  /// Responds to the requests with `replies` in order, then with 200.
  pub fn sequence(replies: Vec<Reply>) -> Self {
    Self::start(Arc::new(move |index, _| {
      replies.get(index).cloned().unwrap_or(status(200))
    }))
  }

  pub fn count(&self) -> usize {
    self.requests.lock().len()
  }

  pub fn received(&self) -> Vec<Received> {
    self.requests.lock().clone()
  }
}

impl Drop for Receiver {
  fn drop(&mut self) {
    if let Some(runtime) = self.runtime.take() {
      runtime.shutdown_background();
    }
  }
}

async fn serve(
  mut socket: tokio::net::TcpStream,
  log: Arc<Mutex<Vec<Received>>>,
  responder: Responder,
) {
  let mut buffer = Vec::new();
  let mut chunk = [0u8; 8192];
  let header_end = loop {
    if let Some(position) = find(&buffer, b"\r\n\r\n") {
      break position + 4;
    }
    match socket.read(&mut chunk).await {
      Ok(0) | Err(_) => return,
      Ok(read) => buffer.extend_from_slice(&chunk[..read]),
    }
  };
  let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
  let mut lines = head.split("\r\n");
  let path = lines
    .next()
    .and_then(|line| line.split(' ').nth(1))
    .unwrap_or("")
    .to_string();
  let headers: Vec<(String, String)> = lines
    .filter_map(|line| line.split_once(':'))
    .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
    .collect();
  let length: usize = headers
    .iter()
    .find(|(name, _)| name == "content-length")
    .and_then(|(_, v)| v.parse().ok())
    .unwrap_or(0);
  while buffer.len() < header_end + length {
    match socket.read(&mut chunk).await {
      Ok(0) | Err(_) => return,
      Ok(read) => buffer.extend_from_slice(&chunk[..read]),
    }
  }
  let body: Value =
    serde_json::from_slice(&buffer[header_end..header_end + length]).unwrap_or(Value::Null);

  let index = {
    let mut log = log.lock();
    log.push(Received {
      at: Instant::now(),
      path,
      body: body.clone(),
      headers,
    });
    log.len() - 1
  };
  match responder(index, &body) {
    Reply::Hang => {
      // Keeps the connection open until the client gives up.
      let _ = socket.read(&mut chunk).await;
    }
    Reply::Status(code, extra) => {
      let mut response =
        format!("HTTP/1.1 {code} Test\r\ncontent-length: 0\r\nconnection: close\r\n");
      for (name, value) in extra {
        response.push_str(&format!("{name}: {value}\r\n"));
      }
      response.push_str("\r\n");
      let _ = socket.write_all(response.as_bytes()).await;
      let _ = socket.shutdown().await;
    }
  }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
  haystack
    .windows(needle.len())
    .position(|window| window == needle)
}

/// Collects every event the dispatcher sends.
#[derive(Clone, Default)]
pub struct Recorder {
  pub events: Arc<Mutex<Vec<DeliveryEvent>>>,
}

impl Recorder {
  pub fn sink(&self) -> EventSink {
    let events = self.events.clone();
    Arc::new(move |event| events.lock().push(event))
  }

  pub fn of_kind(&self, kind: &str) -> Vec<DeliveryEvent> {
    self
      .events
      .lock()
      .iter()
      .filter(|event| event.kind() == kind)
      .cloned()
      .collect()
  }
}

/// Builds the JSON of a `RegressionAlert` on `metric`.
pub fn alert_json(metric: &str, value: f64) -> String {
  serde_json::json!({
    "metricName": metric,
    "currentValue": value,
    "previousValue": 100,
    "threshold": 100,
    "regressionPercentage": (value - 100.0),
    "timestamp": 1_700_000_000_000u64,
    "severity": if value > 150.0 { "critical" } else { "warning" },
  })
  .to_string()
}

pub const GENEROUS: Duration = Duration::from_secs(20);
