'use strict';

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');

const { PerformanceMonitor } = require('..');
const binding = require('../binding.js');
const { runScript } = require('./helpers/child');

/** Returns a stream with threshold violations (above 100) and regressions (spikes). */
function alertingStream(length) {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length }, (_, i) => 40 + random() * 30 + (i % 41 === 0 ? 120 : 0));
}

/** Collects every alert event of `monitor` as [event, alert] pairs. */
function collectAlerts(monitor) {
  const events = [];
  monitor.on('thresholdViolation', (alert) => events.push(['thresholdViolation', alert]));
  monitor.on('regressionDetected', (alert) => events.push(['regressionDetected', alert]));
  return events;
}

/** Drops the timestamps, which differ between two runs. */
function withoutTimestamps(events) {
  return events.map(([event, alert]) => {
    const { timestamp, ...rest } = alert;
    assert.equal(typeof timestamp, 'number');
    return [event, rest];
  });
}

function storedValues(monitor, name) {
  return monitor.getMetrics(name).map((metric) => metric.value);
}

describe('metric handle', () => {
  test('raises the alerts of recordMetric in the same order', () => {
    const values = alertingStream(600);
    const viaRecordMetric = new PerformanceMonitor();
    const expected = collectAlerts(viaRecordMetric);
    for (const value of values) viaRecordMetric.recordMetric('response_time', value, 'ms');

    const viaHandle = new PerformanceMonitor();
    const received = collectAlerts(viaHandle);
    const handle = viaHandle.metric('response_time', 'ms');
    for (const value of values) handle.record(value);

    assert.ok(expected.some(([event]) => event === 'regressionDetected'), 'the stream raises regressions');
    assert.ok(expected.some(([event]) => event === 'thresholdViolation'), 'the stream raises threshold alerts');
    assert.deepEqual(withoutTimestamps(received), withoutTimestamps(expected));
    assert.deepEqual(
      viaHandle.getRecentAlerts(100).map((a) => a.currentValue),
      viaRecordMetric.getRecentAlerts(100).map((a) => a.currentValue),
    );
  });

  test('stores samples with its unit and emits metricRecorded', () => {
    const monitor = new PerformanceMonitor();
    const handle = monitor.metric('queue_depth', 'items');
    assert.equal(handle.name, 'queue_depth');
    assert.equal(handle.unit, 'items');
    handle.record(3);

    const recorded = [];
    monitor.on('metricRecorded', (metric) => recorded.push(metric));
    const before = Date.now();
    handle.record(4);
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].name, 'queue_depth');
    assert.equal(recorded[0].value, 4);
    assert.equal(recorded[0].unit, 'items');
    assert.ok(recorded[0].timestamp >= before);
    assert.ok(recorded[0].timestamp <= Date.now());

    const metrics = monitor.getMetrics('queue_depth');
    assert.deepEqual(metrics.map((m) => m.value), [3, 4]);
    assert.deepEqual(metrics.map((m) => m.unit), ['items', 'items']);
    assert.equal(metrics[1].timestamp, recorded[0].timestamp);
  });

  test('defaults the unit to an empty string', () => {
    const monitor = new PerformanceMonitor();
    monitor.metric('count').record(1);
    assert.equal(monitor.getMetrics('count')[0].unit, '');
  });

  test('rejects bad values as recordMetric does, storing nothing', () => {
    const monitor = new PerformanceMonitor();
    const handle = monitor.metric('lat', 'ms');
    assert.throws(() => handle.record('5'), { name: 'TypeError', message: /value/ });
    assert.throws(() => handle.record(NaN), { name: 'RangeError', message: /NaN/ });
    assert.throws(() => handle.record(Infinity), { name: 'RangeError' });
    assert.throws(() => handle.record(2e150), { name: 'RangeError', message: /1e150/ });
    assert.deepEqual(monitor.getMetrics('lat'), []);
  });

  test('rejects a bad name or unit when created', () => {
    const monitor = new PerformanceMonitor();
    assert.throws(() => monitor.metric(''), { name: 'TypeError', message: /name/ });
    assert.throws(() => monitor.metric(null), { name: 'TypeError', message: /name/ });
    assert.throws(() => monitor.metric('lat', 5), { name: 'TypeError', message: /unit/ });
  });

  test('keeps recording into the visible series after clearMetrics', () => {
    const monitor = new PerformanceMonitor();
    const handle = monitor.metric('lat', 'ms');
    handle.record(1);
    monitor.recordMetric('other', 1, 'ms');
    monitor.clearMetrics();
    handle.record(2);
    monitor.recordMetric('other', 3, 'ms');
    assert.deepEqual(storedValues(monitor, 'lat'), [2]);
    assert.deepEqual(storedValues(monitor, 'other'), [3]);
    assert.equal(monitor.getBaseline('lat').sampleCount, 1);
  });

  test('keeps recording after retention removed its series', () => {
    const monitor = new PerformanceMonitor();
    const handle = monitor.metric('lat', 'ms');
    handle.record(1);
    assert.equal(monitor.dropSamplesOlderThan(Date.now() + 1000), 1);
    assert.deepEqual(monitor.getMetricNames(), []);
    handle.record(2);
    assert.deepEqual(storedValues(monitor, 'lat'), [2]);
    assert.deepEqual(monitor.getMetricNames(), ['lat']);
  });

  test('picks up a threshold set after it was created', () => {
    const monitor = new PerformanceMonitor();
    const handle = monitor.metric('lat', 'ms');
    handle.record(500);
    monitor.setThreshold('lat', 100, 'ms');
    const events = collectAlerts(monitor);
    handle.record(120);
    assert.equal(events.length, 1);
    assert.equal(events[0][0], 'thresholdViolation');
    assert.equal(events[0][1].currentValue, 120);
  });
});

