'use strict';

// Field case: NaN, Infinity and huge values must never crash the process,
// must leave the baseline finite and the export valid JSON.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { runScript } = require('./helpers/child');
const { PerformanceMonitor, PerformanceMonitoringService } = require('..');

const HOSTILE_VALUES = [NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, -1e308];

test('non-finite values never crash the process', () => {
  const result = runScript(`
    const { PerformanceMonitor } = require('perf-sentinel');
    const m = new PerformanceMonitor();
    for (const v of [NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, -1e308]) {
      try { m.recordMetric('lat', v, 'ms'); } catch (e) { console.log(e.name, e.message); }
    }
    m.recordMetric('lat', 5, 'ms');
    console.log(JSON.stringify(m.getBaseline('lat')));
    console.log(JSON.stringify(m.exportMetrics()));
  `);
  assert.equal(result.signal, null, result.stderr);
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.filter((line) => line.startsWith('RangeError')).length, 5);
  assert.match(lines[0], /RangeError recordMetric: value must be a finite number, received NaN/);
});

test('monitor rejects non-finite values and keeps a finite baseline', () => {
  const monitor = new PerformanceMonitor();
  const rejected = [];
  for (const value of HOSTILE_VALUES) {
    try {
      monitor.recordMetric('lat', value, 'ms');
    } catch (error) {
      rejected.push(error);
    }
  }
  monitor.recordMetric('lat', 5, 'ms');
  for (const error of rejected) assert.equal(error.name, 'RangeError');
  assert.equal(rejected.length, 5, 'only -0 is accepted');

  const baseline = monitor.getBaseline('lat');
  for (const key of ['averageValue', 'minValue', 'maxValue', 'standardDeviation', 'p50', 'p95', 'p99']) {
    assert.ok(Number.isFinite(baseline[key]), `${key} is ${baseline[key]}`);
  }
  assert.equal(baseline.sampleCount, 2);
});

test('export after hostile input is valid JSON that imports back', () => {
  const monitor = new PerformanceMonitor();
  for (const value of HOSTILE_VALUES) {
    try {
      monitor.recordMetric('lat', value, 'ms');
    } catch {
      // Rejections are asserted in the test above.
    }
  }
  monitor.recordMetric('lat', 5, 'ms');
  const text = JSON.stringify(monitor.exportMetrics());
  assert.doesNotMatch(text, /NaN|Infinity|null/);
  const copy = new PerformanceMonitor();
  copy.importMetrics(JSON.parse(text));
  // JSON writes -0 as 0, so the baselines are compared as JSON text.
  assert.equal(JSON.stringify(copy.getBaseline('lat')), JSON.stringify(monitor.getBaseline('lat')));
});

test('service recordMetric never throws on bad arguments', () => {
  const service = new PerformanceMonitoringService({ alerting: { file: { enabled: false } } });
  const rejected = [];
  service.on('metricRejected', (event) => rejected.push(event));
  const calls = [
    ['', 100, 'ms'],
    [null, 100, 'ms'],
    [undefined, 100, 'ms'],
    ['lat', NaN, 'ms'],
    ['lat', Infinity, 'ms'],
    ['lat', Number.MAX_VALUE, 'ms'],
    ['lat', '12', 'ms'],
    ['lat', 1, 'ms', 'not an object'],
  ];
  for (const args of calls) assert.doesNotThrow(() => service.recordMetric(...args));
  assert.doesNotThrow(() => service.recordMetric('lat', 1, undefined));
  assert.equal(rejected.length, calls.length);
  assert.equal(service.getServiceStats().rejectedMetrics, calls.length);
  assert.deepEqual(service.getPerformanceMonitor().getMetrics('lat').map((m) => m.value), [1]);
});
