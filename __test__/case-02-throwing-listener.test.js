'use strict';

// Field case: a listener that throws must behave as with any EventEmitter,
// never abort the process, and later alerts must still arrive.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { runScript } = require('./helpers/child');
const { PerformanceMonitor } = require('..');

test('synchronous listener error propagates and keeps the sample', () => {
  const monitor = new PerformanceMonitor();
  monitor.setThreshold('lat', 100, 'ms');
  monitor.on('thresholdViolation', () => {
    throw new Error('boom');
  });
  assert.throws(() => monitor.recordMetric('lat', 500, 'ms'), { message: 'boom' });
  assert.deepEqual(monitor.getMetrics('lat').map((m) => m.value), [500]);
  assert.doesNotThrow(() => monitor.recordMetric('lat', 50, 'ms'));
  assert.equal(monitor.getMetrics('lat').length, 2);
});

test('asynchronous alert listener error reaches uncaughtException', () => {
  const result = runScript(`
    const { PerformanceMonitoringService } = require('perf-sentinel');
    let caught = 0;
    process.on('uncaughtException', (e) => {
      caught++;
      console.log('caught', e instanceof Error, e.message);
    });
    const service = new PerformanceMonitoringService({
      alerting: { file: { enabled: false }, console: { enabled: false } },
      monitoring: { alertCooldownPeriod: 0 },
    });
    let delivered = 0;
    service.on('alert', () => { delivered++; throw new Error('boom'); });
    service.recordMetric('response_time', 500, 'ms');
    setTimeout(() => {
      service.recordMetric('response_time', 600, 'ms');
      setTimeout(() => console.log('delivered', delivered, 'caught', caught), 500);
    }, 500);
  `, { timeout: 15000 });
  assert.equal(result.signal, null, result.stderr);
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /FATAL ERROR/);
  assert.match(result.stdout, /caught true boom/);
  const summary = /delivered (\d+) caught (\d+)/.exec(result.stdout);
  assert.ok(summary, result.stdout);
  assert.ok(Number(summary[1]) >= 2, 'later alerts are still delivered');
  assert.equal(summary[1], summary[2]);
});
