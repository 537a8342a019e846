'use strict';

// Packs the package with `npm pack`, installs the tarball into fresh app
// folders the way users do (`npm install <tarball>` and `bun add <tarball>`),
// and runs a CommonJS and an ES module script there under Node and Bun. Each
// script records metrics, reads a baseline and the Prometheus exposition,
// raises an alert through a service, awaits stop(), renders the HTML report,
// checks the class relations, and must exit with status 0 by itself.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.join(__dirname, '..');
const BUN_PATH = path.join(REPO_ROOT, 'node_modules', '.bin', 'bun');
// Under `bun test`, process.execPath is Bun, so Node is taken from PATH.
const NODE_PATH = process.versions.bun ? 'node' : process.execPath;

const SETUP_TIMEOUT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 30_000;
const SCRIPT_TIMEOUT_MS = 20_000;
/** How long a script waits for the service's 'alert' event before it fails. */
const ALERT_WAIT_MS = 10_000;
const PASS_MARKER = 'perf-sentinel package check passed:';

const EXPORTED_NAMES = [
  'PerformanceMonitor',
  'ParallelTestHarness',
  'RegressionDetector',
  'PerformanceMonitoringService',
  'createPerformanceMiddleware',
  'createMetricsHandler',
  'PROMETHEUS_CONTENT_TYPE',
  'renderHtmlReport',
  'setupMigrationPerformanceMonitoring',
  'runMigrationRegressionTests',
  'initializeGlobalMonitoring',
  'cleanupGlobalMonitoring',
  'globalMonitoringService',
];

/** Paths that must never be in the tarball: tests, Rust sources, build output. */
const FORBIDDEN_PATH = /^(__test__|src|napi|tests|benches|target|examples|node_modules|\.ci)\/|\.rs$|^Cargo\.(toml|lock)$/;
const REQUIRED_FILES = ['package.json', 'index.js', 'index.mjs', 'index.d.ts', 'binding.js', 'binding.d.ts', 'lib/monitor.js'];

/** Returns the built addon files at the repository root. */
function findBuiltAddons() {
  return fs.readdirSync(REPO_ROOT).filter((name) => name.startsWith('perf-sentinel.') && name.endsWith('.node'));
}

