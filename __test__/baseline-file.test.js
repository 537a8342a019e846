'use strict';

// saveBaseline / loadBaseline / readBaselineFile: the file format and its
// metadata, atomic writes, loading samples into the next version's monitor
// (so its regressions are judged against the saved baselines), merging,
// thresholds, environment warnings and invalid files.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { PerformanceMonitor } = require('../lib/monitor');
const { saveBaseline, loadBaseline, readBaselineFile, describeEnvironment } = require('../lib/baseline-file');

let directory;
before(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-baseline-'));
});
after(() => {
  fs.rmSync(directory, { recursive: true, force: true });
});

function file(name) {
  return path.join(directory, name);
}

function monitorWith(name, values) {
  const monitor = new PerformanceMonitor();
  for (const value of values) monitor.recordMetric(name, value, 'ms', { source: 'test' });
  return monitor;
}

/** Collects the process warnings emitted while `action` runs. */
async function captureWarnings(action) {
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning);
  process.on('warning', onWarning);
  try {
    const value = await action();
    await new Promise((resolve) => setImmediate(resolve));
    return { value, warnings };
  } finally {
    process.off('warning', onWarning);
  }
}

/** Rewrites fields of a saved file's metadata. */
function editFile(filePath, changes) {
  const content = JSON.parse(fs.readFileSync(filePath, 'utf8'));
  fs.writeFileSync(filePath, JSON.stringify({ ...content, ...changes }));
}

const STEADY = [10, 11, 9, 10, 10.5, 9.5, 10, 11, 9, 10, 10.2, 9.8];

describe('saveBaseline', () => {
  test('writes metadata and the export', async () => {
    const monitor = monitorWith('api_ms', STEADY);
    const target = file('save.json');
    const before = Date.now();
    const metadata = await saveBaseline(monitor, target);

    const content = JSON.parse(fs.readFileSync(target, 'utf8'));
    assert.equal(content.format, 'perf-sentinel-baseline');
    assert.equal(content.version, 1);
    assert.ok(content.savedAt >= before, `savedAt ${content.savedAt}`);
    assert.ok(content.savedAt <= Date.now(), `savedAt ${content.savedAt}`);
    assert.equal(content.runtime, process.versions.bun ? 'bun' : 'node');
    assert.equal(content.runtimeVersion, process.versions.bun ?? process.versions.node);
    assert.equal(content.platform, process.platform);
    assert.equal(content.arch, process.arch);
    assert.equal(content.cpuModel, describeEnvironment().cpuModel);
    assert.equal(content.packageVersion, require('../package.json').version);
    assert.equal(content.data.metrics.api_ms.length, STEADY.length);
    assert.deepEqual(content.data.metrics.api_ms[0].context, { source: 'test' });
    assert.equal(content.data.baselines.api_ms.sampleCount, STEADY.length);

    const { data, ...written } = content;
    assert.deepEqual(metadata, written);
    assert.ok(data.thresholds.response_time, 'thresholds are saved too');
    monitor.cleanup();
  });

  test('leaves no temporary files', async () => {
    const monitor = monitorWith('a', [1, 2, 3]);
    const target = file('clean.json');
    await saveBaseline(monitor, target);
    await saveBaseline(monitor, target);
    const leftovers = fs.readdirSync(directory).filter((name) => name.includes('clean.json') && name !== 'clean.json');
    assert.deepEqual(leftovers, []);
    monitor.cleanup();
  });

  test('readers never see a partial file', async () => {
    const monitor = monitorWith('big', Array.from({ length: 1000 }, (_, i) => i % 97));
    const target = file('concurrent.json');
    await saveBaseline(monitor, target);

    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const content = JSON.parse(await fs.promises.readFile(target, 'utf8'));
        assert.equal(content.data.metrics.big.length, 1000);
        reads++;
      }
    })();
    await Promise.all(Array.from({ length: 20 }, () => saveBaseline(monitor, target)));
    writing = false;
    await reader;
    assert.ok(reads > 0);
    monitor.cleanup();
  });

  test('failed write rejects and leaves nothing', async () => {
    const monitor = monitorWith('a', [1]);
    const target = path.join(directory, 'missing-directory', 'baseline.json');
    await assert.rejects(saveBaseline(monitor, target), { code: 'ENOENT' });
    assert.equal(fs.existsSync(path.dirname(target)), false);
    monitor.cleanup();
  });

  test('argument checks', async () => {
    await assert.rejects(saveBaseline({}, file('x.json')), {
      name: 'TypeError',
      message: 'saveBaseline: monitor must be a PerformanceMonitor (with exportMetrics), received an object',
    });
    await assert.rejects(saveBaseline(new PerformanceMonitor(), ''), {
      name: 'TypeError',
      message: 'saveBaseline: path must be a non-empty string, received ""',
    });
  });
});

