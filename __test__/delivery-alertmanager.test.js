'use strict';

// Alertmanager channel against a real Alertmanager (Debian package
// prometheus-alertmanager) that the test starts on 127.0.0.1 without
// clustering, and stops by its process id.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const { PerformanceMonitoringService } = require('perf-sentinel');
const { QUIET, freePort, makeTempDir, waitFor } = require('./helpers/delivery');

const BINARY = ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/prometheus-alertmanager', '/usr/bin/alertmanager']
  .find((candidate) => fs.existsSync(candidate));
const SKIP = BINARY === undefined
  ? 'prometheus-alertmanager is not installed (apt-get install -y prometheus-alertmanager)'
  : false;
const METRIC = 'alertmanager_latency';

let alertmanager = null;
let baseUrl = null;
let dir = null;
let output = '';

before(async () => {
  if (SKIP) return;
  dir = makeTempDir('alertmanager');
  const configFile = path.join(dir, 'alertmanager.yml');
  fs.writeFileSync(configFile, 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  alertmanager = spawn(BINARY, [
    `--config.file=${configFile}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  alertmanager.stdout.on('data', (chunk) => (output += chunk));
  alertmanager.stderr.on('data', (chunk) => (output += chunk));

  let ready = false;
  const deadline = Date.now() + 20000;
  while (!ready && Date.now() < deadline && alertmanager.exitCode === null) {
    try {
      ready = (await fetch(`${baseUrl}/-/ready`)).ok;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  assert.ok(ready, `Alertmanager did not become ready:\n${output}`);
});

after(async () => {
  if (alertmanager !== null && alertmanager.exitCode === null) {
    const exited = new Promise((resolve) => alertmanager.once('exit', resolve));
    process.kill(alertmanager.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (alertmanager.exitCode === null) process.kill(alertmanager.pid, 'SIGKILL');
  }
  if (dir !== null) fs.rmSync(dir, { recursive: true, force: true });
});

async function listAlerts() {
  const response = await fetch(`${baseUrl}/api/v2/alerts`);
  assert.equal(response.status, 200);
  return response.json();
}

test('alert posted through the service is listed', { skip: SKIP }, async () => {
  const service = new PerformanceMonitoringService({
    alerting: {
      ...QUIET,
      alertmanager: {
        enabled: true,
        url: baseUrl,
        instance: 'test-node-1',
        labels: { team: 'games' },
        annotations: { runbook: 'https://runbooks.example.test/latency' },
        resolveTimeoutMs: 600000,
      },
    },
    monitoring: { alertCooldownPeriod: 0 },
  });
  try {
    service.getPerformanceMonitor().setThreshold(METRIC, 100, 'ms');
    service.recordMetric(METRIC, 200, 'ms');
    assert.equal(await service.stop(), true);

    const stats = service.getDeliveryStats().find((entry) => entry.channel === 'alertmanager');
    assert.equal(stats.sent, 2);
    assert.equal(stats.failed, 0);

    const alerts = (await listAlerts()).filter((alert) => alert.labels.metric === METRIC);
    const names = alerts.map((alert) => alert.labels.alertname).sort();
    assert.deepEqual(names, ['PerfSentinelRegressionTest', 'PerfSentinelThreshold']);

    const threshold = alerts.find((alert) => alert.labels.alertname === 'PerfSentinelThreshold');
    assert.equal(threshold.labels.severity, 'critical');
    assert.equal(threshold.labels.instance, 'test-node-1');
    assert.equal(threshold.labels.type, 'threshold');
    assert.equal(threshold.labels.team, 'games');
    assert.match(threshold.annotations.summary, new RegExp(METRIC));
    assert.match(threshold.annotations.description, /current 200, previous 100, threshold 100/);
    assert.match(threshold.annotations.alertId, /^[0-9a-f-]{36}$/);
    assert.equal(threshold.annotations.runbook, 'https://runbooks.example.test/latency');
    assert.equal(threshold.status.state, 'active');
    const startsAt = Date.parse(threshold.startsAt);
    const endsAt = Date.parse(threshold.endsAt);
    assert.ok(Math.abs(startsAt - Date.now()) < 60000, `startsAt ${threshold.startsAt}`);
    assert.ok(endsAt - startsAt >= 590000, `endsAt ${threshold.endsAt} is not about 10 minutes later`);
  } finally {
    await service.cleanup();
  }
});

test('unreachable Alertmanager is reported', { skip: SKIP }, async () => {
  const port = await freePort();
  const service = new PerformanceMonitoringService({
    alerting: {
      ...QUIET,
      alertmanager: { enabled: true, url: `http://127.0.0.1:${port}`, retries: 1, backoffMs: 10 },
    },
    monitoring: { alertCooldownPeriod: 0 },
  });
  const failures = [];
  service.on('deliveryError', (event) => failures.push(event));
  try {
    service.getPerformanceMonitor().setThreshold(METRIC, 100, 'ms');
    service.recordMetric(METRIC, 200, 'ms');
    assert.equal(await service.stop(), true);
    assert.ok(await waitFor(() => failures.length === 2));
    for (const failure of failures) {
      assert.equal(failure.channel, 'alertmanager');
      assert.equal(failure.attempts, 2);
    }
  } finally {
    await service.cleanup();
  }
});
