'use strict';

// perf-sentinel on a live server: an Express + Socket.IO room server under
// load, a handler switched to a slower version part way through, the
// migration regression tests, and the alerts delivered to a local webhook.
//
// Environment:
//   PERF_DEMO_SECONDS  seconds of traffic (default 10), half before and half
//                      after the handler switch
//   PERF_DEMO_OUT      output directory for report.json and alerts.log
//                      (default ./perf-report)

const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const {
  PerformanceMonitoringService,
  createPerformanceMiddleware,
  renderHtmlReport,
  runMigrationRegressionTests,
} = require('../..');
const { RoomStore, LegacyRoomHandlers, MigratedRoomHandlers } = require('./rooms');
const { registerMigrationTests } = require('./migration');
const { startRoomServer } = require('./server');
const { startWebhookReceiver } = require('./receiver');
const { runHttpLoad, startSocketClients } = require('./traffic');
const {
  summariseMetrics,
  tallyAlerts,
  tallyAlertedMetrics,
  tallyDeliveredAlerts,
  renderSummary,
} = require('./summary');

const DEFAULT_SECONDS = 10;
const SOCKET_CLIENTS = 4;
const ALERT_COOLDOWN_MS = 1000;
const MEMORY_SAMPLE_MS = 500;
const BYTES_PER_MB = 1024 * 1024;
const EXIT_CHECK_DELAY_MS = 5000;

function readSeconds() {
  const text = process.env.PERF_DEMO_SECONDS;
  if (text === undefined || text === '') return DEFAULT_SECONDS;

  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new RangeError(`invalid PERF_DEMO_SECONDS "${text}": expected a number of seconds in (0, 600]`);
  }
  return seconds;
}

function log(message) {
  console.log(`[demo] ${message}`);
}

// The file channel appends, so a previous run's alert log (and its rotated
// copies) would mix with this run's lines. The channel's lock file stays.
function removeOldAlertLogs(outDir) {
  for (const name of fs.readdirSync(outDir)) {
    if (name.startsWith('alerts.log') && !name.endsWith('.lock')) {
      fs.rmSync(path.join(outDir, name), { force: true });
    }
  }
}

function countLines(file) {
  if (!fs.existsSync(file)) return 0;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '').length;
}

