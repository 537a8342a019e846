'use strict';

// Field case: an EventEmitter that emits 'error' with no listener throws,
// which turns a failed webhook into a crashed server. Delivery failures are
// reported through the 'deliveryError' event (emitted only when someone
// listens) and getDeliveryStats(); 'error' is never emitted for them.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { PerformanceMonitoringService } = require('perf-sentinel');
const { QUIET, runScriptAsync, startReceiver } = require('./helpers/delivery');

test('failed webhook does not crash the process', async () => {
  // The field input as given, in a child process: port 9 (discard) has no
  // listener on this machine, so every try is refused, and the defaults
  // apply (3 retries, 500 ms backoff base, rate limit 1/s with burst 5).
  const result = await runScriptAsync(`
    process.on('unhandledRejection', (reason) => { console.log('UNHANDLED', String(reason)); process.exitCode = 3; });
    const { PerformanceMonitoringService } = require('perf-sentinel');
    (async () => {
      const s = new PerformanceMonitoringService({
        alerting: { console: { enabled: false }, file: { enabled: false },
                    webhook: { enabled: true, url: 'http://127.0.0.1:9/' } },
        monitoring: { alertCooldownPeriod: 0 } });
      for (let i = 0; i < 20; i++) s.recordMetric('response_time', 500 + i, 'ms');
      const drained = await s.stop?.();
      const stats = s.getDeliveryStats().find((entry) => entry.channel === 'webhook');
      console.log(JSON.stringify({ drained, stats }));
    })();
  `, { timeout: 60000 });

  assert.equal(result.timedOut, false, 'the child did not exit');
  assert.equal(result.signal, null, result.stderr);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.doesNotMatch(result.stdout, /UNHANDLED/);
  const report = JSON.parse(result.stdout.trim().split('\n').pop());
  assert.equal(report.drained, true);
  assert.equal(report.stats.sent, 0);
  assert.ok(report.stats.failed > 0, 'no failure was counted');
  assert.equal(report.stats.dropped, 0);
});

test('deliveryError reports each failure with its alert', async () => {
  const receiver = await startReceiver(() => 500);
  const service = new PerformanceMonitoringService({
    alerting: {
      ...QUIET,
      webhook: { enabled: true, url: receiver.url, retries: 1, backoffMs: 10, maxBackoffMs: 20 },
    },
    monitoring: { alertCooldownPeriod: 0 },
  });
  const failures = [];
  service.on('deliveryError', (event) => failures.push(event));
  try {
    service.recordMetric('response_time', 500, 'ms');
    assert.equal(await service.stop(), true);

    assert.ok(failures.length >= 1, 'no deliveryError');
    for (const failure of failures) {
      assert.equal(failure.channel, 'webhook');
      assert.match(failure.error, /HTTP 500/);
      assert.equal(failure.attempts, 2);
      assert.equal(typeof failure.alertId, 'string');
      assert.equal(failure.alert.metricName, 'response_time');
      assert.ok(['threshold', 'regression', 'regression_test'].includes(failure.type));
    }
    const stats = service.getDeliveryStats().find((entry) => entry.channel === 'webhook');
    assert.equal(stats.failed, failures.length);
  } finally {
    await service.cleanup();
    await receiver.close();
  }
});

test('failure without listeners emits no error', async () => {
  const receiver = await startReceiver(() => 500);
  const service = new PerformanceMonitoringService({
    alerting: { ...QUIET, webhook: { enabled: true, url: receiver.url, retries: 0 } },
    monitoring: { alertCooldownPeriod: 0 },
  });
  try {
    service.recordMetric('response_time', 500, 'ms');
    // With no 'error' listener an emitted 'error' would throw here.
    assert.equal(await service.stop(), true);
    const stats = service.getDeliveryStats().find((entry) => entry.channel === 'webhook');
    assert.ok(stats.failed >= 1);
  } finally {
    await service.cleanup();
    await receiver.close();
  }
});

test('50 services leave process listeners unchanged', async () => {
  const result = await runScriptAsync(`
    const { PerformanceMonitoringService } = require('perf-sentinel');
    const warnings = [];
    process.on('warning', (warning) => warnings.push(warning.name));
    const events = ['exit', 'SIGINT', 'SIGTERM', 'beforeExit', 'uncaughtException', 'unhandledRejection'];
    const count = () => events.map((name) => process.listenerCount(name));
    const before = count();
    (async () => {
      for (let i = 0; i < 50; i++) {
        const s = new PerformanceMonitoringService({
          alerting: { console: { enabled: false }, file: { enabled: false },
                      webhook: { enabled: true, url: 'http://127.0.0.1:9/', retries: 0 } },
          monitoring: { alertCooldownPeriod: 0 } });
        s.recordMetric('response_time', 500, 'ms');
        await s.cleanup();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      console.log(JSON.stringify({ before, after: count(), warnings }));
    })();
  `, { timeout: 30000 });

  assert.equal(result.timedOut, false);
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /MaxListenersExceededWarning/);
  const report = JSON.parse(result.stdout.trim().split('\n').pop());
  assert.deepEqual(report.after, report.before);
  assert.deepEqual(report.warnings.filter((name) => name === 'MaxListenersExceededWarning'), []);
});
