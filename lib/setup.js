'use strict';

const { PerformanceMonitoringService } = require('./service');
const { createPerformanceMiddleware } = require('./middleware');
const { describeArgument } = require('./harness');

const MIB = 1024 * 1024;
const DEFAULT_LOG_PATH = './logs/migration-performance.log';
const FLAG_NAMES = ['enableRealTimeMonitoring', 'enableRegressionTesting', 'enableAutomatedAlerts'];
const STRING_OPTION_NAMES = ['testDataPath', 'alertWebhookUrl', 'logPath'];

/**
 * Creates a PerformanceMonitoringService configured for a handler migration.
 *
 * `config` is `{ enableRealTimeMonitoring, enableRegressionTesting,
 * enableAutomatedAlerts, testDataPath?, alertWebhookUrl?, logPath? }`, and
 * each flag defaults to true on its own. The service gets the default
 * thresholds and regression thresholds of 15 / 25 / 40 %. Alerts go to the
 * console at 'warn' and to the file at `logPath` (default
 * './logs/migration-performance.log'), and to a webhook when
 * `alertWebhookUrl` is a non-empty string. Samples are kept 7 days, the
 * periodic task runs every 60 s and the alert cooldown is 5 min.
 *
 * With regression testing, the four migration tests are registered on the
 * service's detector. With automated alerts, every 'alert' of the service
 * that is critical prints a multi-line report with `console.error`, and every
 * warning a single line with `console.warn`.
 */
function setupMigrationPerformanceMonitoring(config = {}) {
  const options = validateSetupConfig(config);
  // NOTE: testDataPath is accepted for compatibility and not read: the
  // migration tests build their mock arguments in code.

  const alerting = {
    console: { enabled: true, logLevel: 'warn' },
    file: { enabled: true, logPath: options.logPath || DEFAULT_LOG_PATH, maxFileSize: 10 * MIB },
  };
  if (options.alertWebhookUrl) {
    alerting.webhook = { enabled: true, url: options.alertWebhookUrl };
  }

  const service = new PerformanceMonitoringService({
    performanceThresholds: {
      responseTime: 100,
      memoryUsage: 50,
      cpuUsage: 80,
      websocketLatency: 50,
      webrtcConnectionTime: 2000,
    },
    regressionThresholds: {
      performanceRegression: 15,
      memoryRegression: 25,
      criticalRegressionThreshold: 40,
    },
    alerting,
    monitoring: {
      enabled: options.enableRealTimeMonitoring,
      metricsRetentionDays: 7,
      baselineUpdateInterval: 60000,
      alertCooldownPeriod: 300000,
    },
  });

  if (options.enableRegressionTesting) registerMigrationTests(service);
  if (options.enableAutomatedAlerts) service.on('alert', printMigrationAlert);
  return service;
}

function validateSetupConfig(config) {
  if (config === undefined || config === null) config = {};
  if (typeof config !== 'object' || Array.isArray(config)) {
    throw new TypeError(`config must be an object, received ${describeArgument(config)}`);
  }

  const options = {};
  for (const name of FLAG_NAMES) {
    const value = config[name];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new TypeError(`config.${name} must be a boolean, received ${describeArgument(value)}`);
    }
    options[name] = value ?? true;
  }
  for (const name of STRING_OPTION_NAMES) {
    const value = config[name];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new TypeError(`config.${name} must be a string, received ${describeArgument(value)}`);
    }
    options[name] = value ?? undefined;
  }
  return options;
}

/**
 * The migration tests: each drives the service's harness on one handler with
 * a mock socket and a small payload shaped like the client's request.
 * Limits are the new side's time in ms and heap growth in bytes.
 */
