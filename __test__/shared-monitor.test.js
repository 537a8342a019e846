'use strict';

// PerformanceMonitor.shared across worker_threads. Every scenario runs in a
// child process of the current runtime (Node or Bun), so a crash, an abort
// or a hang is observed from outside and bounded by a timeout.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');

const { PerformanceMonitor } = require('..');
const { runScript } = require('./helpers/child');

const RUNS = 20;
/** Time allowed for a test of RUNS child processes; Bun's default is 5 s. */
const MANY_RUNS = { timeout: 240000 };

/** Asserts that a child ended by itself with status 0 and printed `expected`. */
function assertClean(result, expected, label) {
  assert.equal(result.timedOut, false, `${label}: timed out\n${result.stderr}`);
  assert.equal(result.signal, null, `${label}: killed by ${result.signal}\n${result.stderr}`);
  assert.equal(result.status, 0, `${label}: status ${result.status}\n${result.stderr}`);
  assert.doesNotMatch(result.stderr, /FATAL|Segmentation|panicked|Abort/i, label);
  if (expected !== undefined) assert.equal(result.stdout.trim(), expected, label);
}

/**
 * A script whose two workers record into the shared monitor 'load' in a
 * loop, every sample raising a threshold alert that is forwarded to the main
 * thread. Both start recording together once both are loaded, because one
 * flooding worker would otherwise starve the other's start on a small
 * machine. `afterStart` runs on the main thread once both record.
 */
function floodingScript(afterStart) {
  return `
    const { Worker, isMainThread, parentPort } = require('node:worker_threads');
    const { PerformanceMonitor } = require('perf-sentinel');
    if (isMainThread) {
      const monitor = PerformanceMonitor.shared('load');
      monitor.setThreshold('flood', 0, 'ms');
      let received = 0;
      monitor.on('thresholdViolation', () => received++);
      const source = ${JSON.stringify(`
        const { parentPort } = require('node:worker_threads');
        const { PerformanceMonitor } = require(${JSON.stringify(require.resolve('..'))});
        const monitor = PerformanceMonitor.shared('load');
        const handle = monitor.metric('flood', 'ms');
        parentPort.once('message', () => {
          parentPort.postMessage('running');
          for (let i = 0; ; i++) {
            monitor.recordMetric('flood', 1 + (i % 7), 'ms');
            handle.record(2);
          }
        });
        parentPort.postMessage('ready');
      `)};
      const workers = [0, 1].map(() => new Worker(source, { eval: true }));
      let ready = 0;
      let running = 0;
      for (const worker of workers) {
        worker.on('error', (error) => { console.error('worker error', error); process.exitCode = 3; });
        worker.on('message', (message) => {
          if (message === 'ready' && ++ready === workers.length) {
            for (const each of workers) each.postMessage('go');
          }
          if (message === 'running' && ++running === workers.length) {
            (${afterStart.toString()})(workers, () => received);
          }
        });
      }
    }
  `;
}