describe('recordMetric paths', () => {
  test('stores the unit of each sample when units alternate', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('size', 1, 'kb');
    monitor.recordMetric('size', 2, 'kb');
    monitor.recordMetric('size', 3, 'mb');
    monitor.recordMetric('size', 4, 'kb');
    monitor.recordMetric('size', 5, undefined);
    assert.deepEqual(
      monitor.getMetrics('size').map((m) => m.unit),
      ['kb', 'kb', 'mb', 'kb', ''],
    );
  });

  test('stores contexts on repeated calls', () => {
    const monitor = new PerformanceMonitor();
    for (let i = 0; i < 3; i++) monitor.recordMetric('api', i, 'ms', { request: i, tags: ['a', 'é'] });
    monitor.recordMetric('api', 3, 'ms');
    const contexts = monitor.getMetrics('api').map((m) => m.context);
    assert.deepEqual(contexts, [
      { request: 0, tags: ['a', 'é'] },
      { request: 1, tags: ['a', 'é'] },
      { request: 2, tags: ['a', 'é'] },
      undefined,
    ]);
  });

  test('stores a context longer than the native scratch buffer', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('api', 1, 'ms');
    const context = { text: 'ü€𝄞'.repeat(200) };
    monitor.recordMetric('api', 2, 'ms', context);
    assert.deepEqual(monitor.getMetrics('api')[1].context, context);
  });

  test('rejects a context that cannot be serialised after a first record', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('api', 1, 'ms');
    const cyclic = {};
    cyclic.self = cyclic;
    assert.throws(() => monitor.recordMetric('api', 2, 'ms', cyclic), { name: 'TypeError', message: /context/ });
    assert.throws(() => monitor.recordMetric('api', 2, 'ms', 'text'), { name: 'TypeError', message: /context/ });
    assert.deepEqual(storedValues(monitor, 'api'), [1]);
  });

  test('emits metricRecorded only while someone listens', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('m', 1, 'ms');
    const seen = [];
    const listener = (metric) => seen.push(metric.value);
    monitor.on('metricRecorded', listener);
    monitor.recordMetric('m', 2, 'ms');
    monitor.off('metricRecorded', listener);
    monitor.recordMetric('m', 3, 'ms');
    assert.deepEqual(seen, [2]);
    assert.deepEqual(storedValues(monitor, 'm'), [1, 2, 3]);
  });

  test('slot cache stays bounded under many names', () => {
    const monitor = new PerformanceMonitor({ maxMetricNames: 60000 });
    const handle = monitor.metric('kept', 'ms');
    handle.record(1);
    for (let n = 0; n < 50010; n++) monitor.recordMetric(`name_${n}`, n, 'ms');
    assert.ok(monitor._slots.size <= 50000, `cached slots: ${monitor._slots.size}`);
    handle.record(2);
    monitor.recordMetric('name_7', 8, 'ms');
    assert.deepEqual(storedValues(monitor, 'kept'), [1, 2]);
    assert.deepEqual(storedValues(monitor, 'name_7'), [7, 8]);
    assert.deepEqual(storedValues(monitor, 'name_50009'), [50009]);
  });

  test('two monitors on one thread keep their samples apart', () => {
    const first = new PerformanceMonitor();
    const second = new PerformanceMonitor();
    for (let i = 0; i < 5; i++) {
      first.recordMetric('shared_name', i, 'ms');
      second.recordMetric('shared_name', 100 + i, 'ms');
    }
    assert.deepEqual(storedValues(first, 'shared_name'), [0, 1, 2, 3, 4]);
    assert.deepEqual(storedValues(second, 'shared_name'), [100, 101, 102, 103, 104]);
  });
});