const MIGRATION_TESTS = [
  {
    name: 'room_creation_performance',
    description: 'Room creation handler: old vs new implementation',
    methodName: 'handleCreateRoom',
    testId: 'room_creation_test',
    payload: () => ({ name: 'Perf Test Room', username: 'perf-tester', userId: 'perf-user-1', isPrivate: false, isHidden: false }),
    expectedPerformance: { maxResponseTime: 50, maxMemoryIncrease: 5 * MIB },
  },
  {
    name: 'voice_connection_performance',
    description: 'Voice connection (WebRTC join) handler: old vs new implementation',
    methodName: 'handleJoinVoice',
    testId: 'voice_connection_test',
    payload: () => ({ roomId: 'perf-test-room', userId: 'perf-user-1', username: 'perf-tester' }),
    expectedPerformance: { maxResponseTime: 100, maxMemoryIncrease: 10 * MIB },
  },
  {
    name: 'member_management_performance',
    description: 'Room join (member management) handler: old vs new implementation',
    methodName: 'handleJoinRoom',
    testId: 'member_management_test',
    payload: () => ({ roomId: 'perf-test-room', userId: 'perf-user-2', username: 'perf-listener', role: 'audience' }),
    expectedPerformance: { maxResponseTime: 75, maxMemoryIncrease: 3 * MIB },
  },
  {
    name: 'audio_routing_performance',
    description: 'Synth parameter update (audio routing) handler: old vs new implementation',
    methodName: 'handleUpdateSynthParams',
    testId: 'audio_routing_test',
    payload: () => ({
      roomId: 'perf-test-room',
      userId: 'perf-user-1',
      instrument: 'synth',
      params: {
        oscillator: { type: 'sawtooth', detune: 0 },
        envelope: { attack: 0.01, decay: 0.2, sustain: 0.6, release: 0.8 },
        filter: { type: 'lowpass', frequency: 1200, Q: 1 },
      },
    }),
    expectedPerformance: { maxResponseTime: 25, maxMemoryIncrease: 1 * MIB },
  },
];

function registerMigrationTests(service) {
  const detector = service.getRegressionDetector();
  for (const spec of MIGRATION_TESTS) {
    detector.registerTest({
      name: spec.name,
      description: spec.description,
      testFunction: () =>
        service.getTestHarness().executeParallel(spec.methodName, [createMockSocket(), spec.payload()], spec.testId),
      expectedPerformance: { ...spec.expectedPerformance },
      enabled: true,
    });
  }
}

/**
 * Returns a stand-in for a Socket.IO server socket: `emit`, `join`, `leave`,
 * `to`, `in` and `broadcast` work without a network and record what the
 * handler did in `emitted` and `rooms`.
 */
function createMockSocket(id = 'perf-test-socket') {
  const emitted = [];
  const rooms = new Set([id]);
  const broadcast = {
    emit: (event, ...args) => {
      emitted.push({ event, args, broadcast: true });
      return true;
    },
    to: () => broadcast,
    in: () => broadcast,
    except: () => broadcast,
  };
  return {
    id,
    rooms,
    data: {},
    handshake: { address: '127.0.0.1', query: {}, auth: {} },
    emitted,
    broadcast,
    emit(event, ...args) {
      emitted.push({ event, args });
      return true;
    },
    join(room) {
      rooms.add(room);
    },
    leave(room) {
      rooms.delete(room);
    },
    to: () => broadcast,
    in: () => broadcast,
    on() {},
    off() {},
    disconnect() {},
  };
}

/** Prints a service 'alert': critical ones as a multi-line report on stderr, warnings as one line. */
function printMigrationAlert({ alert, type } = {}) {
  if (!alert || typeof alert !== 'object') return;
  if (alert.severity === 'critical') {
    const memory = process.memoryUsage();
    console.error(
      [
        '=== CRITICAL MIGRATION PERFORMANCE ISSUE ===',
        `Type:       ${type}`,
        `Metric:     ${alert.metricName}`,
        `Regression: ${formatPercent(alert.regressionPercentage)} over the expected value`,
        `Current:    ${alert.currentValue}`,
        `Expected:   ${alert.previousValue} (alert threshold ${alert.threshold})`,
        `Time:       ${formatTimestamp(alert.timestamp)}`,
        `Process:    pid ${process.pid}, ${process.release.name} ${process.version}, ` +
          `heap used ${(memory.heapUsed / MIB).toFixed(1)} MiB, up ${Math.round(process.uptime())} s`,
        '============================================',
      ].join('\n'),
    );
  } else {
    console.warn(
      `Performance warning during migration (${type}): ${alert.metricName} is ` +
        `${formatPercent(alert.regressionPercentage)} over the expected value ` +
        `(current ${alert.currentValue}, expected ${alert.previousValue})`,
    );
  }
}

/**
 * Runs the detector's enabled tests and prints a summary, the failed tests
 * and the service report's recommendations with `console.log`.
 * Resolves to `{ reports, summary, recommendations }`.
 */
