'use strict';

const { describe, test, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const {
  PerformanceMonitoringService,
  PerformanceMonitor,
  RegressionDetector,
  ParallelTestHarness,
} = require('..');

const QUIET = { alerting: { console: { enabled: false }, file: { enabled: false } } };
const services = [];

function createService(config = {}) {
  const merged = {
    ...config,
    alerting: { ...QUIET.alerting, ...(config.alerting ?? {}) },
  };
  const service = new PerformanceMonitoringService(merged);
  services.push(service);
  return service;
}

/** Resolves with the next `count` 'alert' events of `service`. */
function nextAlerts(service, count, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const received = [];
    const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${count} alerts arrived`)), timeoutMs);
    service.on('alert', function onAlert(event) {
      received.push(event);
      if (received.length === count) {
        clearTimeout(timer);
        service.off('alert', onAlert);
        resolve(received);
      }
    });
  });
}

afterEach(async () => {
  while (services.length > 0) await services.pop().cleanup();
});

describe('configuration', () => {
  test('defaults match the original', () => {
    const config = createService().getConfiguration();
    assert.deepEqual(config.performanceThresholds, {
      responseTime: 100,
      memoryUsage: 50,
      cpuUsage: 80,
      websocketLatency: 50,
      webrtcConnectionTime: 2000,
    });
    assert.deepEqual(config.regressionThresholds, {
      performanceRegression: 20,
      memoryRegression: 30,
      criticalRegressionThreshold: 50,
    });
    assert.equal(config.monitoring.enabled, true);
    assert.equal(config.monitoring.metricsRetentionDays, 7);
    assert.equal(config.monitoring.baselineUpdateInterval, 60000);
    assert.equal(config.monitoring.alertCooldownPeriod, 300000);
    const defaults = new PerformanceMonitoringService().getConfiguration();
    assert.deepEqual(defaults.alerting.console, { enabled: true, logLevel: 'warn' });
    assert.deepEqual(defaults.alerting.file, {
      enabled: true,
      logPath: './logs/performance-alerts.log',
      maxFileSize: 10 * 1024 * 1024,
    });
  });

  test('sections merge shallowly over the defaults', () => {
    const service = createService({ performanceThresholds: { responseTime: 250 } });
    const config = service.getConfiguration();
    assert.equal(config.performanceThresholds.responseTime, 250);
    assert.equal(config.performanceThresholds.cpuUsage, 80);
  });

  test('performance thresholds are applied to the monitor', () => {
    const service = createService({ performanceThresholds: { responseTime: 250, cpuUsage: 90 } });
    const thresholds = Object.fromEntries(
      service.getPerformanceMonitor().getThresholds().map((t) => [t.name, t.maxValue]),
    );
    assert.equal(thresholds.response_time, 250);
    assert.equal(thresholds.cpu_usage, 90);
    assert.equal(thresholds.memory_usage, 50);
    assert.equal(thresholds.websocket_latency, 50);
    assert.equal(thresholds.webrtc_connection_time, 2000);
  });

  test('getConfiguration returns a copy', () => {
    const service = createService();
    service.getConfiguration().performanceThresholds.responseTime = 1;
    assert.equal(service.getConfiguration().performanceThresholds.responseTime, 100);
  });

  test('updateConfiguration re-applies thresholds', () => {
    const service = createService();
    service.updateConfiguration({ performanceThresholds: { responseTime: 150 } });
    assert.equal(service.getConfiguration().performanceThresholds.responseTime, 150);
    const limit = service.getPerformanceMonitor().getThresholds().find((t) => t.name === 'response_time');
    assert.equal(limit.maxValue, 150);
    service.updateConfiguration({ monitoring: { alertCooldownPeriod: 600000 } });
    assert.equal(service.getConfiguration().monitoring.alertCooldownPeriod, 600000);
    assert.equal(service.getConfiguration().performanceThresholds.responseTime, 150);
  });

  test('invalid configuration is rejected with the key named', () => {
    assert.throws(() => new PerformanceMonitoringService({ monitoring: { alertCooldownPeriod: -1 } }), {
      name: 'RangeError',
      message: /alertCooldownPeriod/,
    });
    assert.throws(() => new PerformanceMonitoringService({ monitoring: 'fast' }), {
      name: 'TypeError',
      message: /monitoring/,
    });
  });

  test('regressionThresholds take effect in detection', () => {
    const strict = createService({ regressionThresholds: { performanceRegression: 5, criticalRegressionThreshold: 500 } });
    const lenient = createService({ regressionThresholds: { performanceRegression: 80 } });
    const values = [...Array(20).fill(100), 110, 100, 100, 100, 100, 100, 100, 100, 100, 160];
    const counts = [strict, lenient].map((service) => {
      let regressions = 0;
      service.getPerformanceMonitor().on('regressionDetected', () => regressions++);
      for (const v of values) service.recordMetric('handler_time', v, 'ms');
      return regressions;
    });
    assert.ok(counts[0] >= 2, `strict service raised ${counts[0]}`);
    assert.equal(counts[1], 0);
  });

  test('memoryRegression applies to memory metrics', () => {
    const service = createService({ regressionThresholds: { performanceRegression: 10, memoryRegression: 1000 } });
    let regressions = 0;
    service.getPerformanceMonitor().on('regressionDetected', () => regressions++);
    for (let i = 0; i < 20; i++) service.recordMetric('heap_memory', 100, 'MB');
    service.recordMetric('heap_memory', 400, 'MB');
    assert.equal(regressions, 0);
    for (let i = 0; i < 20; i++) service.recordMetric('latency', 100, 'ms');
    service.recordMetric('latency', 400, 'ms');
    assert.equal(regressions, 1);
  });
});

describe('components', () => {
  test('is an EventEmitter exposing its monitor, detector and harness', () => {
    const service = createService();
    assert.ok(service instanceof EventEmitter);
    assert.ok(service.getPerformanceMonitor() instanceof PerformanceMonitor);
    assert.ok(service.getRegressionDetector() instanceof RegressionDetector);
    assert.ok(service.getTestHarness() instanceof ParallelTestHarness);
  });

  test('harness results are recorded as metrics', async () => {
    const service = createService();
    const harness = service.getTestHarness();
    harness.registerImplementations({ sum: (a, b) => a + b }, { sum: (a, b) => b + a });
    await harness.executeParallel('sum', [1, 2], 't1');
    const monitor = service.getPerformanceMonitor();
    for (const name of [
      'test_execution_time_old',
      'test_execution_time_new',
      'test_memory_usage_old',
      'test_memory_usage_new',
      'performance_ratio',
      'memory_ratio',
    ]) {
      assert.equal(monitor.getMetrics(name).length, 1, name);
    }
    assert.equal(monitor.getMetrics('test_execution_time_old')[0].unit, 'ms');
    assert.equal(monitor.getMetrics('test_memory_usage_new')[0].unit, 'bytes');
  });
});

describe('start and stop', () => {
  test('emit started and stopped, also when detached', async () => {
    const service = createService();
    const events = [];
    service.on('started', () => events.push('started'));
    service.on('stopped', () => events.push('stopped'));
    const { start, stop } = service;
    start();
    assert.equal(service.isRunning, true);
    await stop();
    assert.equal(service.isRunning, false);
    assert.deepEqual(events, ['started', 'stopped']);
  });

  test('a second start warns and does nothing', async (t) => {
    const service = createService();
    const warnings = [];
    t.mock.method(console, 'warn', (message) => warnings.push(message));
    let started = 0;
    service.on('started', () => started++);
    service.start();
    service.start();
    assert.deepEqual(warnings, ['Performance monitoring service is already running']);
    assert.equal(started, 1);
    await service.stop();
  });

  test('start does nothing when monitoring is disabled', () => {
    const service = createService({ monitoring: { enabled: false } });
    let started = 0;
    service.on('started', () => started++);
    service.start();
    assert.equal(service.isRunning, false);
    assert.equal(started, 0);
  });

  test('the periodic task drops samples past the retention period', async () => {
    const service = createService({ monitoring: { baselineUpdateInterval: 20, metricsRetentionDays: 1 } });
    const monitor = service.getPerformanceMonitor();
    const now = Date.now();
    monitor.importMetrics({
      metrics: {
        old: [{ name: 'old', value: 1, unit: 'ms', timestamp: now - 3 * 24 * 3600 * 1000 }],
        fresh: [{ name: 'fresh', value: 2, unit: 'ms', timestamp: now }],
      },
    });
    service.start();
    await new Promise((resolve) => setTimeout(resolve, 120));
    await service.stop();
    assert.deepEqual(monitor.getMetrics('old'), []);
    assert.equal(monitor.getMetrics('fresh').length, 1);
    assert.equal(service.getServiceStats().prunedSamples, 1);
  });
});

describe('alert routing', () => {
  test('threshold and regression alerts arrive as alert events with their type', async () => {
    const service = createService({ monitoring: { alertCooldownPeriod: 0 } });
    const arrived = nextAlerts(service, 1);
    service.recordMetric('response_time', 500, 'ms');
    const events = await arrived;
    const types = events.map((e) => e.type);
    assert.ok(types.includes('threshold') || types.includes('regression_test'), types.join());
    const [event] = events;
    assert.equal(event.alert.metricName, 'response_time');
    assert.equal(event.alert.currentValue, 500);
  });

  test('every alert type reaches the alert event', async () => {
    const service = createService({ monitoring: { alertCooldownPeriod: 0 } });
    const received = [];
    service.on('alert', (event) => received.push(event.type));
    for (let i = 0; i < 10; i++) service.recordMetric('handler_time', 10, 'ms');
    service.recordMetric('handler_time', 100, 'ms');
    service.recordMetric('response_time', 500, 'ms');
    await service.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(received.includes('threshold'), received.join());
    assert.ok(received.includes('regression'), received.join());
    assert.ok(received.includes('regression_test'), received.join());
  });

  test('cooldown drops a repeated key within the period', async () => {
    const service = createService({ monitoring: { alertCooldownPeriod: 60000 } });
    const received = [];
    service.on('alert', (event) => received.push(event));
    for (let i = 0; i < 5; i++) service.recordMetric('response_time', 500 + i, 'ms');
    await service.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const thresholdAlerts = received.filter((e) => e.type === 'threshold');
    assert.equal(thresholdAlerts.length, 1);
    assert.equal(thresholdAlerts[0].alert.currentValue, 500);
    assert.ok(service.getServiceStats().suppressed >= 4);
  });

  test('console channel prints critical alerts with console.error', async (t) => {
    const errors = [];
    const warnings = [];
    t.mock.method(console, 'error', (message) => errors.push(message));
    t.mock.method(console, 'warn', (message) => warnings.push(message));
    const service = createService({
      alerting: { console: { enabled: true, logLevel: 'warn' } },
      monitoring: { alertCooldownPeriod: 0 },
    });
    service.recordMetric('response_time', 500, 'ms');
    service.recordMetric('response_time', 120, 'ms');
    assert.ok(errors.some((m) => /CRITICAL threshold alert: response_time = 500/.test(m)), errors.join('\n'));
    assert.ok(warnings.some((m) => /WARNING threshold alert: response_time = 120/.test(m)), warnings.join('\n'));
    await service.stop();
  });

  test('file channel writes one JSON object per line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-'));
    const logPath = path.join(dir, 'nested', 'alerts.log');
    const service = createService({
      alerting: { file: { enabled: true, logPath } },
      monitoring: { alertCooldownPeriod: 0 },
    });
    service.recordMetric('response_time', 500, 'ms');
    service.recordMetric('response_time', 130, 'ms');
    assert.equal(await service.stop(), true);
    const lines = fs.readFileSync(logPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const thresholds = lines.filter((line) => line.type === 'threshold');
    assert.equal(thresholds.length, 2);
    assert.equal(thresholds[0].metricName, 'response_time');
    assert.equal(thresholds[0].currentValue, 500);
    assert.equal(typeof thresholds[0].id, 'string');
    assert.match(thresholds[0].message, /CRITICAL threshold alert/);
    assert.equal(thresholds[0].severity, 'critical');
    assert.equal(thresholds[1].severity, 'warning');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('generateReport', () => {
  test('has the contract shape', async () => {
    const service = createService();
    for (let i = 0; i < 60; i++) service.recordMetric('response_time', 20 + (i % 5), 'ms');
    service.recordMetric('memory_usage', 10, 'MB');
    service.recordMetric('webrtc_connection_time', 300, 'ms');
    const report = service.generateReport();
    assert.equal(typeof report.timestamp, 'number');
    assert.deepEqual(Object.keys(report.summary).sort(), [
      'activeThresholds',
      'criticalIssues',
      'recentAlerts',
      'regressionTests',
      'totalMetrics',
    ]);
    assert.equal(report.summary.totalMetrics, 62);
    assert.equal(report.metrics.responseTime.length, 50);
    assert.equal(report.metrics.memoryUsage.length, 1);
    assert.equal(report.metrics.webrtcLatency.length, 1);
    assert.ok(Array.isArray(report.regressions));
    assert.ok(Array.isArray(report.alerts));
    assert.ok(Array.isArray(report.recommendations));
    assert.doesNotThrow(() => JSON.stringify(report));
  });

  test('recommends optimization when the new implementation is slower', async () => {
    const service = createService();
    const harness = service.getTestHarness();
    const spin = (ms) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
      return 1;
    };
    harness.registerImplementations({ work: () => spin(2) }, { work: () => spin(8) });
    for (let i = 0; i < 3; i++) await harness.executeParallel('work', [], `slow_${i}`);
    const { recommendations } = service.generateReport();
    assert.ok(recommendations.some((line) => /performance|optimization/.test(line)), recommendations.join('\n'));
  });

  test('names regressions and critical issues from the detector', async () => {
    const service = createService();
    const detector = service.getRegressionDetector();
    detector.registerTest({
      name: 'broken',
      description: 'throws',
      testFunction: async () => {
        throw new Error('handler exploded');
      },
      expectedPerformance: { maxResponseTime: 10, maxMemoryIncrease: 1024 },
      enabled: true,
    });
    await detector.runAllTests();
    const report = service.generateReport();
    assert.equal(report.summary.regressionTests, 1);
    assert.equal(report.summary.criticalIssues, 1);
    assert.ok(report.recommendations.some((line) => /1 performance regression/.test(line)));
    assert.ok(report.recommendations.some((line) => /1 critical issue/.test(line)));
  });
});

describe('cleanup', () => {
  test('stops, clears everything and removes listeners', async () => {
    const service = createService();
    service.on('alert', () => {});
    service.start();
    service.recordMetric('m', 1, 'ms');
    await service.cleanup();
    assert.equal(service.isRunning, false);
    assert.equal(service.listenerCount('alert'), 0);
    assert.deepEqual(service.getPerformanceMonitor().getMetrics('m'), []);
  });
});

describe('channel options', () => {
  test('invalid channel options fail at construction', () => {
    assert.throws(
      () => new PerformanceMonitoringService({ alerting: { webhook: { enabled: true, url: 'not a url' } } }),
      { name: 'RangeError', message: /alerting\.webhook\.url/ },
    );
  });

  test('invalid channel options fail in updateConfiguration and keep the old ones', () => {
    const service = createService();
    assert.throws(() => service.updateConfiguration({ alerting: { file: { enabled: true, maxFileSize: -5 } } }), {
      name: 'RangeError',
      message: /maxFileSize/,
    });
    assert.equal(service.getConfiguration().alerting.file.enabled, false);
  });
});

describe('detection', () => {
  test('monitoring.detection selects the robust method', () => {
    const classic = createService();
    const robust = createService({ monitoring: { detection: 'robust' } });
    assert.equal(classic.getConfiguration().monitoring.detection, 'classic');
    const counts = [classic, robust].map((service) => {
      let regressions = 0;
      service.getPerformanceMonitor().on('regressionDetected', () => regressions++);
      for (let i = 0; i < 50; i++) service.recordMetric('handler_time', 100 + (i % 3), 'ms');
      service.recordMetric('handler_time', 1000, 'ms');
      return regressions;
    });
    assert.equal(counts[0], 1, 'the classic rule flags a single spike');
    assert.equal(counts[1], 0, 'robust detection ignores a single spike');
  });

  test('an unknown detection is rejected', () => {
    assert.throws(() => new PerformanceMonitoringService({ monitoring: { detection: 'fast' } }), {
      name: 'RangeError',
      message: /detection/,
    });
  });
});
