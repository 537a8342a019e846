'use strict';

// The Prometheus export: metricsText() contents, promtool's verdict on the
// output, the HTTP handler, and a real Prometheus server scraping the handler
// on 127.0.0.1 and returning the series through its query API.

const { describe, test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const express = require('express');

const { PerformanceMonitor, PerformanceMonitoringService, createMetricsHandler } = require('..');
const { PROMETHEUS_CONTENT_TYPE } = require('../lib/prometheus');

const PROMETHEUS_WAIT_MS = 40_000;
const POLL_MS = 250;
const REQUEST_TIMEOUT_MS = 5_000;

function hasCommand(command) {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return probe.error === undefined && probe.status === 0;
}

const promtoolMissing = !hasCommand('promtool') && 'promtool not found (Debian package prometheus)';
const prometheusMissing = !hasCommand('prometheus') && 'prometheus not found (Debian package prometheus)';

/** Returns the sample lines of `text` as a Map from series (name and labels) to value text. */
function samplesOf(text) {
  const samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), line.slice(space + 1));
  }
  return samples;
}

function quietMonitor(options = {}) {
  return new PerformanceMonitor({ defaultThresholds: false, ...options });
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function closeServer(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function freePort() {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function get(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `probe` every POLL_MS until it returns a value other than undefined, or fails after `ms`. */
async function waitFor(description, ms, probe) {
  const deadline = Date.now() + ms;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(POLL_MS);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${description}${lastError ? `: ${lastError.message}` : ''}`);
}

describe('metricsText', () => {
  test('returns a promise', async () => {
    const pending = quietMonitor().metricsText();
    assert.ok(pending instanceof Promise);
    assert.equal(typeof (await pending), 'string');
  });

  test('summaries in base units', async () => {
    const monitor = quietMonitor();
    for (const ms of [100, 200, 300, 400, 500]) monitor.recordMetric('response_time', ms, 'ms');
    monitor.recordMetric('memory_usage', 2, 'MB');
    monitor.recordMetric('heap', 512, 'bytes');
    monitor.recordMetric('cpu_usage', 42, '%');

    const text = await monitor.metricsText();
    const samples = samplesOf(text);

    assert.match(text, /^# TYPE perf_sentinel_response_time_seconds summary$/m);
    assert.match(text, /^# HELP perf_sentinel_response_time_seconds .*"response_time" \(recorded in ms\)/m);
    assert.equal(samples.get('perf_sentinel_response_time_seconds{quantile="0.5"}'), '0.3');
    assert.equal(Number(samples.get('perf_sentinel_response_time_seconds{quantile="0.9"}')), 0.46);
    assert.equal(samples.get('perf_sentinel_response_time_seconds_sum'), '1.5');
    assert.equal(samples.get('perf_sentinel_response_time_seconds_count'), '5');
    assert.equal(Number(samples.get('perf_sentinel_memory_usage_bytes_sum')), 2 * 1048576);
    assert.equal(Number(samples.get('perf_sentinel_heap_bytes_sum')), 512);
    assert.equal(Number(samples.get('perf_sentinel_cpu_usage_sum')), 42);
  });

  test('sum and count outlive the window', async () => {
    const monitor = quietMonitor({ maxSamples: 4 });
    for (let value = 1; value <= 12; value++) monitor.recordMetric('queue_depth', value, 'jobs');

    const samples = samplesOf(await monitor.metricsText());

    assert.equal(samples.get('perf_sentinel_queue_depth_count'), '12');
    assert.equal(Number(samples.get('perf_sentinel_queue_depth_sum')), 78);
    // The window contains 9, 10, 11, 12.
    assert.equal(Number(samples.get('perf_sentinel_queue_depth{quantile="0.5"}')), 10.5);
  });

  test('alert gauge by type and severity', async () => {
    const monitor = quietMonitor();
    monitor.setThreshold('latency "p"', 100, 'ms');
    monitor.recordMetric('latency "p"', 120, 'ms');
    monitor.recordMetric('latency "p"', 130, 'ms');
    monitor.recordMetric('latency "p"', 400, 'ms');

    const samples = samplesOf(await monitor.metricsText());

    assert.equal(samples.get('perf_sentinel_recent_alerts{metric="latency \\"p\\"",type="threshold",severity="warning"}'), '2');
    assert.equal(samples.get('perf_sentinel_recent_alerts{metric="latency \\"p\\"",type="threshold",severity="critical"}'), '1');
  });

  test('prefix and includeAlerts options', async () => {
    const monitor = quietMonitor();
    monitor.recordMetric('jobs', 1, '');

    const text = await monitor.metricsText({ prefix: 'app_', includeAlerts: false });

    assert.match(text, /^# TYPE app_jobs summary$/m);
    assert.doesNotMatch(text, /perf_sentinel_/);
    assert.doesNotMatch(text, /recent_alerts/);
  });

  test('invalid options reject', async () => {
    const monitor = quietMonitor();
    await assert.rejects(monitor.metricsText({ prefix: 'bad-prefix' }), (error) => {
      assert.ok(error instanceof RangeError, `${error.name}: ${error.message}`);
      assert.match(error.message, /prefix.*"bad-prefix"/);
      return true;
    });
    await assert.rejects(monitor.metricsText('perf_'), TypeError);
    await assert.rejects(monitor.metricsText({ prefix: 7 }), /options\.prefix must be a string, received 7/);
    await assert.rejects(monitor.metricsText({ includeAlerts: 'yes' }), /options\.includeAlerts must be a boolean/);
  });

  test('service monitor has metricsText', async () => {
    const service = new PerformanceMonitoringService();
    try {
      service.recordMetric('response_time', 12, 'ms');
      const samples = samplesOf(await service.getPerformanceMonitor().metricsText());
      assert.equal(samples.get('perf_sentinel_response_time_seconds_count'), '1');
    } finally {
      await service.cleanup();
    }
  });

  test('promtool accepts the output', { skip: promtoolMissing, timeout: 30_000 }, async () => {
    const monitor = new PerformanceMonitor({ maxSamples: 50 });
    const names = ['response_time', 'memory_usage', 'cpu_usage', 'GET /api/rooms/:id', 'say "hi"\\\nnow', '9lives', 'größe', 'queue.depth', 'queue-depth', 'queue_depth_count'];
    for (const [index, name] of names.entries()) {
      for (let i = 0; i < 60; i++) monitor.recordMetric(name, 10 + ((i * 37 + index) % 97), index % 2 ? 'ms' : 'MB');
    }
    monitor.setThreshold('say "hi"\\\nnow', 20, 'ms');
    monitor.recordMetric('say "hi"\\\nnow', 500, 'ms');
    const text = await monitor.metricsText();

    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });

    assert.equal(check.error, undefined, String(check.error));
    assert.equal(check.status, 0, `promtool:\n${check.stdout}${check.stderr}\ninput:\n${text}`);
    assert.equal(`${check.stdout}${check.stderr}`.trim(), '', 'promtool printed lint findings');
    assert.equal(text.match(/^# TYPE /gm).length, names.length + 1);
  });
});

describe('createMetricsHandler', () => {
  test('rejects other arguments', () => {
    assert.throws(() => createMetricsHandler({}), TypeError);
    assert.throws(() => createMetricsHandler(null), TypeError);
    assert.throws(() => createMetricsHandler(quietMonitor(), { prefix: '1x' }), RangeError);
    assert.throws(() => createMetricsHandler(quietMonitor(), { includeAlerts: 1 }), TypeError);
  });

  test('Express route serves the exposition', { timeout: 20_000 }, async () => {
    const service = new PerformanceMonitoringService();
    const app = express();
    app.get('/metrics', createMetricsHandler(service));
    const server = http.createServer(app);
    const port = await listen(server);
    try {
      service.recordMetric('response_time', 40, 'ms');
      service.recordMetric('response_time', 60, 'ms');

      const response = await get(`http://127.0.0.1:${port}/metrics`);

      assert.equal(response.status, 200);
      assert.equal(response.contentType, PROMETHEUS_CONTENT_TYPE);
      assert.equal(response.contentType, 'text/plain; version=0.0.4; charset=utf-8');
      const samples = samplesOf(response.body);
      assert.equal(samples.get('perf_sentinel_response_time_seconds_count'), '2');
      assert.equal(Number(samples.get('perf_sentinel_response_time_seconds_sum')), 0.1);
    } finally {
      await closeServer(server);
      await service.cleanup();
    }
  });

  test('plain node:http handler', { timeout: 20_000 }, async () => {
    const monitor = quietMonitor();
    monitor.recordMetric('jobs', 3, '');
    const server = http.createServer(createMetricsHandler(monitor, { prefix: 'worker_' }));
    const port = await listen(server);
    try {
      const response = await get(`http://127.0.0.1:${port}/`);
      assert.equal(response.status, 200);
      assert.equal(samplesOf(response.body).get('worker_jobs_count'), '1');
    } finally {
      await closeServer(server);
    }
  });
});

