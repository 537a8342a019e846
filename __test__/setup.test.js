'use strict';

// Setup helpers against the real PerformanceMonitoringService:
// setupMigrationPerformanceMonitoring (configuration, flags, the four
// migration tests, automated alerts), runMigrationRegressionTests, and the
// global service with initializeGlobalMonitoring / cleanupGlobalMonitoring.

const { describe, test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const setup = require('../lib/setup');
const packageEntry = require('..');

const {
  setupMigrationPerformanceMonitoring,
  runMigrationRegressionTests,
  initializeGlobalMonitoring,
  cleanupGlobalMonitoring,
  getGlobalMonitoringService,
} = setup;

const MIB = 1024 * 1024;
const WAIT_MS = 10_000;
const MIGRATION_TEST_NAMES = [
  'room_creation_performance',
  'voice_connection_performance',
  'member_management_performance',
  'audio_routing_performance',
];
const MIGRATION_METHODS = ['handleCreateRoom', 'handleJoinVoice', 'handleJoinRoom', 'handleUpdateSynthParams'];

let tempDir;
const services = [];

/** Creates a service whose alert file lives in the test's temporary folder. */
function createService(config = {}) {
  const service = setupMigrationPerformanceMonitoring({
    logPath: path.join(tempDir, `alerts-${services.length}.log`),
    ...config,
  });
  services.push(service);
  return service;
}

function captureConsole() {
  const original = { log: console.log, error: console.error, warn: console.warn };
  const output = { log: [], error: [], warn: [] };
  for (const level of Object.keys(original)) {
    console[level] = (...args) => output[level].push(args.join(' '));
  }
  return { output, restore: () => Object.assign(console, original) };
}

async function waitFor(predicate, description) {
  const deadline = Date.now() + WAIT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A TestResult with equal results and fixed measurements, so no outcome depends on timing. */
function fixedResult(testId, measurements = {}) {
  return {
    testId,
    timestamp: Date.now(),
    oldResult: 1,
    newResult: 1,
    isEqual: true,
    executionTimeOld: 1,
    executionTimeNew: 1,
    memoryUsageOld: 10,
    memoryUsageNew: 10,
    ...measurements,
  };
}

/** Implementations of the four handlers that record their calls and return equal results. */
function recordingHandlers(calls, side) {
  const handlers = {};
  for (const method of MIGRATION_METHODS) {
    handlers[method] = async (socket, data) => {
      calls.push({ side, method, socket, data });
      socket.emit('ack', { method });
      return { method, ok: true };
    };
  }
  return handlers;
}

before(() => {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-setup-'));
});

after(async () => {
  for (const service of services) await service.cleanup();
  await cleanupGlobalMonitoring();
  fs.rmSync(tempDir, { recursive: true, force: true });
});

describe('setupMigrationPerformanceMonitoring configuration', () => {
  test('defaults without a config', () => {
    const service = setupMigrationPerformanceMonitoring();
    services.push(service);
    const config = service.getConfiguration();

    assert.deepEqual(config.performanceThresholds, {
      responseTime: 100,
      memoryUsage: 50,
      cpuUsage: 80,
      websocketLatency: 50,
      webrtcConnectionTime: 2000,
    });
    assert.deepEqual(config.regressionThresholds, {
      performanceRegression: 15,
      memoryRegression: 25,
      criticalRegressionThreshold: 40,
    });
    assert.deepEqual(config.alerting.console, { enabled: true, logLevel: 'warn' });
    assert.equal(config.alerting.file.enabled, true);
    assert.equal(config.alerting.file.logPath, './logs/migration-performance.log');
    assert.equal(config.alerting.file.maxFileSize, 10 * MIB);
    assert.equal(config.alerting.webhook, undefined);
    assert.equal(config.monitoring.enabled, true);
    assert.equal(config.monitoring.metricsRetentionDays, 7);
    assert.equal(config.monitoring.baselineUpdateInterval, 60000);
    assert.equal(config.monitoring.alertCooldownPeriod, 300000);
  });

  test('returns a service with its components', () => {
    const service = createService();
    assert.equal(typeof service.getPerformanceMonitor, 'function');
    assert.equal(typeof service.getRegressionDetector, 'function');
    assert.equal(typeof service.getTestHarness, 'function');
    assert.equal(typeof service.start, 'function');
  });

  test('logPath sets the alert file', () => {
    const logPath = path.join(tempDir, 'custom.log');
    const service = createService({ logPath });
    assert.equal(service.getConfiguration().alerting.file.logPath, logPath);
  });

  test('alertWebhookUrl adds a webhook', () => {
    const service = createService({ alertWebhookUrl: 'http://127.0.0.1:9/hook' });
    assert.deepEqual(service.getConfiguration().alerting.webhook, {
      enabled: true,
      url: 'http://127.0.0.1:9/hook',
    });
  });

  test('empty alertWebhookUrl adds no webhook', () => {
    const service = createService({ alertWebhookUrl: '' });
    assert.equal(service.getConfiguration().alerting.webhook, undefined);
  });

  test('flags default to true one by one', () => {
    const service = createService({ enableRegressionTesting: true });
    assert.equal(service.getConfiguration().monitoring.enabled, true);
    assert.deepEqual(Object.keys(service.getRegressionDetector().exportData().tests), MIGRATION_TEST_NAMES);
    assert.equal(service.listenerCount('alert'), 1, 'automated alerts are on');
  });

  test('real-time monitoring off', () => {
    const service = createService({ enableRealTimeMonitoring: false });
    assert.equal(service.getConfiguration().monitoring.enabled, false);
    let started = false;
    service.on('started', () => (started = true));
    service.start();
    assert.equal(started, false);
    assert.equal(service.isRunning, false);
  });

  test('regression testing off', () => {
    const service = createService({ enableRegressionTesting: false });
    assert.deepEqual(service.getRegressionDetector().exportData().tests, {});
  });

  test('automated alerts off', () => {
    const service = createService({ enableAutomatedAlerts: false });
    assert.equal(service.listenerCount('alert'), 0);
  });

  test('invalid config values', () => {
    assert.throws(() => setupMigrationPerformanceMonitoring('fast'), {
      name: 'TypeError',
      message: 'config must be an object, received "fast"',
    });
    assert.throws(() => setupMigrationPerformanceMonitoring({ enableRegressionTesting: 'yes' }), {
      name: 'TypeError',
      message: 'config.enableRegressionTesting must be a boolean, received "yes"',
    });
    assert.throws(() => setupMigrationPerformanceMonitoring({ logPath: 5 }), {
      name: 'TypeError',
      message: /^config\.logPath must be a string/,
    });
  });

  test('alerts reach the file at logPath', async () => {
    const logPath = path.join(tempDir, 'delivered', 'migration.log');
    const service = createService({ logPath, enableAutomatedAlerts: false });
    const captured = captureConsole();
    try {
      service.recordMetric('response_time', 500, 'ms');
      await service.stop();
    } finally {
      captured.restore();
    }
    const lines = fs.readFileSync(logPath, 'utf8').trim().split('\n');
    assert.ok(lines.length >= 1, 'at least one alert line');
    assert.ok(lines.some((line) => line.includes('response_time')), lines.join('\n'));
  });

  test('unwritable logPath does not throw', () => {
    assert.doesNotThrow(() => createService({ logPath: '/invalid/path/that/does/not/exist.log' }));
  });
});

describe('migration regression tests', () => {
  test('four tests with their limits', () => {
    const data = createService().getRegressionDetector().exportData();
    assert.deepEqual(Object.keys(data.tests), MIGRATION_TEST_NAMES);
    const limits = MIGRATION_TEST_NAMES.map((name) => data.tests[name].expectedPerformance.maxResponseTime);
    assert.deepEqual(limits, [50, 100, 75, 25]);
    for (const name of MIGRATION_TEST_NAMES) {
      const test = data.tests[name];
      assert.equal(test.enabled, true, name);
      assert.ok(test.description.length > 0, name);
      const memory = test.expectedPerformance.maxMemoryIncrease;
      assert.ok(Number.isInteger(memory) && memory >= MIB && memory <= 10 * MIB, `${name}: ${memory} bytes`);
    }
  });

  test('drive the harness on the four handlers', async () => {
    const service = createService();
    const calls = [];
    service.getTestHarness().registerImplementations(recordingHandlers(calls, 'old'), recordingHandlers(calls, 'new'));

    const reports = await service.getRegressionDetector().runAllTests();
    assert.deepEqual(
      reports.map((report) => report.testName),
      MIGRATION_TEST_NAMES,
    );
    for (const report of reports) assert.equal(report.functionalRegression, false, report.testName);

    assert.deepEqual(
      calls.map((call) => `${call.side}:${call.method}`),
      MIGRATION_METHODS.flatMap((method) => [`old:${method}`, `new:${method}`]),
    );
    for (const call of calls) {
      assert.equal(typeof call.socket.id, 'string');
      assert.equal(typeof call.socket.emit, 'function');
      assert.equal(typeof call.socket.join, 'function');
      assert.equal(typeof call.socket.to('room').emit, 'function');
      assert.equal(typeof call.data, 'object');
    }
    const synth = calls.find((call) => call.method === 'handleUpdateSynthParams').data;
    assert.equal(typeof synth.params.envelope.attack, 'number');

    const ids = service.getTestHarness().getAllResults().map((result) => result.testId);
    assert.deepEqual(ids, ['room_creation_test', 'voice_connection_test', 'member_management_test', 'audio_routing_test']);
  });

  test('mock socket records what a handler did', () => {
    const socket = setup.createMockSocket('s1');
    socket.join('room-1');
    socket.emit('joined', { room: 'room-1' });
    socket.to('room-1').emit('member', 'x');
    socket.broadcast.emit('hello');
    assert.deepEqual([...socket.rooms], ['s1', 'room-1']);
    assert.deepEqual(
      socket.emitted.map((entry) => entry.event),
      ['joined', 'member', 'hello'],
    );
    socket.leave('room-1');
    assert.deepEqual([...socket.rooms], ['s1']);
  });

  test('without implementations every test fails', async () => {
    const service = createService();
    const reports = await service.getRegressionDetector().runAllTests();
    assert.equal(reports.length, 4);
    for (const [i, report] of reports.entries()) {
      assert.equal(report.passed, false);
      assert.equal(report.functionalRegression, true);
      assert.match(
        report.details.functionalDifferences[0],
        new RegExp(`Method ${MIGRATION_METHODS[i]} not found in old implementation`),
      );
    }
  });
});

describe('automated migration alerts', () => {
  let captured;

  afterEach(() => {
    captured?.restore();
  });

  test('critical alert prints a report to stderr', async () => {
    const service = createService();
    captured = captureConsole();
    service.recordMetric('response_time', 500, 'ms');
    // The service routes the monitor's alert as type 'threshold' and again,
    // through the detector's callbacks, as type 'regression_test'.
    const isThresholdReport = (text) =>
      text.includes('CRITICAL MIGRATION PERFORMANCE ISSUE') && /^Type:\s+threshold$/m.test(text);
    await waitFor(() => captured.output.error.some(isThresholdReport), 'the critical report');
    captured.restore();

    const report = captured.output.error.find(isThresholdReport);
    const lines = report.split('\n');
    assert.ok(lines.length >= 6, report);
    assert.ok(lines.some((line) => /^Type:\s+threshold$/.test(line)), report);
    assert.ok(lines.some((line) => /^Metric:\s+response_time$/.test(line)), report);
    assert.ok(lines.some((line) => /^Regression:\s+400\.00%/.test(line)), report);
    assert.ok(lines.some((line) => /^Current:\s+500$/.test(line)), report);
    assert.ok(lines.some((line) => /^Expected:\s+100 /.test(line)), report);
  });

  test('warning prints one line', async () => {
    const service = createService();
    captured = captureConsole();
    service.recordMetric('websocket_latency', 60, 'ms');
    const isThresholdWarning = (text) => text.startsWith('Performance warning during migration (threshold)');
    await waitFor(() => captured.output.warn.some(isThresholdWarning), 'the warning line');
    captured.restore();

    const line = captured.output.warn.find(isThresholdWarning);
    assert.equal(line.includes('\n'), false);
    assert.match(line, /\(threshold\): websocket_latency is 20\.00% over the expected value \(current 60, expected 50\)/);
    assert.equal(
      captured.output.error.some((text) => text.includes('CRITICAL MIGRATION')),
      false,
    );
  });

  test('alerts flags off prints no report', async () => {
    const service = createService({ enableAutomatedAlerts: false });
    captured = captureConsole();
    let delivered = false;
    service.on('alert', () => (delivered = true));
    service.recordMetric('response_time', 500, 'ms');
    await waitFor(() => delivered, 'the alert event');
    captured.restore();
    assert.equal(
      captured.output.error.some((text) => text.includes('CRITICAL MIGRATION')),
      false,
    );
  });
});

describe('runMigrationRegressionTests', () => {
  test('prints summary and failures', async () => {
    const service = createService();
    const captured = captureConsole();
    let outcome;
    try {
      outcome = await runMigrationRegressionTests(service);
    } finally {
      captured.restore();
    }
    const printed = captured.output.log.join('\n');

    assert.equal(outcome.reports.length, 4);
    assert.equal(outcome.summary.totalTests, 4);
    assert.equal(outcome.summary.failedTests, 4);
    assert.ok(Array.isArray(outcome.recommendations));

    assert.match(printed, /Migration regression test results:/);
    assert.match(printed, /Tests run:\s+4/);
    assert.match(printed, /Failed:\s+4/);
    assert.match(printed, /Functional regressions:\s+4/);
    assert.match(printed, /Failed tests:/);
    for (const name of MIGRATION_TEST_NAMES) assert.ok(printed.includes(`- ${name}`), name);
    assert.match(printed, /Method handleCreateRoom not found in old implementation/);
  });

  test('prints the recommendations', async () => {
    const service = createService();
    const detector = service.getRegressionDetector();
    for (const name of MIGRATION_TEST_NAMES) {
      // Twice as slow, with fixed measurements, so every test is a performance regression.
      detector.registerTest({
        ...detector.exportData().tests[name],
        testFunction: async () => fixedResult(name, { executionTimeOld: 1, executionTimeNew: 2 }),
      });
    }
    const captured = captureConsole();
    let outcome;
    try {
      outcome = await runMigrationRegressionTests(service);
    } finally {
      captured.restore();
    }
    const printed = captured.output.log.join('\n');

    assert.equal(outcome.summary.performanceRegressions, 4);
    assert.ok(outcome.recommendations.length > 0, 'performance regressions give a recommendation');
    assert.match(printed, /Recommendations:/);
    for (const recommendation of outcome.recommendations) assert.ok(printed.includes(`- ${recommendation}`));
    assert.match(printed, /time: 1\.000 ms old, 2\.000 ms new \(100\.00%\)/);
  });

  test('passing run prints no failures', async () => {
    const service = createService();
    const detector = service.getRegressionDetector();
    for (const name of MIGRATION_TEST_NAMES) {
      // Equal, fixed measurements, so the outcome does not depend on timing.
      detector.registerTest({
        ...detector.exportData().tests[name],
        testFunction: async () => fixedResult(name),
      });
    }
    const captured = captureConsole();
    let outcome;
    try {
      outcome = await runMigrationRegressionTests(service);
    } finally {
      captured.restore();
    }
    assert.equal(outcome.summary.passedTests, 4);
    assert.deepEqual(outcome.recommendations, []);
    const printed = captured.output.log.join('\n');
    assert.match(printed, /Passed:\s+4/);
    assert.doesNotMatch(printed, /Failed tests:/);
    assert.doesNotMatch(printed, /Recommendations:/);
  });

  test('rejects a missing service', async () => {
    await assert.rejects(runMigrationRegressionTests(null), {
      name: 'TypeError',
      message: /^service must be a PerformanceMonitoringService/,
    });
  });
});

describe('global monitoring service', () => {
  test('starts null, initialize installs and starts', async () => {
    await cleanupGlobalMonitoring();
    assert.equal(getGlobalMonitoringService(), null);
    assert.equal(packageEntry.globalMonitoringService, null);

    const service = initializeGlobalMonitoring({ logPath: path.join(tempDir, 'global.log') });
    assert.equal(typeof service.then, 'undefined', 'returned synchronously, not a promise');
    assert.equal(service.isRunning, true);
    assert.equal(getGlobalMonitoringService(), service);
    assert.equal(setup.globalMonitoringService, service);
    assert.equal(packageEntry.globalMonitoringService, service);

    await cleanupGlobalMonitoring();
    assert.equal(service.isRunning, false);
    assert.equal(getGlobalMonitoringService(), null);
    assert.equal(packageEntry.globalMonitoringService, null);
  });

  test('initialize replaces and cleans up the previous', async () => {
    const first = initializeGlobalMonitoring({ logPath: path.join(tempDir, 'first.log') });
    let firstStopped = false;
    first.on('stopped', () => (firstStopped = true));

    const second = initializeGlobalMonitoring({ logPath: path.join(tempDir, 'second.log') });
    assert.notEqual(second, first);
    assert.equal(getGlobalMonitoringService(), second);
    assert.equal(firstStopped, true);
    assert.equal(first.isRunning, false);
    assert.equal(first.listenerCount('alert'), 0, 'cleanup removed the listeners');
    assert.equal(second.isRunning, true);

    await cleanupGlobalMonitoring();
    assert.equal(second.isRunning, false);
  });

  test('invalid config keeps the previous service', async () => {
    const kept = initializeGlobalMonitoring({ logPath: path.join(tempDir, 'kept.log') });
    assert.throws(() => initializeGlobalMonitoring({ enableAutomatedAlerts: 1 }), { name: 'TypeError' });
    assert.equal(getGlobalMonitoringService(), kept);
    assert.equal(kept.isRunning, true);
    await cleanupGlobalMonitoring();
  });

  test('initialize honours real-time monitoring off', async () => {
    const service = initializeGlobalMonitoring({
      enableRealTimeMonitoring: false,
      logPath: path.join(tempDir, 'off.log'),
    });
    assert.equal(service.isRunning, false);
    assert.equal(getGlobalMonitoringService(), service);
    await cleanupGlobalMonitoring();
  });

  test('cleanup without a service resolves', async () => {
    await cleanupGlobalMonitoring();
    const result = cleanupGlobalMonitoring();
    assert.equal(typeof result.then, 'function');
    assert.equal(await result, undefined);
  });

  test('process exits after cleanup', () => {
    const entry = JSON.stringify(path.join(__dirname, '..'));
    const logPath = JSON.stringify(path.join(tempDir, 'child.log'));
    const source = `
      const { initializeGlobalMonitoring, cleanupGlobalMonitoring } = require(${entry});
      const service = initializeGlobalMonitoring({ logPath: ${logPath}, enableAutomatedAlerts: false });
      service.recordMetric('response_time', 500, 'ms');
      cleanupGlobalMonitoring().then(() => console.log('cleaned'));
    `;
    const run = spawnSync(process.execPath, ['-e', source], { timeout: 20_000, encoding: 'utf8' });
    assert.equal(run.signal, null, `killed by ${run.signal}; stderr: ${run.stderr}`);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /cleaned/);
  });
});
