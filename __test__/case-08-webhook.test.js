'use strict';

// Field case: an HTTP client without a total timeout waits forever on a
// server that never responds, and some webhook senders ignore Retry-After.
// A local receiver runs in three modes: A never responds, B sends 429 with
// Retry-After: 1 once then 200, C sends 503, 503, then 200.
//
// One threshold violation reaches the service twice, as a 'threshold' alert
// and as the regression detector's 'regression_test' alert, each with its own
// id. The receiver therefore applies each mode per alert id, and the checks
// are made per alert.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { PerformanceMonitoringService } = require('perf-sentinel');
const { QUIET, idsOf, runScriptAsync, startReceiver, waitFor } = require('./helpers/delivery');

const METRIC = 'case08_latency';

/** Builds a service whose only channel is the webhook at `url`. */
function webhookService(url, webhook = {}) {
  return new PerformanceMonitoringService({
    alerting: {
      ...QUIET,
      webhook: { enabled: true, url, timeoutMs: 1000, retries: 3, backoffMs: 20, maxBackoffMs: 100, ...webhook },
    },
    monitoring: { alertCooldownPeriod: 0 },
  });
}

/** Raises one threshold alert (200 ms against a 100 ms limit, so critical). */
function raiseOneAlert(service) {
  service.getPerformanceMonitor().setThreshold(METRIC, 100, 'ms');
  service.recordMetric(METRIC, 200, 'ms');
}

/** Wraps `reply(tryIndex)` so that each alert id gets its own sequence of replies. */
function perAlert(reply) {
  const tries = new Map();
  return (index, body) => {
    const key = idsOf(body).join(',');
    const count = tries.get(key) ?? 0;
    tries.set(key, count + 1);
    return reply(count);
  };
}

/** Groups the recorded requests by the alert ids they carry. */
function requestsByAlert(receiver) {
  const groups = new Map();
  for (const request of receiver.requests) {
    const key = idsOf(request.body).join(',');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(request);
  }
  return [...groups.values()];
}

const ALERTS_PER_VIOLATION = 2;

function webhookStats(service) {
  return service.getDeliveryStats().find((entry) => entry.channel === 'webhook');
}

test('mode A: silent server, each try times out and the process exits', async () => {
  const receiver = await startReceiver(() => 'hang');
  try {
    const timeoutMs = 300;
    const tries = 4;
    const result = await runScriptAsync(`
      const { PerformanceMonitoringService } = require('perf-sentinel');
      const service = new PerformanceMonitoringService({
        alerting: {
          console: { enabled: false }, file: { enabled: false },
          webhook: { enabled: true, url: ${JSON.stringify(receiver.url)}, timeoutMs: ${timeoutMs},
                     retries: ${tries - 1}, backoffMs: 20, maxBackoffMs: 50 },
        },
        monitoring: { alertCooldownPeriod: 0 },
      });
      const failures = [];
      service.on('deliveryError', (event) => failures.push(event));
      service.getPerformanceMonitor().setThreshold('${METRIC}', 100, 'ms');
      service.recordMetric('${METRIC}', 200, 'ms');
      const started = Date.now();
      service.stop().then((drained) => {
        const stats = service.getDeliveryStats().find((entry) => entry.channel === 'webhook');
        console.log(JSON.stringify({ drained, stopMs: Date.now() - started, failures, stats }));
      });
    `, { timeout: 20000 });

    assert.equal(result.timedOut, false, 'the child did not exit within 20 s');
    assert.equal(result.signal, null, result.stderr);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout.trim().split('\n').pop());
    assert.equal(report.drained, true);
    // Per alert: four tries of 300 ms and three backoff delays of at most
    // 50 ms. The channel sends one message at a time, and the bound adds
    // generous room for a loaded machine.
    const perAlertMs = timeoutMs * tries + 3 * 50;
    assert.ok(report.stopMs < ALERTS_PER_VIOLATION * perAlertMs + 5000, `stop() took ${report.stopMs} ms`);
    const groups = requestsByAlert(receiver);
    assert.equal(groups.length, ALERTS_PER_VIOLATION);
    for (const group of groups) assert.equal(group.length, tries);
    assert.equal(report.failures.length, ALERTS_PER_VIOLATION);
    for (const failure of report.failures) {
      assert.equal(failure.channel, 'webhook');
      assert.equal(failure.attempts, tries);
      assert.match(failure.error, /timed out/);
    }
    assert.equal(report.stats.failed, ALERTS_PER_VIOLATION);
    assert.equal(report.stats.sent, 0);
  } finally {
    await receiver.close();
  }
});

test('mode B: Retry-After delays the second try', async () => {
  const receiver = await startReceiver(perAlert((count) => (count === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : 200)));
  const service = webhookService(receiver.url);
  try {
    raiseOneAlert(service);
    assert.equal(await service.stop(), true);

    const groups = requestsByAlert(receiver);
    assert.equal(groups.length, ALERTS_PER_VIOLATION);
    for (const [first, second, ...rest] of groups) {
      assert.deepEqual(rest, []);
      assert.equal(first.status, 429);
      assert.equal(second.status, 200);
      // performance.now() has sub-millisecond resolution; 10 ms of slack
      // covers clock granularity, not an early retry.
      const gapMs = second.at - first.at;
      assert.ok(gapMs >= 990, `second try came ${gapMs.toFixed(0)} ms after the first`);
    }
    const stats = webhookStats(service);
    assert.equal(stats.sent, ALERTS_PER_VIOLATION);
    assert.equal(stats.retried, ALERTS_PER_VIOLATION);
  } finally {
    await service.cleanup();
    await receiver.close();
  }
});

