// The ES module entry: named exports, and a live globalMonitoringService.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import * as esm from '../index.mjs';

const require = createRequire(import.meta.url);
const cjs = require('../index.js');

test('ESM and CJS export the same classes', () => {
  assert.equal(esm.PerformanceMonitor, cjs.PerformanceMonitor);
  assert.equal(esm.PerformanceMonitoringService, cjs.PerformanceMonitoringService);
  assert.equal(esm.default, cjs);
});

test('ESM globalMonitoringService follows CJS calls', async () => {
  assert.equal(esm.globalMonitoringService, null);
  const service = cjs.initializeGlobalMonitoring({ enableRegressionTesting: false, logPath: '/tmp/perf-sentinel-esm-test.log' });
  assert.equal(esm.globalMonitoringService, service);
  await cjs.cleanupGlobalMonitoring();
  assert.equal(esm.globalMonitoringService, null);
});

test('ESM globalMonitoringService follows ESM calls', async () => {
  const service = esm.initializeGlobalMonitoring({ enableRegressionTesting: false, logPath: '/tmp/perf-sentinel-esm-test.log' });
  assert.equal(esm.globalMonitoringService, service);
  assert.equal(cjs.globalMonitoringService, service);
  await esm.cleanupGlobalMonitoring();
  assert.equal(esm.globalMonitoringService, null);
});