/** Runs a command and fails with its whole output unless it exits with status 0. */
function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, ...options });
  const output = `$ ${command} ${args.join(' ')}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  assert.equal(result.error, undefined, `spawn failed or timed out: ${result.error}\n${output}`);
  assert.equal(result.signal, null, output);
  assert.equal(result.status, 0, output);
  return result;
}

function createApp(parent, name) {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir);
  const manifest = { name, version: '1.0.0', private: true, description: 'perf-sentinel install check' };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  return dir;
}

// The two functions below run inside the generated app scripts, which get
// their source through Function.prototype.toString. They may only use
// `assert`, `EventEmitter` and the constants that the script header defines.

/**
 * Resolves with the first payload of `event` on `emitter` for which `accept`
 * returns true, or rejects after `ms` milliseconds.
 */
function waitForEvent(emitter, event, accept, ms) {
  return new Promise((resolve, reject) => {
    const onEvent = (payload) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      emitter.off(event, onEvent);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`no matching '${event}' event within ${ms} ms`));
    }, ms);
    emitter.on(event, onEvent);
  });
}

/** Uses the installed package as a user would, then prints PASS_MARKER and `label`. */
async function checkPackage(perf, label) {
  for (const name of EXPORTED_NAMES) assert.ok(name in perf, `missing export ${name}`);
  const { PerformanceMonitor, ParallelTestHarness, RegressionDetector, PerformanceMonitoringService } = perf;

  const monitor = new PerformanceMonitor();
  const recorded = [];
  monitor.on('metricRecorded', (metric) => recorded.push(metric));
  monitor.recordMetric('db_query', 4, 'ms', { table: 'rooms' });
  monitor.recordMetric('db_query', 8, 'ms');
  assert.equal(recorded.length, 2);
  assert.equal(monitor.getMetrics('db_query')[0].context.table, 'rooms');

  const baseline = monitor.getBaseline('db_query');
  assert.equal(baseline.sampleCount, 2);
  assert.equal(baseline.averageValue, 6);
  assert.equal(baseline.standardDeviation, 2);
  assert.ok(monitor instanceof EventEmitter, 'PerformanceMonitor is not an EventEmitter');

  const exposition = await monitor.metricsText();
  assert.match(exposition, /^perf_sentinel_db_query_seconds_count 2$/m);

  const service = new PerformanceMonitoringService({ alerting: { file: { enabled: false } } });
  assert.ok(service instanceof EventEmitter, 'PerformanceMonitoringService is not an EventEmitter');
  assert.ok(service.getPerformanceMonitor() instanceof PerformanceMonitor);
  assert.ok(service.getTestHarness() instanceof ParallelTestHarness);
  assert.ok(service.getTestHarness() instanceof EventEmitter);
  assert.ok(service.getRegressionDetector() instanceof RegressionDetector);

  // The detector forwards the same alert as 'regression_test', so the
  // 'threshold' one need not come first.
  const alertEvent = waitForEvent(service, 'alert', (payload) => payload.type === 'threshold', ALERT_WAIT_MS);
  service.recordMetric('response_time', 500, 'ms', { endpoint: '/api/rooms' });
  const { alert } = await alertEvent;
  assert.equal(alert.metricName, 'response_time');
  assert.equal(alert.currentValue, 500);
  assert.equal(alert.severity, 'critical');
  assert.equal(await service.stop(), true, 'stop() did not report drained queues');
  const page = perf.renderHtmlReport(service, { title: 'install check' });
  assert.ok(page.startsWith('<!DOCTYPE html>'), 'renderHtmlReport did not return an HTML document');

  assert.equal(perf.globalMonitoringService, null);
  const global = perf.initializeGlobalMonitoring({ enableAutomatedAlerts: false, enableRegressionTesting: false });
  assert.ok(global instanceof PerformanceMonitoringService);
  assert.equal(perf.globalMonitoringService, global);
  await perf.cleanupGlobalMonitoring();
  assert.equal(perf.globalMonitoringService, null);

  console.log(`${PASS_MARKER} ${label}`);
}

function scriptPrelude() {
  return [
    `const EXPORTED_NAMES = ${JSON.stringify(EXPORTED_NAMES)};`,
    `const PASS_MARKER = ${JSON.stringify(PASS_MARKER)};`,
    `const ALERT_WAIT_MS = ${ALERT_WAIT_MS};`,
    waitForEvent.toString(),
    checkPackage.toString(),
  ].join('\n');
}

function commonJsScript() {
  return `'use strict';
const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');
const perf = require('perf-sentinel');
${scriptPrelude()}
const label = (process.versions.bun ? 'bun' : 'node') + ' commonjs';
checkPackage(perf, label).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}

function esModuleScript() {
  return `import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import * as perf from 'perf-sentinel';
import perfDefault, { PerformanceMonitor } from 'perf-sentinel';
${scriptPrelude()}
const require = createRequire(import.meta.url);
assert.equal(perfDefault.PerformanceMonitor, PerformanceMonitor, 'default export differs from the named exports');
assert.equal(require('perf-sentinel').PerformanceMonitor, PerformanceMonitor, 'require and import load different classes');
await checkPackage(perf, (process.versions.bun ? 'bun' : 'node') + ' esm');
`;
}

