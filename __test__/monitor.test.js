'use strict';

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');

const { PerformanceMonitor } = require('..');

/** Records `values` under `name` and returns the alerts of each kind, in order. */
function recordAll(monitor, name, values, unit = 'ms') {
  const events = [];
  const onThreshold = (alert) => events.push(['threshold', alert]);
  const onRegression = (alert) => events.push(['regression', alert]);
  monitor.on('thresholdViolation', onThreshold);
  monitor.on('regressionDetected', onRegression);
  for (const value of values) monitor.recordMetric(name, value, unit);
  monitor.off('thresholdViolation', onThreshold);
  monitor.off('regressionDetected', onRegression);
  return events;
}

/** Returns the alerts of the TypeScript original's regression rule, reimplemented naively for comparison. */
function referenceRegressions(values) {
  const alerts = [];
  const kept = [];
  for (const value of values) {
    kept.push(value);
    if (kept.length > 1000) kept.shift();
    if (kept.length < 10) continue;
    const mean = kept.reduce((s, v) => s + v, 0) / kept.length;
    const std = Math.sqrt(kept.reduce((s, v) => s + (v - mean) ** 2, 0) / kept.length);
    const expectedMax = mean + 2 * std;
    if (value > expectedMax) {
      const percentage = ((value - mean) / mean) * 100;
      if (percentage > 20) alerts.push({ value, mean, expectedMax, severity: percentage > 50 ? 'critical' : 'warning' });
    }
  }
  return alerts;
}

describe('PerformanceMonitor construction', () => {
  test('is an EventEmitter', () => {
    assert.ok(new PerformanceMonitor() instanceof EventEmitter);
  });

  test('installs the five default thresholds', () => {
    const thresholds = new PerformanceMonitor().getThresholds();
    const byName = Object.fromEntries(thresholds.map((t) => [t.name, t]));
    assert.deepEqual(byName.response_time, { name: 'response_time', maxValue: 100, unit: 'ms', enabled: true });
    assert.deepEqual(byName.memory_usage, { name: 'memory_usage', maxValue: 50, unit: 'MB', enabled: true });
    assert.deepEqual(byName.cpu_usage, { name: 'cpu_usage', maxValue: 80, unit: '%', enabled: true });
    assert.deepEqual(byName.websocket_latency, { name: 'websocket_latency', maxValue: 50, unit: 'ms', enabled: true });
    assert.deepEqual(byName.webrtc_connection_time, {
      name: 'webrtc_connection_time',
      maxValue: 2000,
      unit: 'ms',
      enabled: true,
    });
  });

  test('accepts history sizes as options', () => {
    const monitor = new PerformanceMonitor({ maxSamples: 5, maxAlerts: 2 });
    for (let i = 0; i < 8; i++) monitor.recordMetric('m', i, 'ms');
    assert.deepEqual(monitor.getMetrics('m').map((m) => m.value), [3, 4, 5, 6, 7]);
    for (let i = 0; i < 4; i++) monitor.recordMetric('response_time', 1000 + i, 'ms');
    assert.deepEqual(monitor.getRecentAlerts(10).map((a) => a.currentValue), [1002, 1003]);
  });

  test('accepts the field alias maxMetricsHistory', () => {
    const monitor = new PerformanceMonitor({ maxMetricsHistory: 3 });
    for (let i = 0; i < 5; i++) monitor.recordMetric('m', i, 'ms');
    assert.equal(monitor.getMetrics('m').length, 3);
  });

  test('rejects invalid options with errors naming them', () => {
    assert.throws(() => new PerformanceMonitor({ maxSamples: 0 }), { name: 'RangeError', message: /maxSamples/ });
    assert.throws(() => new PerformanceMonitor({ maxSamples: 1.5 }), { name: 'RangeError', message: /maxSamples/ });
    assert.throws(() => new PerformanceMonitor({ maxSamples: '10' }), { name: 'TypeError', message: /maxSamples/ });
    assert.throws(() => new PerformanceMonitor('big'), { name: 'TypeError', message: /options/ });
  });
});

