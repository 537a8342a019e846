//! Criterion benchmarks of the core recording path, without Node-API.
//!
//! `cargo bench -p perf-sentinel-core --bench core` runs them;
//! `npm run bench` runs them with the JavaScript comparison and reads the
//! medians from `target/criterion/*/new/estimates.json`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use perf_sentinel_core::{Monitor, MonitorOptions};

/// Values 50 to 59: never more than 20 % above any mean, so no regression
/// alert fires and the steady state is measured.
fn value(i: usize) -> f64 {
  50.0 + ((i * 7) % 10) as f64
}

fn filled_monitor(history: usize, names: usize) -> Monitor {
  let options = MonitorOptions {
    max_samples: history,
    ..MonitorOptions::default()
  };
  let monitor = Monitor::new(options).expect("the benchmark options are valid");
  for n in 0..names {
    for i in 0..history {
      let name = format!("metric_{n}");
      monitor
        .record(&name, value(i), "ms", 1.0e12, None)
        .expect("the benchmark values are storable");
    }
  }
  monitor
}

fn record(c: &mut Criterion) {
  let mut group = c.benchmark_group("record");
  for history in [10, 100, 1000] {
    let monitor = filled_monitor(history, 1);
    let mut target = monitor.target("metric_0", "ms").expect("the name is valid");
    let mut i = 0;
    group.bench_function(format!("record_to, history {history}"), |b| {
      b.iter(|| {
        i += 1;
        black_box(monitor.record_to(&mut target, value(i), 1.0e12, None))
      })
    });
  }

  let monitor = filled_monitor(1000, 1);
  let mut i = 0;
  group.bench_function("record by name, history 1000", |b| {
    b.iter(|| {
      i += 1;
      black_box(monitor.record("metric_0", value(i), "ms", 1.0e12, None))
    })
  });
  group.finish();
}

fn record_many(c: &mut Criterion) {
  let mut group = c.benchmark_group("record_many");
  let values: Vec<f64> = (0..10_000).map(value).collect();
  group.throughput(Throughput::Elements(values.len() as u64));
  let monitor = filled_monitor(1000, 1);
  let mut target = monitor.target("metric_0", "ms").expect("the name is valid");
  group.bench_function("record_many_to, 10000 values", |b| {
    b.iter(|| black_box(monitor.record_many_to(&mut target, &values, 1.0e12)))
  });
  group.finish();
}

fn queries(c: &mut Criterion) {
  let mut group = c.benchmark_group("queries");
  let monitor = filled_monitor(1000, 1);
  group.bench_function("baseline, history 1000", |b| {
    b.iter(|| black_box(monitor.baseline("metric_0")))
  });

  let exported = filled_monitor(1000, 100);
  group.bench_function("export_json, 100 names x 1000 samples", |b| {
    b.iter_batched(
      || (),
      |_| black_box(exported.export_json()),
      BatchSize::PerIteration,
    )
  });
  group.finish();
}

fn config() -> Criterion {
  Criterion::default()
    .sample_size(20)
    .warm_up_time(Duration::from_millis(300))
    .measurement_time(Duration::from_secs(1))
}

criterion_group! {
  name = benches;
  config = config();
  targets = record, record_many, queries
}
criterion_main!(benches);