async function main() {
  const runStart = performance.now();
  const seconds = readSeconds();
  const outDir = path.resolve(process.env.PERF_DEMO_OUT || 'perf-report');
  const reportPath = path.join(outDir, 'report.json');
  const htmlPath = path.join(outDir, 'report.html');
  const alertLogPath = path.join(outDir, 'alerts.log');
  fs.mkdirSync(outDir, { recursive: true });
  removeOldAlertLogs(outDir);

  // Resources to release in reverse order, also when a step fails.
  const cleanups = [];
  try {
    const receiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());

    // Built directly rather than with setupMigrationPerformanceMonitoring,
    // whose 5 min cooldown would let each alert key through once in a short
    // run. The console channel is off so that the summary stays readable, and
    // every alert still reaches the file, the webhook and the 'alert' event.
    const service = new PerformanceMonitoringService({
      alerting: {
        console: { enabled: false, logLevel: 'warn' },
        file: { enabled: true, logPath: alertLogPath },
        webhook: { enabled: true, url: receiver.url },
      },
      monitoring: { alertCooldownPeriod: ALERT_COOLDOWN_MS },
    });
    cleanups.push(() => service.stop());

    const alertEvents = [];
    service.on('alert', (event) => alertEvents.push(event));
    const monitor = service.getPerformanceMonitor();
    const recordedCounts = new Map();
    monitor.on('metricRecorded', (metric) => {
      recordedCounts.set(metric.name, (recordedCounts.get(metric.name) ?? 0) + 1);
    });
    service.start();

    const store = new RoomStore();
    const server = await startRoomServer({
      service,
      middleware: createPerformanceMiddleware(service),
      handlers: { legacy: new LegacyRoomHandlers(store), migrated: new MigratedRoomHandlers(store) },
    });
    cleanups.push(() => server.close());
    log(`room server at ${server.url}, webhook receiver at ${receiver.url}`);

    const memorySampler = setInterval(() => {
      const heapMb = process.memoryUsage().heapUsed / BYTES_PER_MB;
      service.recordMetric('memory_usage', heapMb, 'MB', { source: 'heapUsed' });
    }, MEMORY_SAMPLE_MS);
    cleanups.push(() => clearInterval(memorySampler));

    const sockets = await startSocketClients({ url: server.url, count: SOCKET_CLIENTS, service });
    const stopSockets = () => sockets.stop();
    cleanups.push(stopSockets);

    const phaseSeconds = seconds / 2;
    log(`${phaseSeconds} s of traffic with the legacy POST /api/rooms/:id/join handler`);
    const legacyPhase = await runHttpLoad({ url: server.url, seconds: phaseSeconds, title: 'legacy join' });

    server.useMigratedJoinHandler();
    log(`${phaseSeconds} s of traffic with the migrated (slower) join handler`);
    const migratedPhase = await runHttpLoad({ url: server.url, seconds: phaseSeconds, title: 'migrated join' });

    cleanups.splice(cleanups.indexOf(stopSockets), 1);
    const socketTotals = await sockets.stop();

    const trafficNames = new Set(recordedCounts.keys());
    log('comparing legacy and migrated handlers in the test harness');
    await registerMigrationTests(service);
    await runMigrationRegressionTests(service);

    // stop() resolves once the file and webhook queues have drained.
    while (cleanups.length > 0) await cleanups.pop()();

    const metrics = summariseMetrics(monitor, recordedCounts, trafficNames);
    const webhookStats = receiver.stats();
    const webhook = { url: receiver.url, ...webhookStats, ...tallyDeliveredAlerts(receiver.deliveries) };
    const serviceReport = service.generateReport();
    const report = {
      ...serviceReport,
      metricSummary: metrics,
      webhook,
      demo: {
        seconds,
        http: [legacyPhase, migratedPhase],
        sockets: socketTotals,
        alerts: tallyAlerts(alertEvents),
        alertedMetrics: tallyAlertedMetrics(alertEvents),
        runTimeSeconds: (performance.now() - runStart) / 1000,
      },
    };
    fs.writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(htmlPath, renderHtmlReport(service, { title: 'perf-sentinel demo' }));

    console.log(
      `\n${renderSummary({
        seconds,
        url: server.url,
        http: [legacyPhase, migratedPhase],
        sockets: socketTotals,
        metrics,
        alertEvents,
        webhook,
        report: serviceReport,
        files: { report: reportPath, html: htmlPath, alertLog: alertLogPath, alertLogLines: countLines(alertLogPath) },
      })}`,
    );
    console.log(`\nRun time: ${((performance.now() - runStart) / 1000).toFixed(1)} s`);

    const problems = findMissingResults({ recordedCounts, alertEvents, webhook });
    for (const problem of problems) console.error(`[demo] ${problem}`);
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    while (cleanups.length > 0) {
      try {
        await cleanups.pop()();
      } catch (error) {
        console.error('[demo] cleanup failed:', error);
      }
    }
  }
}

// The slower join handler always raises alerts, so an empty result means
// that recording or delivery failed (the service reports such failures as
// process warnings rather than exceptions).
function findMissingResults({ recordedCounts, alertEvents, webhook }) {
  const problems = [];
  if (recordedCounts.size === 0) problems.push('no metric was recorded');
  if (alertEvents.length === 0) problems.push("the service emitted no 'alert' event");
  if (webhook.alerts === 0) problems.push('the webhook receiver got no alert');
  return problems;
}

// Prints what keeps the event loop alive if the process has not exited a
// few seconds after the demo finished. The timer itself is unref'd.
function reportLingeringResources() {
  const timer = setTimeout(() => {
    const resources = process.getActiveResourcesInfo?.() ?? ['(not available on this runtime)'];
    console.error(
      `[demo] the process is still running ${EXIT_CHECK_DELAY_MS / 1000} s after the demo finished; ` +
        `active resources: ${resources.join(', ')}`,
    );
  }, EXIT_CHECK_DELAY_MS);
  timer.unref();
}

main()
  .catch((error) => {
    console.error('[demo] failed:', error);
    process.exitCode = 1;
  })
  .finally(reportLingeringResources);