describe('recordMetric', () => {
  test('stores samples newest last with name, value, unit, timestamp and context', () => {
    const monitor = new PerformanceMonitor();
    const before = Date.now();
    monitor.recordMetric('api', 12, 'ms', { endpoint: '/api/test', method: 'GET' });
    monitor.recordMetric('api', 15, 'ms');
    const metrics = monitor.getMetrics('api');
    assert.equal(metrics.length, 2);
    assert.equal(metrics[0].name, 'api');
    assert.equal(metrics[0].value, 12);
    assert.equal(metrics[0].unit, 'ms');
    assert.ok(metrics[0].timestamp >= before);
    assert.ok(metrics[0].timestamp <= Date.now());
    assert.equal(metrics[0].context.endpoint, '/api/test');
    assert.deepEqual(metrics[0].context, { endpoint: '/api/test', method: 'GET' });
    assert.equal(metrics[1].value, 15);
    assert.equal(metrics[1].context, undefined);
  });

  test('keeps at most 1000 samples per name, dropping the oldest', () => {
    const monitor = new PerformanceMonitor();
    for (let i = 0; i < 1005; i++) monitor.recordMetric('m', i, 'ms');
    const metrics = monitor.getMetrics('m');
    assert.equal(metrics.length, 1000);
    assert.equal(metrics[0].value, 5);
    assert.equal(metrics[999].value, 1004);
    assert.equal(monitor.getBaseline('m').sampleCount, 1000);
    assert.equal(monitor.getBaseline('m').minValue, 5);
  });

  test('emits threshold, regression, then metricRecorded synchronously', () => {
    const monitor = new PerformanceMonitor();
    for (let i = 0; i < 10; i++) monitor.recordMetric('response_time', 50, 'ms');
    const order = [];
    monitor.on('thresholdViolation', () => order.push('thresholdViolation'));
    monitor.on('regressionDetected', () => order.push('regressionDetected'));
    monitor.on('metricRecorded', (metric) => order.push(`metricRecorded:${metric.value}`));
    monitor.recordMetric('response_time', 400, 'ms');
    assert.deepEqual(order, ['thresholdViolation', 'regressionDetected', 'metricRecorded:400']);
  });

  test('metricRecorded carries the metric with its context', () => {
    const monitor = new PerformanceMonitor();
    let received;
    monitor.on('metricRecorded', (metric) => {
      received = metric;
    });
    monitor.recordMetric('m', 3, 'count', { roomId: 'r1' });
    assert.equal(received.name, 'm');
    assert.equal(received.value, 3);
    assert.equal(received.unit, 'count');
    assert.equal(received.context.roomId, 'r1');
  });

  test('rejects bad names, values, units and contexts without storing', () => {
    const monitor = new PerformanceMonitor();
    assert.throws(() => monitor.recordMetric('', 1, 'ms'), { name: 'TypeError', message: /name/ });
    assert.throws(() => monitor.recordMetric(null, 1, 'ms'), { name: 'TypeError', message: /name/ });
    assert.throws(() => monitor.recordMetric('m', '5', 'ms'), { name: 'TypeError', message: /value/ });
    assert.throws(() => monitor.recordMetric('m', NaN, 'ms'), { name: 'RangeError', message: /NaN/ });
    assert.throws(() => monitor.recordMetric('m', 1, 5), { name: 'TypeError', message: /unit/ });
    assert.throws(() => monitor.recordMetric('m', 1, 'ms', 'ctx'), { name: 'TypeError', message: /context/ });
    const cyclic = {};
    cyclic.self = cyclic;
    assert.throws(() => monitor.recordMetric('m', 1, 'ms', cyclic), { name: 'TypeError', message: /context/ });
    assert.deepEqual(monitor.getMetrics('m'), []);
  });

  test('stores an undefined unit as an empty string', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('m', 1, undefined);
    assert.equal(monitor.getMetrics('m')[0].unit, '');
  });
});

