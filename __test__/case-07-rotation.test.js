'use strict';

// Field case: rotating logs have dropped the line written at the moment of
// rotation, checked the size before the write and so grown past the limit,
// and counted the live file among the kept files. Here the live file plus
// `maxFiles` rotated files (`<logPath>.1` newest) must hold every line once,
// whole, and no file may exceed `maxFileSize` unless it holds one line
// longer than the limit.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { PerformanceMonitoringService } = require('perf-sentinel');
const { makeTempDir } = require('./helpers/delivery');

/** Builds a service that writes alerts only to the file channel at `logPath`. */
function fileService(file) {
  return new PerformanceMonitoringService({
    alerting: { console: { enabled: false }, file: { enabled: true, ...file } },
    monitoring: { alertCooldownPeriod: 0 },
  });
}

/** Raises one threshold violation on each of `count` distinct metrics. */
function raiseDistinctAlerts(service, count) {
  const monitor = service.getPerformanceMonitor();
  for (let i = 0; i < count; i++) {
    const name = `rotation_metric_${i}`;
    monitor.setThreshold(name, 10, 'ms');
    service.recordMetric(name, 100, 'ms');
  }
}

/** Reads the rotated files oldest first, then the live file. */
function readLog(logPath) {
  const base = path.basename(logPath);
  const rotated = fs
    .readdirSync(path.dirname(logPath))
    .map((name) => ({ name, index: Number(name.slice(base.length + 1)) }))
    .filter(({ name, index }) => name.startsWith(`${base}.`) && Number.isInteger(index) && index > 0)
    .sort((a, b) => b.index - a.index)
    .map(({ name }) => path.join(path.dirname(logPath), name));
  const files = [...rotated, logPath].map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));
  const lines = [];
  for (const { text } of files) {
    assert.ok(text.endsWith('\n'), 'a file ends inside a line');
    for (const line of text.slice(0, -1).split('\n')) lines.push(JSON.parse(line));
  }
  return { files, lines, rotatedCount: rotated.length };
}

/** Returns `metricName|type` for a log line. */
function keyOf(line) {
  return `${line.metricName}|${line.type}`;
}

test('rotation keeps every alert exactly once', async () => {
  const dir = makeTempDir('case07');
  const logPath = path.join(dir, 'logs', 'alerts.log');
  const service = fileService({ logPath, maxFileSize: 1024, maxFiles: 1000 });
  try {
    raiseDistinctAlerts(service, 500);
    assert.equal(await service.stop(), true);

    const { files, lines } = readLog(logPath);
    // Each violation is logged as a 'threshold' alert and as the detector's
    // 'regression_test' alert.
    assert.equal(lines.length, 1000);
    const keys = lines.map(keyOf);
    assert.equal(new Set(keys).size, 1000, 'a line appears twice');
    for (let i = 0; i < 500; i++) {
      assert.ok(keys.includes(`rotation_metric_${i}|threshold`), `threshold alert ${i} missing`);
      assert.ok(keys.includes(`rotation_metric_${i}|regression_test`), `regression_test alert ${i} missing`);
    }
    const thresholdOrder = lines.filter((line) => line.type === 'threshold').map((line) => line.metricName);
    assert.deepEqual(thresholdOrder, Array.from({ length: 500 }, (_, i) => `rotation_metric_${i}`));

    for (const { file, text } of files) {
      assert.ok(Buffer.byteLength(text) <= 1024, `${file} has ${Buffer.byteLength(text)} bytes`);
    }
    assert.ok(files.length > 100, `only ${files.length} files: rotation did not happen`);

    const sample = lines[0];
    assert.equal(typeof sample.id, 'string');
    assert.equal(typeof sample.message, 'string');
    assert.equal(sample.severity, 'critical');
    assert.equal(sample.currentValue, 100);
    assert.equal(sample.threshold, 10);

    const stats = service.getDeliveryStats().find((entry) => entry.channel === 'file');
    assert.equal(stats.sent, 1000);
    assert.equal(stats.failed, 0);
    assert.equal(stats.dropped, 0);
  } finally {
    await service.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('default keeps five rotated files besides the live one', async () => {
  const dir = makeTempDir('case07-keep');
  const logPath = path.join(dir, 'alerts.log');
  const service = fileService({ logPath, maxFileSize: 1024 });
  try {
    raiseDistinctAlerts(service, 100);
    assert.equal(await service.stop(), true);

    const { lines, rotatedCount } = readLog(logPath);
    assert.equal(rotatedCount, 5);
    assert.ok(!fs.existsSync(`${logPath}.6`));
    // What is kept is the newest lines, without a gap, ending with the last alert.
    const indexes = lines.map((line) => Number(line.metricName.split('_').pop()));
    assert.equal(indexes[indexes.length - 1], 99);
    for (let i = 1; i < indexes.length; i++) {
      assert.ok(indexes[i] - indexes[i - 1] <= 1 && indexes[i] >= indexes[i - 1], `gap at line ${i}`);
    }
  } finally {
    await service.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('line longer than the limit goes alone into a file', async () => {
  const dir = makeTempDir('case07-long');
  const logPath = path.join(dir, 'alerts.log');
  const service = fileService({ logPath, maxFileSize: 100, maxFiles: 100 });
  try {
    raiseDistinctAlerts(service, 10);
    assert.equal(await service.stop(), true);

    const { files, lines } = readLog(logPath);
    assert.equal(lines.length, 20);
    assert.equal(files.length, 20);
    for (const { file, text } of files) {
      assert.equal(text.split('\n').length, 2, `${file} holds more than one line`);
      assert.ok(Buffer.byteLength(text) > 100);
    }
  } finally {
    await service.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
