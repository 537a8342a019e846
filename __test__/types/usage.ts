// Compiled with `tsc -p __test__/types` (strict, noEmit), never run. It uses
// every call and event of the public API through the package name, so that
// index.d.ts is checked the way a TypeScript user resolves it. The
// `@ts-expect-error` lines prove that wrong usage is rejected: each one fails
// the build if its line ever compiles.

import { EventEmitter } from 'node:events';
import * as http from 'node:http';
import type { Server as SocketIoServer } from 'socket.io';

import {
  PerformanceMonitor,
  ParallelTestHarness,
  RegressionDetector,
  PerformanceMonitoringService,
  createPerformanceMiddleware,
  createMetricsHandler,
  PROMETHEUS_CONTENT_TYPE,
  renderHtmlReport,
  setupMigrationPerformanceMonitoring,
  runMigrationRegressionTests,
  initializeGlobalMonitoring,
  cleanupGlobalMonitoring,
  globalMonitoringService,
} from 'perf-sentinel';
import type {
  AlertSeverity,
  ComparisonStatistics,
  ComparisonVerdict,
  DeliveryErrorEvent,
  DeliveryStats,
  ExperimentStats,
  HarnessReport,
  MetricHandle,
  MetricRejectedEvent,
  MetricsExport,
  MigrationTestRun,
  PerformanceBaseline,
  PerformanceMetric,
  PerformanceMonitoringConfig,
  PerformanceMonitoringConfigInput,
  PerformanceReport,
  PerformanceSummary,
  PerformanceThreshold,
  RegressionAlert,
  RegressionExport,
  RegressionReport,
  RegressionSummary,
  RegressionTest,
  RuntimeMetricsAvailability,
  ServiceAlertEvent,
  ServiceStats,
  TestComparison,
  TestResult,
} from 'perf-sentinel';

