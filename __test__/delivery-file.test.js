'use strict';

// File channel shared by two services: every line stays whole and appears
// once, and rotation stays within the size limit.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { PerformanceMonitoringService } = require('perf-sentinel');
const { makeTempDir } = require('./helpers/delivery');

function fileService(logPath) {
  return new PerformanceMonitoringService({
    alerting: { console: { enabled: false }, file: { enabled: true, logPath, maxFileSize: 4096, maxFiles: 1000 } },
    monitoring: { alertCooldownPeriod: 0 },
  });
}

test('two services share one log path', async () => {
  const dir = makeTempDir('shared-log');
  const logPath = path.join(dir, 'alerts.log');
  const services = [fileService(logPath), fileService(logPath)];
  try {
    for (let i = 0; i < 300; i++) {
      for (const [index, service] of services.entries()) {
        // Names of varied length make lines of varied length.
        const name = `shared_${index}_${i}_${'x'.repeat(i % 97)}`;
        service.getPerformanceMonitor().setThreshold(name, 1, 'ms');
        service.recordMetric(name, 5, 'ms');
      }
    }
    const drained = await Promise.all(services.map((service) => service.stop()));
    assert.deepEqual(drained, [true, true]);

    const files = fs.readdirSync(dir).filter((name) => name === 'alerts.log' || /^alerts\.log\.\d+$/.test(name));
    const keys = new Set();
    let lines = 0;
    for (const name of files) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      assert.ok(Buffer.byteLength(text) <= 4096, `${name} has ${Buffer.byteLength(text)} bytes`);
      assert.ok(text.endsWith('\n'), `${name} ends inside a line`);
      for (const line of text.slice(0, -1).split('\n')) {
        const record = JSON.parse(line);
        keys.add(`${record.metricName}|${record.type}`);
        lines++;
      }
    }
    // Each violation is logged as 'threshold' and as 'regression_test'.
    assert.equal(lines, 2 * 2 * 300);
    assert.equal(keys.size, lines, 'a line was written twice');
  } finally {
    await Promise.all(services.map((service) => service.cleanup()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