describe('threshold rule', () => {
  test('warning between the limit and 1.5 times the limit', () => {
    const monitor = new PerformanceMonitor();
    monitor.setThreshold('lat', 100, 'ms');
    const events = recordAll(monitor, 'lat', [100, 120]);
    assert.equal(events.length, 1);
    const [kind, alert] = events[0];
    assert.equal(kind, 'threshold');
    assert.equal(alert.metricName, 'lat');
    assert.equal(alert.currentValue, 120);
    assert.equal(alert.previousValue, 100);
    assert.equal(alert.threshold, 100);
    assert.equal(alert.regressionPercentage, 20);
    assert.equal(alert.severity, 'warning');
    assert.equal(typeof alert.timestamp, 'number');
  });

  test('critical above 1.5 times the limit', () => {
    const monitor = new PerformanceMonitor();
    monitor.setThreshold('lat', 100, 'ms');
    const [[, alert]] = recordAll(monitor, 'lat', [151]);
    assert.equal(alert.severity, 'critical');
    assert.equal(alert.regressionPercentage, 51);
  });

  test('disabled threshold raises nothing', () => {
    const monitor = new PerformanceMonitor();
    monitor.setThreshold('lat', 100, 'ms', false);
    assert.deepEqual(recordAll(monitor, 'lat', [500]), []);
  });

  test('setThreshold replaces the limit of an existing metric', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('lat', 10, 'ms');
    monitor.setThreshold('lat', 5, 'ms');
    assert.equal(recordAll(monitor, 'lat', [6]).length, 1);
  });

  test('setThreshold rejects a non-finite limit', () => {
    const monitor = new PerformanceMonitor();
    assert.throws(() => monitor.setThreshold('lat', Infinity, 'ms'), { name: 'RangeError', message: /maxValue/ });
  });
});

describe('regression rule', () => {
  test('needs ten samples', () => {
    const monitor = new PerformanceMonitor();
    const events = recordAll(monitor, 'lat', [10, 10, 10, 10, 10, 10, 10, 10, 1000]);
    assert.deepEqual(events, []);
  });

  test('fires with previousValue = mean and threshold = mean + 2 sigma', () => {
    const monitor = new PerformanceMonitor();
    const values = [...Array(10).fill(10), 100];
    const events = recordAll(monitor, 'lat', values);
    assert.equal(events.length, 1);
    const [kind, alert] = events[0];
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    assert.equal(kind, 'regression');
    assert.ok(Math.abs(alert.previousValue - mean) < 1e-9);
    assert.ok(Math.abs(alert.threshold - (mean + 2 * std)) < 1e-9);
    assert.ok(Math.abs(alert.regressionPercentage - ((100 - mean) / mean) * 100) < 1e-9);
    assert.equal(alert.severity, 'critical');
  });

  test('raises exactly the original alerts on a random stream', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = Array.from({ length: 3000 }, (_, i) => 50 + random() * 20 + (i % 97 === 0 ? 60 : 0));
    const monitor = new PerformanceMonitor();
    const events = recordAll(monitor, 'stream', values).filter(([kind]) => kind === 'regression');
    const expected = referenceRegressions(values);
    assert.equal(events.length, expected.length);
    assert.ok(expected.length > 5, 'the stream should raise several alerts');
    events.forEach(([, alert], i) => {
      assert.equal(alert.currentValue, expected[i].value);
      assert.equal(alert.severity, expected[i].severity);
      assert.ok(Math.abs(alert.previousValue - expected[i].mean) < 1e-9 * expected[i].mean);
    });
  });

  test('setRegressionRule changes the percentages', () => {
    const monitor = new PerformanceMonitor();
    monitor.setRegressionRule({ warningPercent: 1000 });
    assert.deepEqual(recordAll(monitor, 'lat', [...Array(10).fill(10), 100]), []);
  });
});