describe('recordMany', () => {
  test('raises the alerts of recordMetric calls in the same order', () => {
    const values = alertingStream(800);
    const single = new PerformanceMonitor();
    const expected = collectAlerts(single);
    for (const value of values) single.recordMetric('response_time', value, 'ms');

    const batch = new PerformanceMonitor();
    const received = collectAlerts(batch);
    batch.recordMany('response_time', Float64Array.from(values.slice(0, 300)), 'ms');
    batch.recordMany('response_time', values.slice(300), 'ms');

    assert.deepEqual(withoutTimestamps(received), withoutTimestamps(expected));
    assert.deepEqual(storedValues(batch, 'response_time'), storedValues(single, 'response_time'));
    const { lastUpdated: batchUpdated, ...batchBaseline } = batch.getBaseline('response_time');
    const { lastUpdated: singleUpdated, ...singleBaseline } = single.getBaseline('response_time');
    assert.equal(typeof batchUpdated, 'number');
    assert.equal(typeof singleUpdated, 'number');
    assert.deepEqual(batchBaseline, singleBaseline);
  });

  test('does not emit metricRecorded and returns the count', () => {
    const monitor = new PerformanceMonitor();
    let recorded = 0;
    monitor.on('metricRecorded', () => recorded++);
    assert.equal(monitor.recordMany('m', new Float64Array([1, 2, 3]), 'ms'), 3);
    assert.equal(monitor.recordMany('m', [], 'ms'), 0);
    assert.equal(recorded, 0);
    assert.deepEqual(storedValues(monitor, 'm'), [1, 2, 3]);
  });

  test('stores nothing when one value is out of range', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMany('m', [1], 'ms');
    assert.throws(() => monitor.recordMany('m', [2, 3, -Infinity], 'ms'), { name: 'RangeError' });
    assert.throws(() => monitor.recordMany('m', [2, 1e151], 'ms'), { name: 'RangeError' });
    assert.deepEqual(storedValues(monitor, 'm'), [1]);
  });
});

describe('native recording functions', () => {
  test('reject unknown slots and non-numbers with errors', () => {
    assert.throws(() => binding.recordValue(0xfffffff0, 1), { name: 'RangeError', message: /slot/ });
    assert.throws(() => binding.recordValue(-1, 1), { name: 'TypeError', message: /slot/ });
    assert.throws(() => binding.recordValue('0', 1), { name: 'TypeError', message: /slot/ });
    assert.throws(() => binding.recordValue(0xfffffff0, 'x'), { name: 'TypeError', message: /value/ });
    assert.throws(() => binding.recordValueWithContext(0xfffffff0, 1, 5), { name: 'TypeError', message: /context/ });
    assert.throws(() => binding.recordManyInSlot(0xfffffff0, new Float64Array(1)), /slot/);
  });

  test('reject context text that is not JSON', () => {
    const monitor = new PerformanceMonitor();
    monitor.recordMetric('api', 1, 'ms');
    const slot = monitor._slots.get('api').id;
    assert.throws(() => binding.recordValueWithContext(slot, 2, '{not json'), { name: 'TypeError', message: /JSON/ });
    assert.deepEqual(storedValues(monitor, 'api'), [1]);
  });

  test('slots of collected monitors never leak into new ones', () => {
    const result = runScript(
      `
      const { PerformanceMonitor } = require('perf-sentinel');
      let collect;
      if (typeof Bun !== 'undefined') {
        collect = () => Bun.gc(true);
      } else {
        require('node:v8').setFlagsFromString('--expose-gc');
        collect = require('node:vm').runInNewContext('gc');
      }
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 50; i++) {
          const dropped = new PerformanceMonitor();
          for (let n = 0; n < 20; n++) dropped.recordMetric('name_' + n, n, 'ms');
        }
        collect();
        const kept = new PerformanceMonitor();
        for (let n = 0; n < 20; n++) kept.metric('name_' + n, 'ms').record(1000 + n);
        for (let n = 0; n < 20; n++) {
          const values = kept.getMetrics('name_' + n).map((m) => m.value);
          if (values.length !== 1 || values[0] !== 1000 + n) throw new Error('round ' + round + ': ' + values);
        }
      }
      console.log('ok');
      `,
      { timeout: 60000 },
    );
    assert.equal(result.signal, null, result.stderr);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'ok');
  });
});