describe('loadBaseline', () => {
  test('round trip restores samples and baselines', async () => {
    const saved = monitorWith('api_ms', STEADY);
    const target = file('roundtrip.json');
    await saveBaseline(saved, target);

    const next = new PerformanceMonitor();
    const { value: result, warnings } = await captureWarnings(() => loadBaseline(next, target));
    assert.equal(result.format, 'perf-sentinel-baseline');
    assert.equal(result.runtime, process.versions.bun ? 'bun' : 'node');
    assert.deepEqual(result.mismatchedEnvironment, []);
    assert.deepEqual(result.metricNames, ['api_ms']);
    assert.deepEqual(warnings.filter((warning) => warning.code === 'PERF_SENTINEL_BASELINE_ENVIRONMENT'), []);

    const before = saved.getBaseline('api_ms');
    const after = next.getBaseline('api_ms');
    assert.equal(after.sampleCount, before.sampleCount);
    assert.equal(after.averageValue, before.averageValue);
    assert.equal(after.standardDeviation, before.standardDeviation);
    assert.deepEqual(
      next.getMetrics('api_ms').map((metric) => metric.value),
      STEADY,
    );
    saved.cleanup();
    next.cleanup();
  });

  test('next version is judged against the saved baseline', async () => {
    const target = file('judged.json');
    const lastVersion = monitorWith('checkout_ms', STEADY);
    await saveBaseline(lastVersion, target);
    lastVersion.cleanup();

    const nextVersion = new PerformanceMonitor();
    await loadBaseline(nextVersion, target);
    const alerts = [];
    nextVersion.on('regressionDetected', (alert) => alerts.push(alert));
    nextVersion.recordMetric('checkout_ms', 20, 'ms');

    assert.equal(alerts.length, 1, 'the first slow sample of the new version is a regression');
    assert.equal(alerts[0].metricName, 'checkout_ms');
    assert.ok(Math.abs(alerts[0].previousValue - 10.769) < 0.01, `baseline mean ${alerts[0].previousValue}`);
    nextVersion.cleanup();
  });

  test('merges with samples already recorded', async () => {
    const target = file('merge.json');
    const saved = new PerformanceMonitor();
    saved.recordMetric('shared', 1, 'ms');
    saved.recordMetric('only_saved', 5, 'ms');
    await saveBaseline(saved, target);
    saved.cleanup();

    await new Promise((resolve) => setTimeout(resolve, 5));
    const next = new PerformanceMonitor();
    next.recordMetric('shared', 2, 'ms');
    next.recordMetric('only_new', 7, 'ms');
    await loadBaseline(next, target);

    assert.deepEqual(
      next.getMetrics('shared').map((metric) => metric.value),
      [1, 2],
    );
    assert.equal(next.getMetrics('only_saved').length, 1);
    assert.equal(next.getMetrics('only_new').length, 1);
    next.cleanup();
  });

  test('keeps thresholds unless asked', async () => {
    const target = file('thresholds.json');
    const saved = new PerformanceMonitor();
    saved.setThreshold('response_time', 500, 'ms');
    saved.setThreshold('only_in_file', 3, 'ms');
    await saveBaseline(saved, target);
    saved.cleanup();

    const kept = new PerformanceMonitor();
    kept.setThreshold('response_time', 80, 'ms');
    await loadBaseline(kept, target);
    const keptThresholds = Object.fromEntries(kept.getThresholds().map((threshold) => [threshold.name, threshold.maxValue]));
    assert.equal(keptThresholds.response_time, 80);
    assert.equal(keptThresholds.only_in_file, undefined);
    kept.cleanup();

    const applied = new PerformanceMonitor();
    await loadBaseline(applied, target, { thresholds: true });
    const appliedThresholds = Object.fromEntries(applied.getThresholds().map((threshold) => [threshold.name, threshold.maxValue]));
    assert.equal(appliedThresholds.response_time, 500);
    assert.equal(appliedThresholds.only_in_file, 3);
    applied.cleanup();
  });

  test('warns about another environment', async () => {
    const target = file('elsewhere.json');
    const saved = monitorWith('api_ms', STEADY);
    await saveBaseline(saved, target);
    saved.cleanup();
    const current = describeEnvironment();
    const otherRuntime = current.runtime === 'node' ? 'bun' : 'node';
    editFile(target, { runtime: otherRuntime, runtimeVersion: '0.5.0', cpuModel: 'Other CPU 9000' });

    const next = new PerformanceMonitor();
    const { value: result, warnings } = await captureWarnings(() => loadBaseline(next, target));
    assert.deepEqual(result.mismatchedEnvironment, [
      { field: 'runtime', saved: otherRuntime, current: current.runtime },
      { field: 'runtimeMajorVersion', saved: 0, current: Number(current.runtimeVersion.split('.')[0]) },
      { field: 'cpuModel', saved: 'Other CPU 9000', current: current.cpuModel },
    ]);
    const ours = warnings.filter((warning) => warning.code === 'PERF_SENTINEL_BASELINE_ENVIRONMENT');
    assert.equal(ours.length, 1);
    assert.match(ours[0].message, /cpuModel Other CPU 9000 -> /);
    assert.equal(next.getMetrics('api_ms').length, STEADY.length, 'the samples load all the same');
    next.cleanup();
  });

  test('same major version does not warn', async () => {
    const target = file('minor.json');
    const saved = monitorWith('a', [1, 2]);
    await saveBaseline(saved, target);
    saved.cleanup();
    const major = describeEnvironment().runtimeVersion.split('.')[0];
    editFile(target, { runtimeVersion: `${major}.0.0` });

    const next = new PerformanceMonitor();
    const result = await loadBaseline(next, target);
    assert.deepEqual(result.mismatchedEnvironment, []);
    next.cleanup();
  });

  test('warn false stays silent', async () => {
    const target = file('silent.json');
    const saved = monitorWith('a', [1, 2]);
    await saveBaseline(saved, target);
    saved.cleanup();
    editFile(target, { cpuModel: 'Other CPU' });

    const next = new PerformanceMonitor();
    const { value: result, warnings } = await captureWarnings(() => loadBaseline(next, target, { warn: false }));
    assert.equal(result.mismatchedEnvironment.length, 1);
    assert.deepEqual(warnings.filter((warning) => warning.code === 'PERF_SENTINEL_BASELINE_ENVIRONMENT'), []);
    next.cleanup();
  });

  test('rejects invalid files', async () => {
    const cases = [
      ['not-json.json', 'not json {', /is not valid JSON/],
      ['other-format.json', JSON.stringify({ format: 'something-else', version: 1, data: {} }), /its format is "something-else"/],
      ['newer.json', JSON.stringify({ format: 'perf-sentinel-baseline', version: 2, data: {} }), /its version is 2; this perf-sentinel reads version 1/],
      ['no-data.json', JSON.stringify({ format: 'perf-sentinel-baseline', version: 1 }), /its data section is missing/],
      ['null.json', 'null', /it is not a JSON object/],
      ['no-format.json', '{}', /its format is undefined, expected "perf-sentinel-baseline"/],
    ];
    const monitor = new PerformanceMonitor();
    for (const [name, text, message] of cases) {
      fs.writeFileSync(file(name), text);
      await assert.rejects(loadBaseline(monitor, file(name)), { name: 'TypeError', code: 'PERF_SENTINEL_BASELINE_INVALID', message }, name);
    }
    assert.deepEqual(monitor.getMetricNames(), [], 'nothing loaded from a bad file');
    monitor.cleanup();
  });

  test('missing file rejects with ENOENT', async () => {
    await assert.rejects(loadBaseline(new PerformanceMonitor(), file('does-not-exist.json')), { code: 'ENOENT' });
  });

  test('argument checks', async () => {
    await assert.rejects(loadBaseline(null, file('x.json')), {
      name: 'TypeError',
      message: 'loadBaseline: monitor must be a PerformanceMonitor (with importMetrics), received null',
    });
    await assert.rejects(loadBaseline(new PerformanceMonitor(), file('x.json'), 5), {
      name: 'TypeError',
      message: 'loadBaseline: options must be an object, received 5',
    });
  });
});

describe('readBaselineFile', () => {
  test('reads without a monitor', async () => {
    const target = file('read.json');
    const saved = monitorWith('api_ms', STEADY);
    const metadata = await saveBaseline(saved, target);
    saved.cleanup();

    const read = await readBaselineFile(target);
    assert.deepEqual(read.metadata, metadata);
    assert.equal(read.data.metrics.api_ms.length, STEADY.length);
    assert.deepEqual(read.mismatchedEnvironment, []);
  });
});
