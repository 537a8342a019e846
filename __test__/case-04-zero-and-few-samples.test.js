'use strict';

// Field case: the value 0 is a sample like any other, and percentiles of one
// or two samples stay within the samples.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { PerformanceMonitor } = require('..');

test('zero is stored and averages to zero', () => {
  const monitor = new PerformanceMonitor();
  monitor.recordMetric('queue', 0, 'count');
  const metrics = monitor.getMetrics('queue');
  assert.equal(metrics.length, 1);
  assert.equal(metrics[0].value, 0);
  const baseline = monitor.getBaseline('queue');
  assert.equal(baseline.averageValue, 0);
  assert.equal(baseline.sampleCount, 1);
});

test('zero mean never yields NaN or Infinity in an alert', () => {
  const monitor = new PerformanceMonitor();
  const alerts = [];
  monitor.on('regressionDetected', (alert) => alerts.push(alert));
  monitor.on('thresholdViolation', (alert) => alerts.push(alert));
  for (let i = 0; i < 20; i++) monitor.recordMetric('queue', 0, 'count');
  for (const v of [-5, 5, -5, 5, 10]) monitor.recordMetric('queue', v, 'count');
  monitor.setThreshold('zero_limit', 0, 'count');
  monitor.recordMetric('zero_limit', 3, 'count');
  assert.ok(alerts.length >= 1, 'the zero limit raises a threshold alert');
  for (const alert of alerts) {
    for (const [key, value] of Object.entries(alert)) {
      if (typeof value === 'number') assert.ok(Number.isFinite(value), `${key} is ${value}`);
    }
  }
});

test('percentiles of two samples lie within them and are ordered', () => {
  const monitor = new PerformanceMonitor();
  monitor.recordMetric('lat', 2, 'ms');
  monitor.recordMetric('lat', 418, 'ms');
  const { p50, p95, p99 } = monitor.getBaseline('lat');
  for (const p of [p50, p95, p99]) assert.ok(p >= 2 && p <= 418, `percentile ${p} outside [2, 418]`);
  assert.ok(p50 <= p95);
  assert.ok(p95 <= p99);
});

test('every percentile of one sample is that sample', () => {
  const monitor = new PerformanceMonitor();
  monitor.recordMetric('one', 7, 'ms');
  const baseline = monitor.getBaseline('one');
  assert.equal(baseline.p50, 7);
  assert.equal(baseline.p95, 7);
  assert.equal(baseline.p99, 7);
  assert.equal(baseline.minValue, 7);
  assert.equal(baseline.maxValue, 7);
  assert.equal(baseline.standardDeviation, 0);
});

test('a metric without samples has no baseline and exports no NaN', () => {
  const monitor = new PerformanceMonitor();
  monitor.setThreshold('idle', 10, 'ms');
  assert.equal(monitor.getBaseline('idle'), undefined);
  const text = JSON.stringify(monitor.exportMetrics());
  assert.doesNotMatch(text, /NaN|Infinity/);
  assert.equal(JSON.parse(text).baselines.idle, undefined);
});
