'use strict';

// Lifecycle of the delivery threads. stop() waits for the queues or the
// deadline, and the process exits by itself afterwards (and without stop()).
// Threads do not leak. Neither a throwing event callback nor a torn-down
// environment can take the process down. Each case runs in a child process
// so that its exit status and signal can be checked.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { ROOT } = require('./helpers/child');
const { runScriptAsync, startReceiver } = require('./helpers/delivery');

/** Returns the source of a service whose only channel is the webhook at `url`. */
function serviceSource(url, { webhook = '', monitoring = '' } = {}) {
  return `
    const { PerformanceMonitoringService } = require('perf-sentinel');
    const service = new PerformanceMonitoringService({
      alerting: { console: { enabled: false }, file: { enabled: false },
                  webhook: { enabled: true, url: ${JSON.stringify(url)}, ${webhook} } },
      monitoring: { alertCooldownPeriod: 0, ${monitoring} },
    });
    service.getPerformanceMonitor().setThreshold('lifecycle_metric', 100, 'ms');
  `;
}

// Counts the threads of this package (named perf-sentinel-*; Linux shows the
// first 15 bytes in /proc/self/task/<tid>/comm), so threads that the runtime
// starts lazily do not disturb the count.
const THREADS_SOURCE = `
  const threads = () => fs.readdirSync('/proc/self/task').filter((tid) => {
    try {
      return fs.readFileSync('/proc/self/task/' + tid + '/comm', 'utf8').startsWith('perf-sentinel');
    } catch {
      return false;
    }
  }).length;
`;

function lastJsonLine(stdout) {
  return JSON.parse(stdout.trim().split('\n').pop());
}

test('stop waits for a slow receiver, then the process exits', async () => {
  const receiver = await startReceiver((index, body, req, res) => {
    setTimeout(() => res.writeHead(200).end('ok'), 400);
    return 'hang';
  });
  try {
    const result = await runScriptAsync(serviceSource(receiver.url) + `
      service.recordMetric('lifecycle_metric', 200, 'ms');
      service.stop().then((drained) => {
        const stats = service.getDeliveryStats()[0];
        console.log(JSON.stringify({ drained, sent: stats.sent, queued: stats.queued, inFlight: stats.inFlight }));
      });
    `);
    assert.equal(result.timedOut, false, 'the child did not exit by itself');
    assert.equal(result.signal, null, result.stderr);
    assert.equal(result.status, 0, result.stderr);
    const report = lastJsonLine(result.stdout);
    assert.deepEqual(report, { drained: true, sent: 2, queued: 0, inFlight: 0 });
    assert.equal(receiver.requests.length, 2);
  } finally {
    await receiver.close();
  }
});

test('stop resolves false at the deadline, then the process exits', async () => {
  const receiver = await startReceiver(() => 'hang');
  try {
    const result = await runScriptAsync(serviceSource(receiver.url, {
      webhook: 'timeoutMs: 15000, retries: 0',
      monitoring: 'shutdownTimeoutMs: 500',
    }) + `
      service.recordMetric('lifecycle_metric', 200, 'ms');
      const started = Date.now();
      service.stop().then((drained) => console.log(JSON.stringify({ drained, stopMs: Date.now() - started })));
    `, { timeout: 14000 });
    assert.equal(result.timedOut, false, 'the child waited for the hanging request');
    assert.equal(result.signal, null, result.stderr);
    assert.equal(result.status, 0, result.stderr);
    const report = lastJsonLine(result.stdout);
    assert.equal(report.drained, false);
    assert.ok(report.stopMs >= 450, `stop() resolved after ${report.stopMs} ms, before its deadline`);
    assert.ok(receiver.requests.length >= 1);
  } finally {
    await receiver.close();
  }
});

test('process without stop exits after delivery', async () => {
  const receiver = await startReceiver((index, body, req, res) => {
    setTimeout(() => res.writeHead(200).end('ok'), 300);
    return 'hang';
  });
  try {
    const result = await runScriptAsync(serviceSource(receiver.url) + `
      service.recordMetric('lifecycle_metric', 200, 'ms');
      console.log('recorded');
    `);
    assert.equal(result.timedOut, false, 'the child did not exit by itself');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(receiver.requests.length, 2, 'the process exited before delivering');
    assert.ok(result.ms >= 300, `exited after ${result.ms} ms, before the receiver responded`);
  } finally {
    await receiver.close();
  }
});

test('50 services created and cleaned up leak no threads', async () => {
  const receiver = await startReceiver(() => 200);
  try {
    const result = await runScriptAsync(`
      const fs = require('node:fs');
      const os = require('node:os');
      const path = require('node:path');
      const { PerformanceMonitoringService } = require('perf-sentinel');
      ${THREADS_SOURCE}
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-threads-'));
      async function round(i) {
        const service = new PerformanceMonitoringService({
          alerting: { console: { enabled: false },
                      file: { enabled: true, logPath: path.join(dir, 'alerts.log') },
                      webhook: { enabled: true, url: ${JSON.stringify(receiver.url)} } },
          monitoring: { alertCooldownPeriod: 0 },
        });
        service.getPerformanceMonitor().setThreshold('m' + i, 1, 'ms');
        service.recordMetric('m' + i, 5, 'ms');
        await service.cleanup();
      }
      (async () => {
        await round(-1);
        const settle = async (limit) => {
          const deadline = Date.now() + 10000;
          while (threads() > limit && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          return threads();
        };
        await new Promise((r) => setTimeout(r, 200));
        const before = threads();
        for (let i = 0; i < 50; i++) await round(i);
        const after = await settle(before);
        fs.rmSync(dir, { recursive: true, force: true });
        console.log(JSON.stringify({ before, after }));
      })();
    `, { timeout: 60000 });
    assert.equal(result.timedOut, false);
    assert.equal(result.status, 0, result.stderr);
    const report = lastJsonLine(result.stdout);
    assert.equal(report.before, 0);
    assert.equal(report.after, 0, 'threads left after cleanup');
    assert.equal(receiver.requests.length, 2 * 51);
  } finally {
    await receiver.close();
  }
});