async function runMigrationRegressionTests(service) {
  if (service === null || typeof service !== 'object' || typeof service.getRegressionDetector !== 'function') {
    throw new TypeError(`service must be a PerformanceMonitoringService, received ${describeArgument(service)}`);
  }

  console.log('Running migration regression tests...');
  const detector = service.getRegressionDetector();
  const reports = await detector.runAllTests();
  const summary = detector.generateSummary();

  const passed = reports.filter((report) => report.passed).length;
  console.log(
    [
      'Migration regression test results:',
      `  Tests run:               ${reports.length}`,
      `  Passed:                  ${passed}`,
      `  Failed:                  ${reports.length - passed}`,
      `  Performance regressions: ${reports.filter((report) => report.performanceRegression).length}`,
      `  Functional regressions:  ${reports.filter((report) => report.functionalRegression).length}`,
    ].join('\n'),
  );

  const failed = reports.filter((report) => !report.passed);
  if (failed.length > 0) {
    const lines = ['Failed tests:'];
    for (const report of failed) {
      lines.push(`  - ${report.testName}`);
      if (report.performanceRegression) {
        const time = report.details.responseTime;
        lines.push(`      time: ${formatMs(time.old)} old, ${formatMs(time.new)} new (${formatPercent(time.regression)})`);
        const memory = report.details.memoryUsage;
        lines.push(`      memory: ${memory.old} B old, ${memory.new} B new (${formatPercent(memory.regression)})`);
      }
      for (const difference of report.details.functionalDifferences) lines.push(`      ${difference}`);
    }
    console.log(lines.join('\n'));
  }

  const { recommendations } = service.generateReport();
  if (recommendations.length > 0) {
    console.log(['Recommendations:', ...recommendations.map((text) => `  - ${text}`)].join('\n'));
  }
  return { reports, summary, recommendations };
}

let globalMonitoringService = null;
const pendingCleanups = new Set();
const globalServiceObservers = new Set();

/** Returns the service installed by `initializeGlobalMonitoring`, or null. */
function getGlobalMonitoringService() {
  return globalMonitoringService;
}

/**
 * Calls `observer(service)` whenever the global service changes. The ES
 * module entry uses it to keep its exported binding live.
 */
function observeGlobalMonitoringService(observer) {
  globalServiceObservers.add(observer);
}

function setGlobalMonitoringService(service) {
  globalMonitoringService = service;
  for (const observer of globalServiceObservers) observer(service);
}

/**
 * Creates a migration service from `config`, replaces the global one with it,
 * starts it and returns it synchronously. The previous global service is
 * cleaned up in the background, and `cleanupGlobalMonitoring()` waits for
 * that cleanup too. An invalid `config` throws and leaves the previous
 * service in place.
 */
function initializeGlobalMonitoring(config) {
  const service = setupMigrationPerformanceMonitoring(config);

  const previous = globalMonitoringService;
  setGlobalMonitoringService(service);
  if (previous !== null) trackCleanup(previous);

  service.start();
  return service;
}

/**
 * Cleans up the global service and sets it to null. Returns a promise that
 * resolves when its alert delivery, and that of services replaced earlier,
 * has drained. The promise never rejects, because a failed cleanup is
 * reported with `process.emitWarning`, so ignoring it is safe.
 */
function cleanupGlobalMonitoring() {
  const service = globalMonitoringService;
  setGlobalMonitoringService(null);
  if (service !== null) trackCleanup(service);
  return Promise.all(Array.from(pendingCleanups)).then(() => undefined);
}

function trackCleanup(service) {
  let pending;
  try {
    pending = Promise.resolve(service.cleanup());
  } catch (error) {
    pending = Promise.reject(error);
  }
  const settled = pending
    .catch((error) => {
      process.emitWarning(`Cleaning up the global monitoring service failed: ${error && error.message}`, {
        type: 'PerformanceMonitoringWarning',
        code: 'PERF_SENTINEL_GLOBAL_CLEANUP_FAILED',
      });
    })
    .finally(() => pendingCleanups.delete(settled));
  pendingCleanups.add(settled);
}

function formatPercent(value) {
  return typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(2)}%` : 'an unknown percentage';
}

function formatMs(value) {
  return typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(3)} ms` : 'n/a';
}

function formatTimestamp(value) {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

module.exports = {
  setupMigrationPerformanceMonitoring,
  runMigrationRegressionTests,
  createPerformanceMiddleware,
  initializeGlobalMonitoring,
  cleanupGlobalMonitoring,
  getGlobalMonitoringService,
  observeGlobalMonitoringService,
  createMockSocket,
};

Object.defineProperty(module.exports, 'globalMonitoringService', {
  enumerable: true,
  get: getGlobalMonitoringService,
});
