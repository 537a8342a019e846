'use strict';

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');

const { PerformanceMonitor } = require('..');

/** Mulberry32: a small seeded generator, so every run produces the same stream. */
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

/** Lognormal samples with median 100 and log-scale σ 0.25. */
function lognormalStream(seed, count) {
  const random = seededRandom(seed);
  const values = [];
  for (let i = 0; i < count; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    values.push(100 * Math.exp(0.25 * normal));
  }
  return values;
}

/** 100, 105, 95, … : a stable stream without noise. */
function cycle(count) {
  return Array.from({ length: count }, (_, i) => [100, 105, 95][i % 3]);
}

/** Records `values` under `name` and returns the regression alerts raised, in order. */
function regressions(monitor, name, values) {
  const alerts = [];
  const listener = (alert) => alerts.push(alert);
  monitor.on('regressionDetected', listener);
  for (const value of values) monitor.recordMetric(name, value, 'ms');
  monitor.off('regressionDetected', listener);
  return alerts;
}

/** Returns the alerts of the TypeScript original's regression rule, reimplemented naively. */
function referenceRegressions(values) {
  const alerts = [];
  const kept = [];
  for (const value of values) {
    kept.push(value);
    if (kept.length > 1000) kept.shift();
    if (kept.length < 10) continue;
    const mean = kept.reduce((sum, v) => sum + v, 0) / kept.length;
    const std = Math.sqrt(kept.reduce((sum, v) => sum + (v - mean) ** 2, 0) / kept.length);
    const percentage = ((value - mean) / mean) * 100;
    if (value > mean + 2 * std && percentage > 20) alerts.push({ value, mean });
  }
  return alerts;
}

describe('classic detection stays the default', () => {
  test('default and explicit classic raise the original alerts', () => {
    const values = lognormalStream(1, 3000);
    const expected = referenceRegressions(values);
    assert.ok(expected.length > 50, `the stream should trigger the classic rule, got ${expected.length}`);

    for (const options of [undefined, {}, { detection: 'classic' }, { detection: null }]) {
      const alerts = regressions(new PerformanceMonitor(options), 'latency', values);
      assert.equal(alerts.length, expected.length, `options ${JSON.stringify(options)}`);
      alerts.forEach((alert, i) => {
        assert.equal(alert.currentValue, expected[i].value);
        assert.ok(Math.abs(alert.previousValue - expected[i].mean) <= 1e-9 * expected[i].mean);
      });
    }
  });

  test('classic alerts on a single spike', () => {
    const monitor = new PerformanceMonitor();
    const alerts = regressions(monitor, 'latency', [...cycle(30), 1000]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].currentValue, 1000);
  });
});

describe('robust detection per monitor', () => {
  test('ignores a single spike', () => {
    const monitor = new PerformanceMonitor({ detection: 'robust' });
    assert.deepEqual(regressions(monitor, 'latency', [...cycle(300), 1e6, ...cycle(30)]), []);
  });

  test('raises one alert for a doubling', () => {
    const monitor = new PerformanceMonitor({ detection: 'robust' });
    regressions(monitor, 'latency', cycle(300));
    const alerts = regressions(monitor, 'latency', new Array(100).fill(200));
    assert.equal(alerts.length, 1);
    const [alert] = alerts;
    assert.equal(alert.metricName, 'latency');
    assert.equal(alert.currentValue, 200);
    assert.equal(alert.previousValue, 100);
    assert.ok(alert.threshold > 100, `threshold ${alert.threshold}`);
    assert.ok(alert.threshold <= 200, `threshold ${alert.threshold}`);
    assert.equal(alert.regressionPercentage, 100);
    assert.equal(alert.severity, 'critical');
    assert.deepEqual(Object.keys(alert).sort(), [
      'currentValue',
      'metricName',
      'previousValue',
      'regressionPercentage',
      'severity',
      'threshold',
      'timestamp',
    ]);
    assert.equal(monitor.getRecentAlerts(10).length, 1);
  });

  test('raises far fewer alerts than classic on a stable stream', () => {
    const values = lognormalStream(2, 5000);
    const classic = regressions(new PerformanceMonitor(), 'latency', values).length;
    const robust = regressions(new PerformanceMonitor({ detection: 'robust' }), 'latency', values).length;
    assert.ok(classic > 100, `classic raised ${classic}`);
    assert.ok(robust <= 5, `robust raised ${robust}`);
  });

  test('robust options reach the detector', () => {
    const strict = new PerformanceMonitor({ detection: 'robust', robust: { decisionInterval: 100 } });
    regressions(strict, 'latency', cycle(300));
    assert.deepEqual(regressions(strict, 'latency', new Array(20).fill(200)), []);
  });
});