test('garbage-collected dispatchers end their threads', async () => {
  const result = await runScriptAsync(`
    const fs = require('node:fs');
    const os = require('node:os');
    const path = require('node:path');
    const { AlertDispatcher } = require(${JSON.stringify(path.join(ROOT, 'binding.js'))});
    const collect = typeof Bun !== 'undefined'
      ? () => Bun.gc(true)
      : (require('node:v8').setFlagsFromString('--expose-gc'), require('node:vm').runInNewContext('gc'));
    ${THREADS_SOURCE}
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-gc-'));
    const config = JSON.stringify({ file: { enabled: true, logPath: path.join(dir, 'alerts.log') } });
    (async () => {
      const before = threads();
      let dispatchers = [];
      for (let i = 0; i < 20; i++) dispatchers.push(new AlertDispatcher(config, () => {}));
      // A new thread sets its own name, so wait until all of them did.
      const named = Date.now() + 5000;
      while (threads() < 40 && Date.now() < named) await new Promise((resolve) => setTimeout(resolve, 10));
      const started = threads();
      dispatchers = null;
      const deadline = Date.now() + 15000;
      while (threads() > before && Date.now() < deadline) {
        collect();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      fs.rmSync(dir, { recursive: true, force: true });
      console.log(JSON.stringify({ before, started, after: threads() }));
    })();
  `, { timeout: 30000 });
  assert.equal(result.signal, null, result.stderr);
  assert.equal(result.status, 0, result.stderr);
  const report = lastJsonLine(result.stdout);
  assert.equal(report.before, 0);
  assert.equal(report.started, 40, 'each file-only dispatcher runs a router and a writer thread');
  assert.equal(report.after, 0, 'threads left after garbage collection');
});

test('throwing event callback does not abort', async () => {
  const receiver = await startReceiver(() => 500);
  try {
    const result = await runScriptAsync(`
      const { AlertDispatcher } = require(${JSON.stringify(path.join(ROOT, 'binding.js'))});
      let calls = 0;
      const dispatcher = new AlertDispatcher(
        JSON.stringify({ webhook: { enabled: true, url: ${JSON.stringify(receiver.url)}, retries: 1, backoffMs: 1 } }),
        () => { calls++; throw new Error('listener failure'); },
      );
      const alert = { metricName: 'm', currentValue: 2, previousValue: 1, threshold: 1,
                      regressionPercentage: 100, timestamp: Date.now(), severity: 'critical' };
      dispatcher.submit('a1', 'threshold', JSON.stringify(alert), 'm is slow');
      dispatcher.close(10000).then((drained) => console.log(JSON.stringify({ drained, calls })));
    `);
    assert.equal(result.signal, null, result.stderr);
    assert.equal(result.status, 0, result.stderr);
    const report = lastJsonLine(result.stdout);
    assert.equal(report.drained, true);
    // routed, retrying, failed and closed all reached the callback.
    assert.equal(report.calls, 4);
  } finally {
    await receiver.close();
  }
});

test('process.exit with deliveries in flight is clean', async () => {
  const receiver = await startReceiver(() => 'hang');
  try {
    const result = await runScriptAsync(serviceSource(receiver.url) + `
      service.recordMetric('lifecycle_metric', 200, 'ms');
      setTimeout(() => process.exit(0), 100);
    `);
    assert.equal(result.signal, null, result.stderr);
    assert.equal(result.status, 0, result.stderr);
  } finally {
    await receiver.close();
  }
});

test('terminated worker with a dispatcher is clean', async () => {
  const receiver = await startReceiver(() => 'hang');
  try {
    const result = await runScriptAsync(`
      const { Worker } = require('node:worker_threads');
      const source = ${JSON.stringify(`
        const { parentPort } = require('node:worker_threads');
        const { AlertDispatcher } = require(${JSON.stringify(path.join(ROOT, 'binding.js'))});
        const dispatcher = new AlertDispatcher(
          JSON.stringify({ webhook: { enabled: true, url: ${JSON.stringify(receiver.url)}, timeoutMs: 5000 } }),
          () => {},
        );
        dispatcher.submit('w1', 'threshold', '{"metricName":"m","severity":"warning"}', 'm');
        parentPort.postMessage('submitted');
        setInterval(() => {}, 1000);
      `)};
      const worker = new Worker(source, { eval: true });
      worker.on('message', async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await worker.terminate();
        // Events for the torn-down environment may still be on their way.
        setTimeout(() => console.log('main still running'), 500);
      });
    `);
    assert.equal(result.signal, null, result.stderr);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /main still running/);
  } finally {
    await receiver.close();
  }
});