/** Compiles only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertEqualTypes<A, B>(proof: Equal<A, B>): void {
  void proof;
}

// --- PerformanceMonitor ----------------------------------------------------

const monitor = new PerformanceMonitor();
const sizedMonitor = new PerformanceMonitor({ maxSamples: 500, maxAlerts: 50, regression: { sigma: 3 } });
new PerformanceMonitor({ maxMetricsHistory: 200, defaultThresholds: false, detection: 'classic' });
new PerformanceMonitor({ detection: 'robust', robust: { minSamples: 20, allowance: 0.5, decisionInterval: 6, clip: 3 } });
// @ts-expect-error: detection is 'classic' or 'robust'.
new PerformanceMonitor({ detection: 'bayesian' });
const sharedMonitor: PerformanceMonitor = PerformanceMonitor.shared('api', { maxSamples: 2000 });
const droppedAcrossThreads: number = sharedMonitor.getDroppedAlertCount();
const emitter: EventEmitter = monitor;

monitor.on('metricRecorded', (metric) => {
  const name: string = metric.name;
  const value: number = metric.value;
  const unit: string = metric.unit;
  const timestamp: number = metric.timestamp;
  const endpoint: unknown = metric.context?.endpoint;
  void [name, value, unit, timestamp, endpoint];
});
monitor.on('thresholdViolation', (alert) => {
  const severity: AlertSeverity = alert.severity;
  const fields: number[] = [
    alert.currentValue,
    alert.previousValue,
    alert.threshold,
    alert.regressionPercentage,
    alert.timestamp,
  ];
  const metricName: string = alert.metricName;
  void [severity, fields, metricName];
});
monitor.once('regressionDetected', (alert: RegressionAlert) => void alert.metricName);
monitor.prependListener('metricRecorded', () => {});
monitor.prependOnceListener('thresholdViolation', () => {});
const onRegression = (alert: RegressionAlert): void => void alert;
monitor.addListener('regressionDetected', onRegression);
monitor.removeListener('regressionDetected', onRegression);
monitor.off('regressionDetected', onRegression);
monitor.on('newListener', (event: string | symbol) => void event);
const dynamicEvent: string = 'custom';
monitor.on(dynamicEvent, (...args: unknown[]) => void args);
const emitted: boolean = monitor.emit('metricRecorded', { name: 'x', value: 1, unit: 'ms', timestamp: Date.now() });
void emitted;

// @ts-expect-error: a thresholdViolation listener receives a RegressionAlert, not a string.
monitor.on('thresholdViolation', (alert: string) => void alert);
// @ts-expect-error: a metricRecorded listener receives a PerformanceMetric, not a number.
monitor.once('metricRecorded', (value: number) => void value);
// @ts-expect-error: regressionDetected must be emitted with an alert.
monitor.emit('regressionDetected', 42);

monitor.recordMetric('response_time', 85, 'ms', { endpoint: '/api/rooms', method: 'POST' });
monitor.recordMetric('cpu_usage', 12, '%');
monitor.recordMetric('queue_depth', 3);
// @ts-expect-error: the value must be a number.
monitor.recordMetric('response_time', '85', 'ms');
// @ts-expect-error: the name must be a string.
monitor.recordMetric(7, 85, 'ms');

const recordedCount: number = monitor.recordMany('lat', new Float64Array([1, 2, 3]), 'ms');
monitor.recordMany('lat', [4, 5, 6]);
const latency: MetricHandle = monitor.metric('lat', 'ms');
latency.record(12);
const handleFields: [PerformanceMonitor, string, string] = [latency.monitor, latency.name, latency.unit];
// @ts-expect-error: a handle records numbers.
latency.record('12');
void [recordedCount, handleFields, droppedAcrossThreads];

monitor.setThreshold('response_time', 150, 'ms');
monitor.setThreshold('custom_metric', 10, 'ms', false);
monitor.setRegressionRule({ warningPercent: 25, criticalPercent: 60 });
monitor.setDetection('lat', 'robust', { decisionInterval: 8 });
monitor.setDetection('lat', 'classic');
const thresholds: PerformanceThreshold[] = monitor.getThresholds();
const metrics: PerformanceMetric[] = monitor.getMetrics('response_time');
const newest: PerformanceMetric[] = monitor.getMetrics('response_time', 10);
const everything: PerformanceMetric[] = monitor.getMetrics();
const names: string[] = monitor.getMetricNames();
const baseline: PerformanceBaseline | undefined = monitor.getBaseline('response_time');
if (baseline !== undefined) {
  const stats: number[] = [
    baseline.averageValue,
    baseline.minValue,
    baseline.maxValue,
    baseline.standardDeviation,
    baseline.sampleCount,
    baseline.lastUpdated,
    baseline.p50,
    baseline.p95,
    baseline.p99,
  ];
  void stats;
}
// @ts-expect-error: getBaseline may return undefined, so strict mode rejects direct access.
void monitor.getBaseline('response_time').averageValue;
const baselines: Map<string, PerformanceBaseline> = monitor.getAllBaselines();
const alerts: RegressionAlert[] = monitor.getRecentAlerts();
const fewAlerts: RegressionAlert[] = monitor.getRecentAlerts(5);
const summary: PerformanceSummary = monitor.getPerformanceSummary();
const dropped: number = monitor.dropSamplesOlderThan(Date.now() - 60_000);
const exported: MetricsExport = monitor.exportMetrics();
sizedMonitor.importMetrics(exported);
sizedMonitor.importMetrics(JSON.parse(JSON.stringify(exported)) as MetricsExport);
const handle: string = monitor.startMetric('db_query');
const elapsed: number = monitor.endMetric(handle, { table: 'rooms' });
monitor.clearMetrics();
monitor.cleanup();
void [emitter, thresholds, metrics, newest, everything, names, baselines, alerts, fewAlerts, summary, dropped, elapsed];

// --- ParallelTestHarness ---------------------------------------------------

class OldRoomHandler {
  handleCreateRoom(_socket: unknown, data: { name: string }): { id: string } {
    return { id: data.name };
  }
}
class NewRoomHandler {
  async handleCreateRoom(_socket: unknown, data: { name: string }): Promise<{ id: string }> {
    return { id: data.name };
  }
}

const harness = new ParallelTestHarness();
new ParallelTestHarness({ maxResults: 100, monitor });
harness.registerImplementations(new OldRoomHandler(), new NewRoomHandler());
const oldImplementation: object | null = harness.oldImplementation;
const newImplementation: object | null = harness.newImplementation;
harness.on('testCompleted', (result) => {
  const flags: boolean = result.isEqual;
  const measurements: number[] = [
    result.executionTimeOld,
    result.executionTimeNew,
    result.memoryUsageOld,
    result.memoryUsageNew,
  ];
  const error: string | undefined = result.error;
  void [flags, measurements, error];
});
// @ts-expect-error: a testCompleted listener receives a TestResult, not an alert.
harness.on('testCompleted', (alert: RegressionAlert) => void alert);
harness.on('mismatch', (event) => {
  const where: string | null = event.path;
  void [event.name, where, event.reason, event.control, event.candidate, event.args.length];
});
harness.on('candidateError', (event) => {
  const timedOut: boolean = event.timedOut;
  void [event.name, event.error, timedOut, event.args];
});
// @ts-expect-error: a candidateError listener receives an event object, not a boolean.
harness.on('candidateError', (timedOut: boolean) => void timedOut);

const findRoom = harness.experiment({
  name: 'find_room',
  use: (id: string) => ({ id, members: 3 }),
  try: (id: string) => Promise.resolve({ id, members: 3 }),
  sampleRate: 0.5,
  compare: (control, candidate) => control.members === candidate.members,
  timeoutMs: 200,
  seed: 7,
});
const room: { id: string; members: number } = findRoom('lobby');
const experimentStats: ExperimentStats = findRoom.stats();
// @ts-expect-error: the experiment takes the control's arguments.
findRoom(42);
void [room, experimentStats];

async function useHarness(): Promise<void> {
  const result: TestResult = await harness.executeParallel('handleCreateRoom', [{}, { name: 'lobby' }]);
  await harness.executeParallel('handleCreateRoom', [{}, { name: 'lobby' }], 'room_creation_test');
  const repeated = await harness.executeParallel('handleCreateRoom', [{}, { name: 'lobby' }], undefined, {
    iterations: 50,
    warmup: 5,
    budgetMs: 2000,
    seed: 1,
    alpha: 0.01,
  });
  const gcRan: boolean = repeated.gcBetweenSides;
  if (repeated.statistics !== undefined) {
    const statistics: ComparisonStatistics = repeated.statistics;
    const verdict: ComparisonVerdict = statistics.verdict;
    const interval: [number, number] | null = statistics.ratioCI95;
    void [verdict, interval, statistics.pValue, statistics.oldSamples];
  }
  await findRoom.settled();
  void gcRan;
  const comparison: TestComparison | null = harness.analyzeResults(result.testId);
  if (comparison !== null) {
    const verdict: boolean = comparison.passed;
    const differences: string[] = comparison.differences;
    const ratios: number[] = [comparison.performanceRatio, comparison.memoryRatio];
    void [verdict, differences, ratios];
  }
  const all: TestResult[] = harness.getAllResults();
  const report: HarnessReport = harness.generateReport();
  harness.clearResults();
  void [all, report];
}
// @ts-expect-error: args is an array of arguments, not a single value.
void harness.executeParallel('handleCreateRoom', 'lobby');
void [oldImplementation, newImplementation, useHarness];

// --- RegressionDetector ----------------------------------------------------

const detector = new RegressionDetector(monitor, harness);
new RegressionDetector(monitor, harness, { maxReports: 10, responseTimeRegressionPercent: 15 });
detector.onAlert((alert) => void alert.severity);
detector.onAlert(async (alert: RegressionAlert) => void alert.metricName);
const roomCreationTest: RegressionTest = {
  name: 'room_creation_performance',
  description: 'Room creation handler: old vs new implementation',
  testFunction: () => harness.executeParallel('handleCreateRoom', [{}, { name: 'lobby' }]),
  expectedPerformance: { maxResponseTime: 50, maxMemoryIncrease: 5 * 1024 * 1024 },
  enabled: true,
};
detector.registerTest(roomCreationTest);
// @ts-expect-error: a test needs a testFunction.
detector.registerTest({ name: 'incomplete' });

async function useDetector(): Promise<void> {
  const reports: RegressionReport[] = await detector.runAllTests();
  const single: RegressionReport = await detector.runSingleTest(roomCreationTest);
  const regressionPercent: number = single.details.responseTime.regression;
  const memoryGrowth: number = single.details.memoryUsage.new - single.details.memoryUsage.old;
  const differences: string[] = single.details.functionalDifferences;
  const flags: boolean[] = [single.passed, single.performanceRegression, single.functionalRegression];
  const recent: RegressionReport[] = detector.getTestReports(5);
  const allReports: RegressionReport[] = detector.getTestReports();
  const failed: RegressionReport[] = detector.getFailedTests();
  const slow: RegressionReport[] = detector.getPerformanceRegressions();
  const wrong: RegressionReport[] = detector.getFunctionalRegressions();
  const testSummary: RegressionSummary = detector.generateSummary();
  const data: RegressionExport = detector.exportData();
  const printer = detector.setupAutomatedAlerts();
  const removed: boolean = detector.offAlert(printer);
  detector.clearHistory();
  detector.dispose();
  void [reports, regressionPercent, memoryGrowth, differences, flags, recent, allReports, failed, slow, wrong];
  void [testSummary.criticalIssues, data.tests, removed];
}
void useDetector;

// --- PerformanceMonitoringService ------------------------------------------

const service = new PerformanceMonitoringService({ alerting: { file: { enabled: false } } });
const configInput: PerformanceMonitoringConfigInput = {
  performanceThresholds: { responseTime: 150 },
  regressionThresholds: { criticalRegressionThreshold: 60 },
  alerting: {
    console: { enabled: true, logLevel: 'error' },
    file: { enabled: true, logPath: './logs/alerts.log', maxFileSize: 1024 * 1024 },
    webhook: { enabled: true, url: 'http://127.0.0.1:9/hook', format: 'slack', retries: 2 },
    email: { enabled: false, host: 'smtp.example.com', from: 'alerts@example.com', to: ['ops@example.com'] },
    alertmanager: { enabled: false, url: 'http://127.0.0.1:9093', labels: { team: 'audio' } },
  },
  monitoring: { alertCooldownPeriod: 600_000, shutdownTimeoutMs: 5_000, runtimeMetrics: true },
};
new PerformanceMonitoringService(configInput);
new PerformanceMonitoringService();
// @ts-expect-error: logLevel is one of 'error', 'warn', 'info', 'debug'.
new PerformanceMonitoringService({ alerting: { console: { logLevel: 'loud' } } });
// @ts-expect-error: thresholds are numbers.
new PerformanceMonitoringService({ performanceThresholds: { responseTime: '100ms' } });

const serviceEmitter: EventEmitter = service;
service.on('started', () => {});
service.on('stopped', () => {});
service.on('alert', ({ alert, type }) => {
  const kind: 'threshold' | 'regression' | 'regression_test' = type;
  void [alert.metricName, kind];
});
service.once('alert', (event: ServiceAlertEvent) => void event);
service.on('deliveryError', (event: DeliveryErrorEvent) => {
  const details: [string, string, number, string, string] = [
    event.channel,
    event.error,
    event.attempts,
    event.alertId,
    event.type,
  ];
  void [details, event.alert.metricName];
});
service.on('metricRejected', (event: MetricRejectedEvent) => {
  const error: TypeError | RangeError = event.error;
  void [event.name, event.value, event.unit, error];
});
service.on('error', (error) => void error.message);
// @ts-expect-error: an alert listener receives { alert, type }, not the bare alert.
service.on('alert', (alert: RegressionAlert) => void alert.metricName);
// @ts-expect-error: 'started' carries no payload that a listener could require.
service.on('started', (when: number) => void when);

assertEqualTypes<ReturnType<typeof service.start>, void>(true);
assertEqualTypes<ReturnType<typeof service.stop>, Promise<boolean>>(true);
assertEqualTypes<ReturnType<typeof service.cleanup>, Promise<boolean>>(true);
assertEqualTypes<typeof globalMonitoringService, PerformanceMonitoringService | null>(true);

const { start, stop } = service;
start();
const running: boolean = service.isRunning;
service.recordMetric('response_time', 500, 'ms', { endpoint: '/api/test' });
service.recordMetric('response_time', 500, 'ms');
const reportOfService: PerformanceReport = service.generateReport();
const recommendations: string[] = reportOfService.recommendations;
const newestResponseTimes: PerformanceMetric[] = reportOfService.metrics.responseTime;
const deliveryStats: DeliveryStats[] = service.getDeliveryStats();
const serviceStats: ServiceStats = service.getServiceStats();
const listenerErrors: number = serviceStats.listenerErrors;
const runtimeAvailability: RuntimeMetricsAvailability | null = service.getRuntimeMetricsAvailability();
const loopDelayAvailable: boolean | undefined = runtimeAvailability?.eventLoopDelay.available;
void [listenerErrors, loopDelayAvailable];
const serviceMonitor: PerformanceMonitor = service.getPerformanceMonitor();
const serviceDetector: RegressionDetector = service.getRegressionDetector();
const serviceHarness: ParallelTestHarness = service.getTestHarness();
const configuration: PerformanceMonitoringConfig = service.getConfiguration();
const cooldown: number = configuration.monitoring.alertCooldownPeriod;
service.updateConfiguration({ performanceThresholds: { responseTime: 200 } });
service.updateConfiguration({ monitoring: { alertCooldownPeriod: 60_000 } });
void [serviceEmitter, running, recommendations, newestResponseTimes, deliveryStats, serviceStats];
void [serviceMonitor, serviceDetector, serviceHarness, cooldown];

async function shutDown(): Promise<void> {
  const drained: boolean = await stop();
  const cleaned: boolean = await service.cleanup();
  void [drained, cleaned];
}
void shutDown;

// --- Middleware and setup helpers ------------------------------------------

const middleware = createPerformanceMiddleware(service);
http.createServer((req, res) => {
  middleware.httpMiddleware(req, res, () => {
    res.end('ok');
  });
});
declare const io: SocketIoServer;
io.use(middleware.socketMiddleware);
createPerformanceMiddleware(monitor);

const metricsHandler = createMetricsHandler(service, { prefix: 'game_', includeAlerts: false });
createMetricsHandler(monitor);
http.createServer((req, res) => void metricsHandler(req, res));
const contentType: string = PROMETHEUS_CONTENT_TYPE;
async function exposeMetrics(): Promise<string> {
  return monitor.metricsText({ prefix: '' });
}
const page: string = renderHtmlReport(service, { title: 'Load test', maxPoints: 300, maxComparisons: 20 });
renderHtmlReport(monitor);
// @ts-expect-error: the report needs a monitor or a service.
renderHtmlReport({});
void [contentType, exposeMetrics, page];
// @ts-expect-error: the middleware needs something with recordMetric.
createPerformanceMiddleware({});

const migration = setupMigrationPerformanceMonitoring({
  enableRealTimeMonitoring: true,
  enableRegressionTesting: true,
  enableAutomatedAlerts: false,
  alertWebhookUrl: 'http://127.0.0.1:9/hook',
  logPath: './logs/migration.log',
});
setupMigrationPerformanceMonitoring();
// @ts-expect-error: the flags are booleans.
setupMigrationPerformanceMonitoring({ enableRegressionTesting: 'yes' });

async function useSetup(): Promise<void> {
  const run: MigrationTestRun = await runMigrationRegressionTests(migration);
  void [run.reports, run.summary, run.recommendations];

  const global: PerformanceMonitoringService = initializeGlobalMonitoring({ enableAutomatedAlerts: false });
  initializeGlobalMonitoring();
  if (globalMonitoringService !== null) globalMonitoringService.recordMetric('response_time', 42, 'ms');
  const cleaned: void = await cleanupGlobalMonitoring();
  void [global, cleaned];
}
void useSetup;
