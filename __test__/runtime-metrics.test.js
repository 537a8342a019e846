'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { PerformanceMonitoringService } = require('..');

const QUIET = { console: { enabled: false }, file: { enabled: false } };

test('runtime metrics are off by default', async () => {
  const service = new PerformanceMonitoringService({ alerting: QUIET, monitoring: { baselineUpdateInterval: 50 } });
  service.start();
  await new Promise((resolve) => setTimeout(resolve, 150));
  await service.cleanup();
  assert.equal(service.getRuntimeMetricsAvailability(), null);
});

test('runtime metrics record available measurements only', async () => {
  const service = new PerformanceMonitoringService({
    alerting: QUIET,
    monitoring: { baselineUpdateInterval: 100, runtimeMetrics: true },
  });
  service.start();
  await new Promise((resolve) => setTimeout(resolve, 450));
  const monitor = service.getPerformanceMonitor();
  const availability = service.getRuntimeMetricsAvailability();
  await service.stop();

  for (const name of ['event_loop_delay_p50', 'event_loop_delay_p99', 'heap_used', 'rss', 'cpu_usage']) {
    assert.ok(monitor.getMetrics(name).length >= 2, `${name} recorded`);
  }
  for (const metric of monitor.getMetrics('event_loop_delay_p99')) {
    assert.equal(metric.unit, 'ms');
    assert.ok(metric.value >= 0);
  }
  assert.ok(monitor.getMetrics('heap_used')[0].value > 0);
  assert.ok(monitor.getMetrics('rss')[0].value > monitor.getMetrics('heap_used')[0].value / 10);

  const utilisation = monitor.getMetrics('event_loop_utilization');
  if (availability.eventLoopUtilization.available) {
    assert.ok(utilisation.length >= 2);
    for (const metric of utilisation) assert.ok(metric.value >= 0 && metric.value <= 1);
  } else {
    assert.equal(typeof availability.eventLoopUtilization.reason, 'string');
    assert.deepEqual(utilisation, [], 'an unavailable measurement is never recorded as zeros');
  }
  if (process.versions.bun) assert.equal(availability.eventLoopUtilization.available, false);
  await service.cleanup();
});

test('runtimeMetrics must be a boolean', () => {
  assert.throws(() => new PerformanceMonitoringService({ monitoring: { runtimeMetrics: 'yes' } }), {
    name: 'TypeError',
    message: /runtimeMetrics/,
  });
});