describe('PerformanceMonitor.shared', () => {
  test('returns one object per name on a thread', () => {
    const first = PerformanceMonitor.shared('same-thread');
    assert.equal(PerformanceMonitor.shared('same-thread'), first);
    assert.notEqual(PerformanceMonitor.shared('same-thread-other'), first);
    assert.throws(() => PerformanceMonitor.shared(''), { name: 'TypeError', message: /name/ });
  });

  test('rejects options that differ from the existing ones', () => {
    PerformanceMonitor.shared('with-options', { maxSamples: 50 });
    assert.equal(PerformanceMonitor.shared('with-options', { maxSamples: 50 }), PerformanceMonitor.shared('with-options'));
    assert.throws(() => PerformanceMonitor.shared('with-options', { maxSamples: 60 }), {
      name: 'RangeError',
      message: /with-options/,
    });
  });

  test('delivers worker alerts to the owner as events', { timeout: 30000 }, () => {
    const result = runScript(`
      const { Worker } = require('node:worker_threads');
      const { PerformanceMonitor } = require('perf-sentinel');
      const monitor = PerformanceMonitor.shared('server');
      monitor.setThreshold('latency', 100, 'ms');
      const events = [];
      monitor.on('thresholdViolation', (alert) => events.push(['threshold', alert.metricName, alert.currentValue]));
      monitor.on('regressionDetected', (alert) => events.push(['regression', alert.metricName, alert.currentValue]));
      monitor.recordMetric('owner_latency', 1, 'ms');
      monitor.setThreshold('owner_latency', 100, 'ms');
      monitor.recordMetric('owner_latency', 300, 'ms');
      const ownEvents = events.length;
      const worker = new Worker(\`
        const { parentPort } = require('node:worker_threads');
        const { PerformanceMonitor } = require(${JSON.stringify(require.resolve('..'))});
        const monitor = PerformanceMonitor.shared('server');
        let local = 0;
        monitor.on('thresholdViolation', () => local++);
        monitor.recordMetric('latency', 50, 'ms');
        monitor.recordMetric('latency', 150, 'ms');
        monitor.metric('latency', 'ms').record(250);
        monitor.recordMany('latency', [60, 400], 'ms');
        parentPort.postMessage(local);
      \`, { eval: true });
      let workerCount;
      worker.on('message', (count) => { workerCount = count; });
      worker.on('exit', () => {
        const deadline = Date.now() + 5000;
        const poll = () => {
          if (events.length < 4 && Date.now() < deadline) return setTimeout(poll, 5);
          console.log(JSON.stringify({
            ownEvents,
            events,
            workerCount,
            samples: monitor.getMetrics('latency').map((m) => m.value),
            history: monitor.getRecentAlerts(10).map((a) => a.currentValue),
          }));
        };
        poll();
      });
    `);
    assertClean(result, undefined, 'delivery');
    const report = JSON.parse(result.stdout);
    assert.equal(report.ownEvents, 1, "the owner's own alert is emitted synchronously");
    assert.deepEqual(report.events, [
      ['threshold', 'owner_latency', 300],
      ['threshold', 'latency', 150],
      ['threshold', 'latency', 250],
      ['threshold', 'latency', 400],
    ]);
    assert.equal(report.workerCount, 3, 'the worker also got its own alerts synchronously');
    assert.deepEqual(report.samples, [50, 150, 250, 60, 400]);
    assert.deepEqual(report.history, [300, 150, 250, 400]);
  });

  test('hands ownership on when the owner exits', { timeout: 30000 }, () => {
    const result = runScript(`
      const { Worker } = require('node:worker_threads');
      const root = ${JSON.stringify(require.resolve('..'))};
      const run = (body) => new Worker(
        "const { parentPort } = require('node:worker_threads');" +
        'const { PerformanceMonitor } = require(' + JSON.stringify(root) + ');' + body,
        { eval: true },
      );
      const exited = (worker) => new Promise((resolve) => worker.once('exit', resolve));
      (async () => {
        await exited(run("PerformanceMonitor.shared('handover');"));
        const owner = run(\`
          const monitor = PerformanceMonitor.shared('handover');
          monitor.on('thresholdViolation', (alert) => {
            parentPort.postMessage(alert.currentValue);
            process.exit(0);
          });
          // The delivery is weak, so the port keeps this worker waiting.
          parentPort.on('message', () => {});
          parentPort.postMessage('owner ready');
        \`);
        owner.once('message', async () => {
          await exited(run(\`
            const monitor = PerformanceMonitor.shared('handover');
            monitor.setThreshold('latency', 100, 'ms');
            monitor.recordMetric('latency', 500, 'ms');
          \`));
        });
        owner.on('message', (message) => {
          if (message !== 'owner ready') console.log('owner received ' + message);
        });
      })();
    `);
    assertClean(result, 'owner received 500', 'handover');
  });

  test('does not keep a process alive', { timeout: 30000 }, () => {
    const result = runScript(`
      const { PerformanceMonitor } = require('perf-sentinel');
      const monitor = PerformanceMonitor.shared('idle');
      monitor.on('thresholdViolation', () => {});
      monitor.recordMetric('response_time', 500, 'ms');
      console.log('recorded');
    `, { timeout: 10000 });
    assertClean(result, 'recorded', 'idle owner');
  });

  test('survives workers terminated mid-recording', MANY_RUNS, () => {
    const script = floodingScript((workers, received) => {
      setTimeout(async () => {
        await Promise.all(workers.map((worker) => worker.terminate()));
        setTimeout(() => console.log(received() > 0 ? 'done' : 'no alerts'), 20);
      }, 30);
    });
    for (let run = 0; run < RUNS; run++) {
      assertClean(runScript(script, { timeout: 20000 }), 'done', `run ${run}`);
    }
  });

  test('survives process.exit with alerts queued', MANY_RUNS, () => {
    const script = floodingScript(() => {
      setTimeout(() => {
        console.log('exiting');
        process.exit(0);
      }, 10);
    });
    for (let run = 0; run < RUNS; run++) {
      assertClean(runScript(script, { timeout: 20000 }), 'exiting', `run ${run}`);
    }
  });
});