describe('alert history', () => {
  test('keeps at most 100 alerts, oldest dropped', () => {
    const monitor = new PerformanceMonitor();
    for (let i = 0; i < 105; i++) monitor.recordMetric('response_time', 1000 + i, 'ms');
    const all = monitor.getRecentAlerts(1000);
    assert.equal(all.length, 100);
    assert.equal(all[99].currentValue, 1104);
  });

  test('getRecentAlerts defaults to the newest ten', () => {
    const monitor = new PerformanceMonitor();
    for (let i = 0; i < 15; i++) monitor.recordMetric('response_time', 1000 + i, 'ms');
    const recent = monitor.getRecentAlerts();
    assert.equal(recent.length, 10);
    assert.equal(recent[9].currentValue, 1014);
  });
});

describe('queries', () => {
  test('getMetrics with a limit returns the newest samples', () => {
    const monitor = new PerformanceMonitor();
    for (let i = 0; i < 10; i++) monitor.recordMetric('m', i, 'ms');
    assert.deepEqual(monitor.getMetrics('m', 3).map((m) => m.value), [7, 8, 9]);
    assert.deepEqual(monitor.getMetrics('unknown'), []);
  });

  test('getMetrics returns a copy', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('m', 1, 'ms');
    monitor.getMetrics('m').pop();
    assert.equal(monitor.getMetrics('m').length, 1);
  });

  test('getMetrics without a name returns every metric', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('a', 1, 'ms');
    monitor.recordMetric('b', 2, 'ms');
    const names = monitor.getMetrics().map((m) => m.name).sort();
    assert.deepEqual(names, ['a', 'b']);
  });

  test('getBaseline is undefined for an unknown name', () => {
    assert.equal(new PerformanceMonitor().getBaseline('none'), undefined);
  });

  test('getAllBaselines maps names to baselines', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('a', 1, 'ms');
    monitor.recordMetric('b', 3, 'ms');
    const baselines = monitor.getAllBaselines();
    assert.equal(baselines.size, 2);
    assert.equal(baselines.get('b').averageValue, 3);
  });

  test('baseline uses the population standard deviation', () => {
    const monitor = new PerformanceMonitor();
    for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) monitor.recordMetric('m', v, 'ms');
    const baseline = monitor.getBaseline('m');
    assert.equal(baseline.metricName, 'm');
    assert.equal(baseline.averageValue, 5);
    assert.equal(baseline.standardDeviation, 2);
    assert.equal(baseline.minValue, 2);
    assert.equal(baseline.maxValue, 9);
    assert.equal(baseline.sampleCount, 8);
    assert.equal(typeof baseline.lastUpdated, 'number');
  });

  test('getPerformanceSummary counts samples, thresholds, alerts and baselines', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('a', 1, 'ms');
    monitor.recordMetric('a', 2, 'ms');
    monitor.recordMetric('response_time', 500, 'ms');
    const summary = monitor.getPerformanceSummary();
    assert.equal(summary.totalMetrics, 3);
    assert.equal(summary.activeThresholds, 5);
    assert.equal(summary.recentAlerts, 1);
    assert.equal(summary.baselines, 2);
  });

  test('clearMetrics drops samples, baselines and alerts but keeps thresholds', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('response_time', 500, 'ms');
    monitor.clearMetrics();
    assert.deepEqual(monitor.getMetrics('response_time'), []);
    assert.equal(monitor.getBaseline('response_time'), undefined);
    assert.deepEqual(monitor.getRecentAlerts(), []);
    assert.equal(monitor.getThresholds().length, 5);
  });
});