/** Runs an app script and checks that it passed and exited by itself with status 0. */
function runAppScript(runtime, appDir, script) {
  const result = spawnSync(runtime, [script], { cwd: appDir, encoding: 'utf8', timeout: SCRIPT_TIMEOUT_MS });
  const output = `${runtime} ${script}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  assert.equal(result.error, undefined, `spawn failed or did not exit within ${SCRIPT_TIMEOUT_MS} ms: ${result.error}\n${output}`);
  assert.equal(result.signal, null, output);
  assert.equal(result.status, 0, output);
  assert.ok(result.stdout.includes(PASS_MARKER), `the script ended before its checks finished\n${output}`);
}

describe('packed package', () => {
  let workDir;
  let tarball;
  let packedFiles;
  let npmApp;
  let bunApp;

  before(
    () => {
      const addons = findBuiltAddons();
      assert.ok(
        addons.length > 0 && fs.existsSync(path.join(REPO_ROOT, 'binding.js')),
        `no built addon (perf-sentinel.*.node and binding.js) in ${REPO_ROOT}: run \`npm run build\` first`,
      );
      assert.ok(fs.existsSync(BUN_PATH), `${BUN_PATH} is missing: run \`npm install\` first`);

      workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-package-'));
      const env = { ...process.env, npm_config_cache: path.join(workDir, 'npm-cache'), npm_config_update_notifier: 'false' };

      const packDir = path.join(workDir, 'pack');
      fs.mkdirSync(packDir);
      const pack = run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: REPO_ROOT, env });
      const [summary] = JSON.parse(pack.stdout);
      tarball = path.join(packDir, summary.filename);
      packedFiles = summary.files.map((file) => file.path);

      npmApp = createApp(workDir, 'npm-app');
      run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: npmApp, env });
      fs.writeFileSync(path.join(npmApp, 'check.cjs'), commonJsScript());
      fs.writeFileSync(path.join(npmApp, 'check.mjs'), esModuleScript());

      bunApp = createApp(workDir, 'bun-app');
      const bunEnv = { ...env, BUN_INSTALL_CACHE_DIR: path.join(workDir, 'bun-cache') };
      run(BUN_PATH, ['add', tarball], { cwd: bunApp, env: bunEnv });
      fs.writeFileSync(path.join(bunApp, 'check.cjs'), commonJsScript());
    },
    { timeout: SETUP_TIMEOUT_MS },
  );

  after(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('tarball contains the runtime files', () => {
    for (const file of REQUIRED_FILES) assert.ok(packedFiles.includes(file), `${file} is not packed: ${packedFiles}`);
    assert.ok(
      packedFiles.some((file) => /^perf-sentinel\..+\.node$/.test(file)),
      `no native addon is packed: ${packedFiles}`,
    );
  });

  test('tarball leaves out tests and Rust sources', () => {
    const forbidden = packedFiles.filter((file) => FORBIDDEN_PATH.test(file));
    assert.deepEqual(forbidden, []);
  });

  test('npm install puts the package in node_modules', () => {
    const installed = path.join(npmApp, 'node_modules', 'perf-sentinel');
    assert.ok(fs.existsSync(path.join(installed, 'package.json')));
    assert.ok(findInstalledAddon(installed), 'the installed package has no .node file');
  });

  test('CommonJS script passes under Node', () => {
    runAppScript(NODE_PATH, npmApp, 'check.cjs');
  });

  test('ES module script passes under Node', () => {
    runAppScript(NODE_PATH, npmApp, 'check.mjs');
  });

  test('CommonJS script passes under Bun', () => {
    runAppScript(BUN_PATH, npmApp, 'check.cjs');
  });

  test('ES module script passes under Bun', () => {
    runAppScript(BUN_PATH, npmApp, 'check.mjs');
  });

  test('bun add install passes under Bun', () => {
    assert.ok(findInstalledAddon(path.join(bunApp, 'node_modules', 'perf-sentinel')), 'bun add installed no .node file');
    runAppScript(BUN_PATH, bunApp, 'check.cjs');
  });
});

function findInstalledAddon(packageDir) {
  if (!fs.existsSync(packageDir)) return false;
  return fs.readdirSync(packageDir).some((name) => name.endsWith('.node'));
}