test('mode C: two 503 then success, no duplicate', async () => {
  const receiver = await startReceiver(perAlert((count) => (count < 2 ? 503 : 200)));
  const service = webhookService(receiver.url);
  const failures = [];
  service.on('deliveryError', (event) => failures.push(event));
  try {
    raiseOneAlert(service);
    assert.equal(await service.stop(), true);
    // Nothing may follow the success, even a little later.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const groups = requestsByAlert(receiver);
    assert.equal(groups.length, ALERTS_PER_VIOLATION);
    for (const group of groups) {
      assert.deepEqual(group.map((request) => request.status), [503, 503, 200]);
      assert.equal(new Set(group.map((request) => request.body.id)).size, 1, 'every try carries the same id');
    }
    assert.equal(receiver.requests.length, 3 * ALERTS_PER_VIOLATION);
    const stats = webhookStats(service);
    assert.equal(stats.sent, ALERTS_PER_VIOLATION);
    assert.equal(stats.retried, 2 * ALERTS_PER_VIOLATION);
    assert.equal(stats.failed, 0);
    assert.deepEqual(failures, []);
  } finally {
    await service.cleanup();
    await receiver.close();
  }
});

for (const status of [400, 404]) {
  test(`HTTP ${status} is not retried`, async () => {
    const receiver = await startReceiver(() => status);
    const service = webhookService(receiver.url);
    const failures = [];
    service.on('deliveryError', (event) => failures.push(event));
    try {
      raiseOneAlert(service);
      assert.equal(await service.stop(), true);
      assert.ok(await waitFor(() => failures.length === ALERTS_PER_VIOLATION), 'deliveryError events missing');

      assert.equal(receiver.requests.length, ALERTS_PER_VIOLATION, 'one request per alert');
      for (const failure of failures) {
        assert.equal(failure.channel, 'webhook');
        assert.equal(failure.attempts, 1);
        assert.match(failure.error, new RegExp(String(status)));
        assert.equal(failure.alert.metricName, METRIC);
        assert.equal(typeof failure.alertId, 'string');
      }
      assert.deepEqual(failures.map((failure) => failure.type).sort(), ['regression_test', 'threshold']);
      const stats = webhookStats(service);
      assert.equal(stats.failed, ALERTS_PER_VIOLATION);
      assert.equal(stats.retried, 0);
    } finally {
      await service.cleanup();
      await receiver.close();
    }
  });
}

test('body carries alert, type, message, severity and text', async () => {
  const receiver = await startReceiver(() => 200);
  const service = webhookService(receiver.url);
  const routed = [];
  service.on('alert', (event) => routed.push(event));
  try {
    raiseOneAlert(service);
    assert.equal(await service.stop(), true);

    assert.equal(receiver.requests.length, ALERTS_PER_VIOLATION);
    const request = receiver.requests.find((candidate) => candidate.body.type === 'threshold');
    assert.ok(request, 'no request for the threshold alert');
    const { body, headers } = request;
    assert.match(headers['content-type'], /^application\/json/);
    assert.equal(typeof body.id, 'string');
    assert.ok(body.id.length > 0);
    assert.equal(body.type, 'threshold');
    assert.equal(body.severity, 'critical');
    assert.equal(typeof body.message, 'string');
    assert.match(body.message, new RegExp(METRIC));
    assert.equal(body.text, body.message);
    assert.equal(body.alert.metricName, METRIC);
    assert.equal(body.alert.currentValue, 200);
    assert.equal(body.alert.threshold, 100);
    assert.equal(body.alert.previousValue, 100);
    assert.equal(body.alert.regressionPercentage, 100);
    assert.equal(body.alert.severity, 'critical');
    assert.equal(typeof body.timestamp, 'number');
    const threshold = routed.find((event) => event.type === 'threshold');
    assert.deepEqual(body.alert, JSON.parse(JSON.stringify(threshold.alert)));
    const ids = receiver.requests.map((candidate) => candidate.body.id);
    assert.equal(new Set(ids).size, ALERTS_PER_VIOLATION, 'each alert has its own id');
  } finally {
    await service.cleanup();
    await receiver.close();
  }
});

test('slack format sends text, blocks and id', async () => {
  const receiver = await startReceiver(() => 200);
  const service = webhookService(receiver.url, { format: 'slack' });
  try {
    raiseOneAlert(service);
    assert.equal(await service.stop(), true);

    const bodies = receiver.requests.map((request) => request.body);
    assert.equal(bodies.length, ALERTS_PER_VIOLATION);
    for (const body of bodies) {
      assert.equal(typeof body.text, 'string');
      assert.match(body.text, new RegExp(METRIC));
      assert.ok(Array.isArray(body.blocks));
      assert.equal(typeof body.id, 'string');
    }
    assert.ok(bodies.some((body) => /^\*CRITICAL\* threshold alert/.test(body.blocks[0].text.text)));
  } finally {
    await service.cleanup();
    await receiver.close();
  }
});