describe('export and import', () => {
  test('exportMetrics is keyed by name and survives JSON', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('a', 1, 'ms', { tag: 'x' });
    monitor.recordMetric('response_time', 500, 'ms');
    const exported = JSON.parse(JSON.stringify(monitor.exportMetrics()));
    assert.equal(exported.metrics.a[0].value, 1);
    assert.equal(exported.metrics.a[0].context.tag, 'x');
    assert.equal(exported.baselines.a.averageValue, 1);
    assert.equal(exported.alerts.length, 1);
    assert.equal(exported.thresholds.response_time.maxValue, 100);
  });

  test('importMetrics loads an export into another monitor', () => {
    const source = new PerformanceMonitor();
    for (let i = 0; i < 20; i++) source.recordMetric('a', i, 'ms');
    source.setThreshold('a', 5, 'ms');
    source.recordMetric('a', 6, 'ms');
    const target = new PerformanceMonitor();
    target.importMetrics(JSON.parse(JSON.stringify(source.exportMetrics())));
    assert.deepEqual(target.getMetrics('a'), source.getMetrics('a'));
    assert.deepEqual(target.getBaseline('a'), source.getBaseline('a'));
    assert.deepEqual(target.getRecentAlerts(100), source.getRecentAlerts(100));
    assert.equal(target.getThresholds().find((t) => t.name === 'a').maxValue, 5);
  });

  test('importMetrics rejects data of another shape', () => {
    const monitor = new PerformanceMonitor();
    assert.throws(() => monitor.importMetrics(null), { name: 'TypeError' });
    assert.throws(() => monitor.importMetrics({ metrics: { a: [{ name: 'a', value: 'x' }] } }), {
      name: 'TypeError',
      message: /importMetrics/,
    });
  });
});

describe('timings and cleanup', () => {
  test('endMetric records and returns the elapsed milliseconds', async () => {
    const monitor = new PerformanceMonitor();
    const handle = monitor.startMetric('op');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const elapsed = monitor.endMetric(handle);
    assert.ok(elapsed >= 15, `elapsed ${elapsed}`);
    const [metric] = monitor.getMetrics('op');
    assert.equal(metric.value, elapsed);
    assert.equal(metric.unit, 'ms');
  });

  test('endMetric of an unknown handle returns 0 and records nothing', () => {
    const monitor = new PerformanceMonitor();
    assert.equal(monitor.endMetric('nope'), 0);
    const handle = monitor.startMetric('op');
    monitor.endMetric(handle);
    assert.equal(monitor.endMetric(handle), 0);
    assert.equal(monitor.getMetrics('op').length, 1);
  });

  test('cleanup clears data and removes listeners', () => {
    const monitor = new PerformanceMonitor();
    monitor.on('metricRecorded', () => {});
    monitor.recordMetric('m', 1, 'ms');
    monitor.cleanup();
    assert.equal(monitor.listenerCount('metricRecorded'), 0);
    assert.deepEqual(monitor.getMetrics('m'), []);
  });
});

describe('recordMany', () => {
  test('raises the same alerts in the same order as recordMetric calls', () => {
    const values = Array.from({ length: 500 }, (_, i) => 40 + ((i * 37) % 23) + (i % 50 === 0 ? 100 : 0));
    const single = new PerformanceMonitor();
    const expected = recordAll(single, 'response_time', values).map(([kind, a]) => [kind, a.currentValue, a.severity]);

    const batch = new PerformanceMonitor();
    const received = [];
    batch.on('thresholdViolation', (a) => received.push(['threshold', a.currentValue, a.severity]));
    batch.on('regressionDetected', (a) => received.push(['regression', a.currentValue, a.severity]));
    batch.recordMany('response_time', Float64Array.from(values), 'ms');
    assert.deepEqual(received, expected);
    assert.deepEqual(batch.getBaseline('response_time').averageValue, single.getBaseline('response_time').averageValue);
  });

  test('stores nothing when a value is not finite', () => {
    const monitor = new PerformanceMonitor();
    assert.throws(() => monitor.recordMany('m', [1, NaN, 3], 'ms'), { name: 'RangeError' });
    assert.deepEqual(monitor.getMetrics('m'), []);
  });
});
