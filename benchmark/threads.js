'use strict';

// A monitor shared across worker_threads (PerformanceMonitor.shared):
//
// 1. Throughput: one worker, then two, record into the shared monitor for a
//    fixed time, each worker under its own metric names (recordMetric,
//    history 1000). Rounds alternate one and two workers; the result is the
//    median of the rounds' samples per second. A control runs a pure-JS
//    loop the same way: its two-worker speed-up is what the machine allowed
//    during the run (other processes may hold a core).
// 2. Alert latency: a worker raises a threshold alert every millisecond
//    while the owning main thread is idle. The owner measures the time from
//    the record call to its 'thresholdViolation' listener with the addon's
//    monotonicNowMs, whose origin all threads share.
//
// Usage: node benchmark/threads.js [--rounds 5] [--time 500] [--json]
//        (or: npx bun benchmark/threads.js ...)

const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const ROOT = path.resolve(__dirname, '..');
const { PerformanceMonitor } = require(ROOT);

const LATENCY_ALERTS = 500;

const { monotonicNowMs: nowMs } = require(path.join(ROOT, 'binding.js'));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Worker side: records for `workerData.time` ms after the 'go' message, then reports its sample count. */
function runWorker() {
  const monitor = PerformanceMonitor.shared('bench-threads');
  if (workerData.task === 'latency') {
    let sent = 0;
    const timer = setInterval(() => {
      monitor.recordMetric('alert_probe', nowMs(), 'ms');
      if (++sent === LATENCY_ALERTS) clearInterval(timer);
    }, 1);
    return;
  }

  if (workerData.task === 'control') {
    parentPort.once('message', () => {
      const end = nowMs() + workerData.time;
      let count = 0;
      let state = 1;
      while (nowMs() < end) {
        for (let i = 0; i < 1024; i++) state = (state * 1103515245 + 12345) % 2147483648;
        count += 1024;
      }
      parentPort.postMessage(count + (state < 0 ? 1 : 0));
    });
    parentPort.postMessage('ready');
    return;
  }

  const names = Array.from({ length: 8 }, (_, n) => `worker_${workerData.index}_metric_${n}`);
  for (const name of names) {
    for (let i = 0; i < 1000; i++) monitor.recordMetric(name, 50 + ((i * 7) % 10), 'ms');
  }
  parentPort.once('message', () => {
    const end = nowMs() + workerData.time;
    let count = 0;
    while (nowMs() < end) {
      for (let i = 0; i < 1024; i++) monitor.recordMetric(names[i & 7], 50 + ((i * 7) % 10), 'ms');
      count += 1024;
    }
    parentPort.postMessage(count);
  });
  parentPort.postMessage('ready');
}

/** Runs `count` workers of `task` for `time` ms; returns operations per second. */
async function throughput(count, time, task = 'throughput') {
  const workers = Array.from({ length: count }, (_, index) => new Worker(__filename, { workerData: { task, index, time } }));
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
  const counts = workers.map((worker) => new Promise((resolve) => worker.once('message', resolve)));
  for (const worker of workers) worker.postMessage('go');
  const total = (await Promise.all(counts)).reduce((sum, n) => sum + n, 0);
  await Promise.all(workers.map((worker) => worker.terminate()));
  return total / (time / 1000);
}

/** Measures worker-to-owner alert delivery; returns latencies in ms, sorted. */
async function alertLatency(monitor) {
  const latencies = [];
  const done = new Promise((resolve) => {
    const listener = (alert) => {
      if (alert.metricName !== 'alert_probe') return;
      latencies.push(nowMs() - alert.currentValue);
      if (latencies.length === LATENCY_ALERTS) {
        monitor.off('thresholdViolation', listener);
        resolve();
      }
    };
    monitor.on('thresholdViolation', listener);
  });
  const worker = new Worker(__filename, { workerData: { task: 'latency' } });
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, 30000);
  });
  await Promise.race([done, timeout]);
  clearTimeout(timer);
  await worker.terminate();
  return latencies.sort((a, b) => a - b);
}

async function main() {
  const args = process.argv.slice(2);
  const option = (flag, fallback) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : fallback);
  const rounds = option('--rounds', 5);
  const time = option('--time', 500);

  const monitor = PerformanceMonitor.shared('bench-threads');
  monitor.setThreshold('alert_probe', 0, 'ms');

  const one = [];
  const two = [];
  const controlScaling = [];
  for (let round = 0; round < rounds; round++) {
    one.push(await throughput(1, time));
    two.push(await throughput(2, time));
    const controlOne = await throughput(1, time, 'control');
    controlScaling.push((await throughput(2, time, 'control')) / controlOne);
  }
  const latencies = await alertLatency(monitor);

  const report = {
    runtime: typeof Bun !== 'undefined' ? `bun ${Bun.version}` : `node ${process.version}`,
    oneWorker: median(one),
    twoWorkers: median(two),
    scaling: median(two) / median(one),
    controlScaling: median(controlScaling),
    alerts: latencies.length,
    latencyP50: percentile(latencies, 0.5),
    latencyP99: percentile(latencies, 0.99),
    latencyMax: latencies[latencies.length - 1],
    droppedAlerts: monitor.getDroppedAlertCount(),
  };
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  console.log(report.runtime);
  console.log(`one worker   ${(report.oneWorker / 1e6).toFixed(2)} M samples/s`);
  console.log(`two workers  ${(report.twoWorkers / 1e6).toFixed(2)} M samples/s (${report.scaling.toFixed(2)}x)`);
  console.log(`pure-JS control, two workers / one: ${report.controlScaling.toFixed(2)}x`);
  console.log(
    `alert latency, ${report.alerts} alerts: p50 ${report.latencyP50.toFixed(3)} ms, p99 ${report.latencyP99.toFixed(3)} ms, max ${report.latencyMax.toFixed(3)} ms`,
  );
}

if (isMainThread) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  runWorker();
}
