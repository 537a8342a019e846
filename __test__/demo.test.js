'use strict';

// Runs examples/demo in a child process with a short traffic phase. The
// checks are what a user of `npm run demo` relies on: the process exits by
// itself with status 0 and prints every summary section. It also leaves a
// parseable report, a JSON-lines alert log and webhook deliveries behind.

const { describe, test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DEMO_PATH = path.join(__dirname, '..', 'examples', 'demo', 'index.js');
const DEMO_SECONDS = '3';
const RUN_TIMEOUT_MS = 55_000;

const SUMMARY_SECTIONS = [
  'HTTP load (autocannon)',
  'Socket.IO clients',
  'Metrics',
  'Alerts (',
  'Webhook receiver',
  'Recommendations',
  'Files',
];

describe('npm run demo', () => {
  let outDir;
  let run;
  let report;

  after(() => {
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  // The run happens inside this test, not a before() hook, because Bun's
  // node:test hooks accept no timeout option and default to 5 s.
  test('exits by itself with status 0', { timeout: RUN_TIMEOUT_MS + 5_000 }, () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-demo-'));
    run = spawnSync(process.execPath, [DEMO_PATH], {
      cwd: outDir,
      env: { ...process.env, PERF_DEMO_SECONDS: DEMO_SECONDS, PERF_DEMO_OUT: outDir },
      encoding: 'utf8',
      timeout: RUN_TIMEOUT_MS,
    });

    const reportPath = path.join(outDir, 'report.json');
    if (fs.existsSync(reportPath)) report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));

    const output = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
    assert.equal(run.error, undefined, `spawn failed or timed out: ${run.error}\n${output}`);
    assert.equal(run.signal, null, output);
    assert.equal(run.status, 0, output);
  });

  test('prints every summary section', () => {
    for (const section of SUMMARY_SECTIONS) {
      assert.ok(run.stdout.includes(`\n${section}`), `missing section "${section}" in:\n${run.stdout}`);
    }
  });

  test('summary table lists HTTP and socket metrics', () => {
    for (const metric of ['http_response_time', 'response_time', 'websocket_emit_time', 'websocket_latency']) {
      assert.match(run.stdout, new RegExp(`^${metric}\\s+ms\\s+\\d+`, 'm'), `no row for ${metric}`);
    }
  });

  test('prints the paths of the report and alert log', () => {
    assert.ok(run.stdout.includes(path.join(outDir, 'report.json')), run.stdout);
    assert.ok(run.stdout.includes(path.join(outDir, 'alerts.log')), run.stdout);
  });

  test('report.json has the service report fields', () => {
    assert.ok(report, 'report.json is missing');
    assert.equal(typeof report.summary, 'object');
    assert.equal(typeof report.summary.totalMetrics, 'number');
    assert.ok(Array.isArray(report.metrics.responseTime), 'metrics.responseTime is not an array');
    assert.ok(report.metrics.responseTime.length > 0, 'metrics.responseTime is empty');
    assert.ok(Array.isArray(report.recommendations), 'recommendations is not an array');
    assert.ok(Array.isArray(report.regressions), 'regressions is not an array');
  });

  test('report.json has the per-metric summary', () => {
    assert.ok(Array.isArray(report.metricSummary), 'metricSummary is not an array');
    const http = report.metricSummary.find((row) => row.name === 'http_response_time');
    assert.ok(http, 'no http_response_time row');
    assert.ok(http.recorded > 0);
    for (const field of ['mean', 'p50', 'p95', 'p99']) {
      assert.equal(typeof http[field], 'number', `http_response_time.${field}`);
    }
    assert.ok(http.p50 <= http.p95, `p50 ${http.p50} > p95 ${http.p95}`);
    assert.ok(http.p95 <= http.p99, `p95 ${http.p95} > p99 ${http.p99}`);
  });

  test('slower join handler raises a response_time threshold alert', () => {
    const alerted = report.demo.alertedMetrics.find(
      (row) => row.metric === 'response_time' && row.type === 'threshold',
    );
    assert.ok(alerted, `no response_time threshold alert in ${JSON.stringify(report.demo.alertedMetrics)}`);
  });

  test('webhook receiver got alerts', () => {
    assert.ok(report.webhook.received >= 1, `received ${report.webhook.received} requests`);
    assert.ok(report.webhook.alerts >= 1, `received ${report.webhook.alerts} alerts`);
    assert.equal(report.webhook.invalid, 0, 'a webhook body was not valid JSON');
  });

  test('alert log contains whole JSON lines', () => {
    const text = fs.readFileSync(path.join(outDir, 'alerts.log'), 'utf8');
    const lines = text.split('\n').filter((line) => line !== '');
    assert.ok(lines.length >= 1, 'alert log is empty');
    assert.ok(text.endsWith('\n'), 'alert log ends inside a line');
    for (const line of lines) {
      assert.doesNotThrow(() => JSON.parse(line), `not a JSON line: ${line}`);
    }
  });
});
