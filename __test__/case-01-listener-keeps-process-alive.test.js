'use strict';

// Field case: native event bridges often hold the event loop open, so a
// script that only records a metric never exits. Ours must exit by itself.

const { test } = require('node:test');
const assert = require('node:assert/strict');

const { runScript } = require('./helpers/child');

test('script with listeners exits by itself after the alert', () => {
  const result = runScript(`
    const { PerformanceMonitor, PerformanceMonitoringService } = require('perf-sentinel');
    const m = new PerformanceMonitor();
    m.on('metricRecorded', () => {});
    m.recordMetric('lat', 1, 'ms');
    const s = new PerformanceMonitoringService({ alerting: { file: { enabled: false } } });
    s.on('alert', (event) => console.log('alert', event.type, event.alert.metricName));
    s.recordMetric('response_time', 500, 'ms');
  `, { timeout: 15000 });
  assert.equal(result.timedOut, false, 'the process did not exit within 15 s');
  assert.equal(result.signal, null, result.stderr);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /alert (threshold|regression_test) response_time/);
});

test('script without any alert exits by itself', () => {
  const result = runScript(`
    const { PerformanceMonitoringService } = require('perf-sentinel');
    const s = new PerformanceMonitoringService({ alerting: { file: { enabled: false } } });
    s.on('alert', () => {});
    s.recordMetric('lat', 1, 'ms');
    console.log('done');
  `, { timeout: 15000 });
  assert.equal(result.timedOut, false);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /done/);
});

test('started service exits after stop', () => {
  const result = runScript(`
    const { PerformanceMonitoringService } = require('perf-sentinel');
    const s = new PerformanceMonitoringService({ alerting: { file: { enabled: false }, console: { enabled: false } } });
    s.start();
    s.recordMetric('response_time', 500, 'ms');
    setTimeout(async () => { await s.stop(); console.log('stopped'); }, 50);
  `, { timeout: 15000 });
  assert.equal(result.timedOut, false);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /stopped/);
});