describe('robust detection per metric', () => {
  test('setDetection switches only that metric', () => {
    const monitor = new PerformanceMonitor();
    monitor.setDetection('quiet', 'robust');
    const spiky = [...cycle(300), 1e6];
    assert.equal(regressions(monitor, 'loud', spiky).length, 1);
    assert.deepEqual(regressions(monitor, 'quiet', spiky), []);

    monitor.setDetection('quiet', 'classic');
    assert.equal(regressions(monitor, 'quiet', [...cycle(30), 1e6]).length, 1);
  });

  test('setDetection applies to a metric with samples', () => {
    const monitor = new PerformanceMonitor();
    regressions(monitor, 'latency', cycle(300));
    monitor.setDetection('latency', 'robust');
    assert.deepEqual(regressions(monitor, 'latency', [1e6, ...cycle(30)]), []);
  });

  test('setDetection outlives clearMetrics', () => {
    const monitor = new PerformanceMonitor();
    monitor.setDetection('latency', 'robust');
    monitor.clearMetrics();
    assert.deepEqual(regressions(monitor, 'latency', [...cycle(300), 1e6]), []);
  });

  test('per-metric options override the monitor', () => {
    const monitor = new PerformanceMonitor({ detection: 'robust' });
    monitor.setDetection('strict', 'robust', { decisionInterval: 100 });
    const doubling = [...cycle(300), ...new Array(20).fill(200)];
    assert.equal(regressions(monitor, 'default', doubling).length, 1);
    assert.deepEqual(regressions(monitor, 'strict', doubling), []);
  });
});

describe('invalid detection settings', () => {
  test('constructor rejects an unknown detection', () => {
    for (const detection of ['fast', 'Robust', '', 5, true, {}]) {
      assert.throws(() => new PerformanceMonitor({ detection }), (error) => {
        assert.ok(error instanceof RangeError, `${typeof detection}: ${error}`);
        assert.match(error.message, /detection/);
        return true;
      });
    }
  });

  test('setDetection rejects an unknown detection', () => {
    const monitor = new PerformanceMonitor();
    for (const detection of ['fast', undefined, null, 1]) {
      assert.throws(() => monitor.setDetection('latency', detection), (error) => {
        assert.ok(error instanceof RangeError, String(error));
        assert.match(error.message, /^setDetection: detection must be 'classic' or 'robust'/);
        return true;
      });
    }
  });

  test('setDetection rejects a bad name or options', () => {
    const monitor = new PerformanceMonitor();
    assert.throws(() => monitor.setDetection('', 'robust'), TypeError);
    assert.throws(() => monitor.setDetection('latency', 'robust', 'fast'), TypeError);
    assert.throws(() => monitor.setDetection('latency', 'robust', { clip: '3' }), /options\.clip must be a number/);
    assert.throws(() => monitor.setDetection('latency', 'robust', { clip: 0.1 }), (error) => {
      assert.ok(error instanceof RangeError, String(error));
      assert.match(error.message, /robust\.clip/);
      return true;
    });
    assert.throws(() => monitor.setDetection('latency', 'robust', { minSamples: 2.5 }), RangeError);
  });

  test('constructor checks robust options', () => {
    assert.throws(() => new PerformanceMonitor({ detection: 'robust', robust: { allowance: -1 } }), /robust\.allowance/);
    assert.throws(() => new PerformanceMonitor({ detection: 'robust', maxSamples: 20 }), /robust\.minSamples/);
    assert.throws(() => new PerformanceMonitor({ robust: 'strict' }), TypeError);
    assert.doesNotThrow(() => new PerformanceMonitor({ detection: 'robust', maxSamples: 20, robust: { minSamples: 10 } }));
  });
});