describe('Prometheus server', () => {
  let prometheus;
  let server;
  let workDir;

  async function stopPrometheus() {
    if (prometheus === undefined || prometheus.exitCode !== null || prometheus.signalCode !== null) return;
    const exited = new Promise((resolve) => prometheus.once('exit', resolve));
    process.kill(prometheus.pid, 'SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!stopped) {
      process.kill(prometheus.pid, 'SIGKILL');
      await exited;
    }
  }

  after(async () => {
    await stopPrometheus();
    if (server) await closeServer(server);
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('scrapes the handler', { skip: prometheusMissing, timeout: 2 * PROMETHEUS_WAIT_MS + 20_000 }, async () => {
    const monitor = quietMonitor();
    for (let i = 0; i < 20; i++) monitor.recordMetric('response_time', 50 + i, 'ms');
    const app = express();
    app.get('/metrics', createMetricsHandler(monitor));
    server = http.createServer(app);
    const targetPort = await listen(server);

    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-prometheus-'));
    const configPath = path.join(workDir, 'prometheus.yml');
    fs.writeFileSync(
      configPath,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: perf-sentinel',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${targetPort}']`,
        '',
      ].join('\n'),
    );
    const prometheusPort = await freePort();
    let log = '';
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${path.join(workDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keepLog = (chunk) => {
      log = (log + chunk).slice(-8192);
    };
    prometheus.stdout.on('data', keepLog);
    prometheus.stderr.on('data', keepLog);
    const base = `http://127.0.0.1:${prometheusPort}`;

    const query = async (expression) => {
      const response = await get(`${base}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const body = JSON.parse(response.body);
      if (body.status !== 'success' || body.data.result.length === 0) return undefined;
      return body.data.result;
    };
    const valueOf = async (expression, expected) => {
      const result = await query(expression);
      if (result === undefined || result[0].value[1] !== expected) return undefined;
      return result;
    };

    try {
      await waitFor('Prometheus to become ready', PROMETHEUS_WAIT_MS, async () => {
        if (prometheus.exitCode !== null) throw new Error(`prometheus exited with ${prometheus.exitCode}: ${log}`);
        return (await get(`${base}/-/ready`)).status === 200 ? true : undefined;
      });

      const first = await waitFor('the first scrape', PROMETHEUS_WAIT_MS, () =>
        valueOf('perf_sentinel_response_time_seconds_count', '20'),
      );
      assert.equal(first[0].metric.job, 'perf-sentinel');
      assert.equal(first[0].metric.instance, `127.0.0.1:${targetPort}`);

      const median = await query('perf_sentinel_response_time_seconds{quantile="0.5"}');
      assert.equal(Number(median[0].value[1]), 0.0595);

      // Samples recorded after the first scrape reach Prometheus with the next ones.
      for (let i = 0; i < 5; i++) monitor.recordMetric('response_time', 70, 'ms');
      await waitFor('a later scrape', PROMETHEUS_WAIT_MS, () => valueOf('perf_sentinel_response_time_seconds_count', '25'));

      const up = await query('up{job="perf-sentinel"}');
      assert.equal(up[0].value[1], '1', log);
    } finally {
      await stopPrometheus();
    }
    assert.notEqual(prometheus.exitCode ?? prometheus.signalCode, null);
  });
});
