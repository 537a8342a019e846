'use strict';

// Fault test: a local receiver responds to half of the requests, at random,
// with 500 or with 429 (Retry-After: 1, which the channel caps at 20 ms here).
// 1000 threshold violations on distinct metrics go through the webhook
// channel as 2000 alerts, because the service routes each violation as a
// 'threshold' and a 'regression_test' alert. Every alert id must be accepted
// at least once, and nothing may be lost.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { PerformanceMonitoringService } = require('perf-sentinel');
const { QUIET, idsOf, startReceiver } = require('./helpers/delivery');

const METRICS = 1000;

/** Returns a deterministic pseudo-random generator in [0, 1) (mulberry32). */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('faulty receiver loses no alert', async () => {
  const random = seededRandom(20261204);
  const receiver = await startReceiver(() => {
    const roll = random();
    if (roll < 0.25) return 500;
    if (roll < 0.5) return { status: 429, headers: { 'Retry-After': '1' } };
    return 200;
  });
  const service = new PerformanceMonitoringService({
    alerting: {
      ...QUIET,
      webhook: {
        enabled: true,
        url: receiver.url,
        timeoutMs: 2000,
        retries: 30,
        backoffMs: 5,
        maxBackoffMs: 20,
        retryAfterCapMs: 20,
        deadlineMs: 60000,
        queueSize: 5000,
        rateLimit: { perSecond: 200, burst: 20 },
        // Small merged messages make hundreds of requests, so the faults hit often.
        maxAlertsPerMessage: 5,
      },
    },
    monitoring: { alertCooldownPeriod: 0, shutdownTimeoutMs: 60000 },
  });
  const failures = [];
  service.on('deliveryError', (event) => failures.push(event));
  try {
    const started = performance.now();
    const monitor = service.getPerformanceMonitor();
    for (let i = 0; i < METRICS; i++) {
      const name = `fault_metric_${i}`;
      monitor.setThreshold(name, 10, 'ms');
      service.recordMetric(name, 100, 'ms');
    }
    assert.equal(await service.stop(), true, 'the queue did not drain before the deadline');
    const elapsedMs = performance.now() - started;

    // Each violation is routed twice: as 'threshold' and as 'regression_test'.
    const expectedAlerts = 2 * METRICS;
    const accepted = new Map();
    let arrivals = 0;
    for (const request of receiver.requests) {
      for (const id of idsOf(request.body)) {
        arrivals++;
        if (request.status === 200) accepted.set(id, (accepted.get(id) ?? 0) + 1);
      }
    }
    const stats = service.getDeliveryStats().find((entry) => entry.channel === 'webhook');
    const figures = {
      alerts: expectedAlerts,
      requests: receiver.requests.length,
      failedRequests: receiver.requests.filter((request) => request.status !== 200).length,
      mergedRequests: receiver.requests.filter((request) => Array.isArray(request.body.ids)).length,
      deliveredIds: accepted.size,
      duplicateAcceptances: [...accepted.values()].reduce((sum, count) => sum + count - 1, 0),
      duplicateArrivals: arrivals - new Set(receiver.requests.flatMap((request) => idsOf(request.body))).size,
      retries: stats.retried,
      elapsedMs: Math.round(elapsedMs),
    };
    console.log(`delivery fault figures: ${JSON.stringify(figures)}`);

    assert.equal(accepted.size, expectedAlerts, 'some alert ids never arrived with a 200 response');
    assert.equal(figures.duplicateAcceptances, 0);
    assert.equal(stats.sent, expectedAlerts);
    assert.equal(stats.failed, 0);
    assert.equal(stats.dropped, 0);
    assert.deepEqual(failures, []);
    assert.ok(figures.failedRequests > 0, 'the receiver never failed a request');
    assert.ok(stats.retried > 0);
  } finally {
    await service.cleanup();
    await receiver.close();
  }
});
