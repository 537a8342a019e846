'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { PerformanceMonitor } = require('..');

test('names beyond the limit fold into the overflow series', () => {
  const monitor = new PerformanceMonitor({ maxMetricNames: 10, defaultThresholds: false });
  const warnings = [];
  monitor.on('cardinalityLimit', (event) => warnings.push(event));
  for (let i = 0; i < 25; i++) monitor.recordMetric(`route_${i}`, i, 'ms');

  assert.equal(warnings.length, 1, 'the warning fires once');
  assert.deepEqual(warnings[0], { name: 'route_10', overflowMetric: 'perf_sentinel_overflow', maxMetricNames: 10 });

  const names = monitor.getMetricNames();
  assert.equal(names.length, 11);
  assert.ok(names.includes('perf_sentinel_overflow'));
  assert.deepEqual(monitor.getMetrics('route_12'), []);
  assert.deepEqual(
    monitor.getMetrics('perf_sentinel_overflow').map((metric) => metric.value),
    [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24],
  );

  const stats = monitor.getCardinalityStats();
  assert.equal(stats.foldedNames, 15);
  assert.equal(stats.maxMetricNames, 10);
  assert.equal(stats.metricNames, 11);
});

test('known names keep recording after the limit', () => {
  const monitor = new PerformanceMonitor({ maxMetricNames: 2, defaultThresholds: false });
  monitor.recordMetric('a', 1, 'ms');
  monitor.recordMetric('b', 2, 'ms');
  monitor.recordMetric('c', 3, 'ms');
  monitor.recordMetric('a', 4, 'ms');
  assert.deepEqual(monitor.getMetrics('a').map((metric) => metric.value), [1, 4]);
  assert.equal(monitor.getCardinalityStats().foldedNames, 1);
});

test('maxMetricNames must be at least one', () => {
  assert.throws(() => new PerformanceMonitor({ maxMetricNames: 0 }), { name: 'RangeError', message: /maxMetricNames/ });
});
