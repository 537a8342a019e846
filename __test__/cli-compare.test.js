'use strict';

// `perf-sentinel compare base.json head.json` run as a child process, the
// way CI runs it: verdicts, thresholds, output formats and exit status.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { PerformanceMonitor } = require('..');
const { saveBaseline } = require('../lib/baseline-file');

const BIN = path.join(__dirname, '..', 'bin', 'perf-sentinel.js');
const RUN_TIMEOUT_MS = 30_000;

let workDir;

/** Runs the command line with `args`; returns status, signal, stdout and stderr. */
function runCli(args) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  assert.equal(run.error, undefined, `spawn failed: ${run.error}`);
  assert.equal(run.signal, null, run.stderr);
  return run;
}

function writeJson(name, data) {
  const file = path.join(workDir, name);
  fs.writeFileSync(file, JSON.stringify(data));
  return file;
}

/** Writes the exportMetrics() of a monitor that recorded `series` ({ name: [values, unit] }). */
function writeExport(name, series) {
  const monitor = new PerformanceMonitor({ defaultThresholds: false });
  for (const [metric, [values, unit]] of Object.entries(series)) {
    for (const value of values) monitor.recordMetric(metric, value, unit);
  }
  return writeJson(name, monitor.exportMetrics());
}

const repeat = (value, count) => Array.from({ length: count }, () => value);

/** Parses `--format json` output into a Map from metric name to its entry. */
function jsonRows(run) {
  const report = JSON.parse(run.stdout);
  return { report, rows: new Map(report.metrics.map((metric) => [metric.name, metric])) };
}

before(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-cli-'));
});

after(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('perf-sentinel compare', () => {
  let base;
  let head;

  before(() => {
    base = writeExport('base.json', {
      response_time: [repeat(100, 20), 'ms'],
      render_time: [repeat(10, 20), 'ms'],
      db_query: [repeat(40, 20), 'ms'],
      cache_hit: [repeat(5, 20), 'ms'],
      tail_latency: [repeat(10, 100), 'ms'],
      legacy_only: [repeat(1, 5), 'ms'],
    });
    head = writeExport('head.json', {
      response_time: [repeat(130, 20), 'ms'], // +30 %: warning
      render_time: [repeat(16, 20), 'ms'], // +60 %: critical
      db_query: [repeat(20, 20), 'ms'], // -50 %: improved
      cache_hit: [repeat(5.5, 20), 'ms'], // +10 %: under the threshold
      tail_latency: [[...repeat(9.5, 90), ...repeat(14.5, 10)], 'ms'], // same mean, p95 +45 %
      new_only: [repeat(3, 5), 'bytes'],
    });
  });

  test('verdict for each metric', () => {
    const run = runCli(['compare', base, head, '--format', 'json']);
    const { report, rows } = jsonRows(run);

    assert.equal(run.status, 1, run.stderr);
    assert.equal(rows.get('response_time').verdict, 'regressed');
    assert.equal(rows.get('response_time').severity, 'warning');
    assert.equal(rows.get('render_time').verdict, 'regressed');
    assert.equal(rows.get('render_time').severity, 'critical');
    assert.equal(rows.get('db_query').verdict, 'improved');
    assert.equal(rows.get('cache_hit').verdict, 'unchanged');
    assert.equal(rows.get('new_only').verdict, 'new');
    assert.equal(rows.get('legacy_only').verdict, 'removed');
    assert.deepEqual(report.summary, { regressed: 3, critical: 1, improved: 1, unchanged: 1, new: 1, removed: 1 });
  });

  test('changes in percent', () => {
    const { rows } = jsonRows(runCli(['compare', base, head, '--format', 'json']));

    assert.ok(Math.abs(rows.get('response_time').meanChangePercent - 30) < 1e-9);
    assert.ok(Math.abs(rows.get('db_query').meanChangePercent + 50) < 1e-9);
    assert.equal(rows.get('response_time').base.mean, 100);
    assert.equal(rows.get('response_time').head.p95, 130);
    assert.equal(rows.get('response_time').head.count, 20);
  });

  test('p95 regression with the same mean', () => {
    const { rows } = jsonRows(runCli(['compare', base, head, '--format', 'json']));
    const tail = rows.get('tail_latency');

    assert.ok(Math.abs(tail.meanChangePercent) < 1e-9, `mean change ${tail.meanChangePercent}`);
    assert.ok(Math.abs(tail.p95ChangePercent - 45) < 1e-9, `p95 change ${tail.p95ChangePercent}`);
    assert.equal(tail.verdict, 'regressed');
  });

  test('text table', () => {
    const run = runCli(['compare', base, head]);
    const lines = run.stdout.split('\n');

    assert.equal(run.status, 1);
    assert.match(lines[0], /^Metric\s+Base mean\s+Head mean\s+Mean change\s+Base p95\s+Head p95\s+p95 change\s+Verdict$/);
    assert.match(run.stdout, /^render_time\s+10 ms\s+16 ms\s+\+60\.0 %\s+10 ms\s+16 ms\s+\+60\.0 %\s+regressed \(critical\)$/m);
    assert.match(run.stdout, /^response_time\s+100 ms\s+130 ms\s+\+30\.0 %.*regressed \(warning\)$/m);
    assert.match(run.stdout, /^db_query\s.*-50\.0 %.*improved$/m);
    assert.match(run.stdout, /^new_only\s+–\s+3 bytes\s+–.*new$/m);
    assert.match(run.stdout, /3 regressed \(1 critical\), 1 improved, 1 unchanged, 1 new, 1 removed; threshold 20 %, critical 50 %/);
    // Regressions come first, critical ones before warnings.
    assert.ok(lines[2].startsWith('render_time'), lines[2]);
  });

  test('threshold option', () => {
    const run = runCli(['compare', base, head, '--threshold', '50', '--critical', '80', '--format', 'json']);
    const { rows } = jsonRows(run);

    assert.equal(rows.get('response_time').verdict, 'unchanged');
    assert.equal(rows.get('render_time').verdict, 'regressed');
    assert.equal(rows.get('render_time').severity, 'warning');
    assert.equal(rows.get('db_query').verdict, 'improved');
    assert.equal(run.status, 1);
  });

  test('no regression exits 0', () => {
    const run = runCli(['compare', base, base]);
    assert.equal(run.status, 0, run.stdout);
    assert.match(run.stdout, /0 regressed, 0 improved, 6 unchanged, 0 new, 0 removed/);
  });

  test('fail-on critical', () => {
    const warningOnly = writeExport('warning-only.json', { response_time: [repeat(125, 20), 'ms'] });
    const baseOnly = writeExport('base-only.json', { response_time: [repeat(100, 20), 'ms'] });

    assert.equal(runCli(['compare', baseOnly, warningOnly]).status, 1);
    const run = runCli(['compare', baseOnly, warningOnly, '--fail-on', 'critical']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /regressed \(warning\)/);
  });

  test('markdown table', () => {
    const odd = writeExport('odd.json', { 'GET /a|b <c>': [repeat(10, 3), 'ms'] });
    const oddHead = writeExport('odd-head.json', { 'GET /a|b <c>': [repeat(20, 3), 'ms'] });
    const run = runCli(['compare', odd, oddHead, '--format', 'markdown']);
    const tableLines = run.stdout.split('\n').filter((line) => line.startsWith('|'));

    assert.equal(run.status, 1);
    assert.equal(tableLines.length, 3);
    assert.equal(tableLines[0], '| Metric | Base mean | Head mean | Mean change | Base p95 | Head p95 | p95 change | Verdict |');
    assert.match(tableLines[1], /^\| --- \| ---: \|/);
    assert.ok(tableLines[2].startsWith('| GET /a\\|b &lt;c&gt; | 10 ms | 20 ms | +100.0 % |'), tableLines[2]);
    assert.match(tableLines[2], /🔴 regressed \(critical\) \|$/);
    // Every data row has as many unescaped separators as the header.
    const separators = (line) => line.replace(/\\\|/g, '').split('|').length;
    assert.equal(separators(tableLines[2]), separators(tableLines[0]));
  });

  test('saved baselines as input', () => {
    const before = new PerformanceMonitor({ defaultThresholds: false });
    const now = new PerformanceMonitor({ defaultThresholds: false });
    for (let i = 0; i < 10; i++) {
      before.recordMetric('response_time', 50, 'ms');
      now.recordMetric('response_time', 80, 'ms');
    }
    const keyed = writeJson('baselines.json', Object.fromEntries(before.getAllBaselines()));
    const listed = writeJson('baselines-list.json', [...now.getAllBaselines().values()]);

    const { rows } = jsonRows(runCli(['compare', keyed, listed, '--format', 'json']));

    assert.equal(rows.get('response_time').verdict, 'regressed');
    assert.equal(rows.get('response_time').severity, 'critical');
    assert.ok(Math.abs(rows.get('response_time').meanChangePercent - 60) < 1e-9);
  });

  test('saveBaseline files as input', async () => {
    const before = new PerformanceMonitor({ defaultThresholds: false });
    const now = new PerformanceMonitor({ defaultThresholds: false });
    for (let i = 0; i < 10; i++) {
      before.recordMetric('response_time', 50, 'ms');
      now.recordMetric('response_time', 65, 'ms');
    }
    const savedBase = path.join(workDir, 'saved-base.json');
    const savedHead = path.join(workDir, 'saved-head.json');
    await saveBaseline(before, savedBase);
    await saveBaseline(now, savedHead);

    const run = runCli(['compare', savedBase, savedHead, '--format', 'json']);
    const { report, rows } = jsonRows(run);

    assert.equal(run.status, 1, run.stderr);
    assert.equal(rows.get('response_time').severity, 'warning');
    assert.ok(Math.abs(rows.get('response_time').meanChangePercent - 30) < 1e-9);
    assert.deepEqual(report.environmentDifferences, []);
    assert.doesNotMatch(runCli(['compare', savedBase, savedHead]).stdout, /Warning/);
  });

  test('environment difference is reported', async () => {
    const monitor = new PerformanceMonitor({ defaultThresholds: false });
    monitor.recordMetric('response_time', 50, 'ms');
    const savedBase = path.join(workDir, 'env-base.json');
    await saveBaseline(monitor, savedBase);
    const otherMachine = { ...JSON.parse(fs.readFileSync(savedBase, 'utf8')), cpuModel: 'Other CPU 9000' };
    const savedHead = writeJson('env-head.json', otherMachine);

    const run = runCli(['compare', savedBase, savedHead]);
    const { report } = jsonRows(runCli(['compare', savedBase, savedHead, '--format', 'json']));

    assert.equal(run.status, 0);
    assert.match(run.stdout, /Warning: the two baselines were measured in different environments \(cpuModel .* -> Other CPU 9000\)/);
    assert.equal(report.environmentDifferences.length, 1);
    assert.equal(report.environmentDifferences[0].field, 'cpuModel');
    assert.equal(report.environmentDifferences[0].head, 'Other CPU 9000');
  });

  test('zero base counts as regression', () => {
    const zero = writeExport('zero.json', { errors: [[0, 0, 0], ''] });
    const some = writeExport('some.json', { errors: [[0, 1, 2], ''] });
    const run = runCli(['compare', zero, some, '--format', 'json']);
    const errors = jsonRows(run).rows.get('errors');

    assert.equal(run.status, 1);
    assert.equal(errors.verdict, 'regressed');
    assert.equal(errors.severity, 'critical');
    assert.equal(errors.meanChangePercent, null);
    assert.equal(errors.fromZeroBase, true);
    assert.match(runCli(['compare', zero, some]).stdout, /\+∞ %/);
  });
});

describe('perf-sentinel usage errors', () => {
  let file;

  before(() => {
    file = writeJson('valid.json', { metrics: {}, baselines: {}, alerts: [], thresholds: {} });
  });

  const cases = [
    ['no command', [], /missing command/],
    ['unknown command', ['diff', 'a', 'b'], /unknown command "diff"/],
    ['one file', ['compare', 'only.json'], /two files, base and head, received 1/],
    ['missing file', ['compare', '/nonexistent/base.json', '/nonexistent/head.json'], /cannot read \/nonexistent\/base\.json/],
    ['bad threshold', ['compare', 'FILE', 'FILE', '--threshold', 'abc'], /--threshold must be a number of percent of at least 0, received "abc"/],
    ['negative threshold', ['compare', 'FILE', 'FILE', '--threshold=-5'], /--threshold must be a number of percent of at least 0, received "-5"/],
    ['critical below threshold', ['compare', 'FILE', 'FILE', '--threshold', '30', '--critical', '10'], /--critical \(10\) must be at least --threshold \(30\)/],
    ['bad format', ['compare', 'FILE', 'FILE', '--format', 'html'], /--format must be one of text, markdown, json, received "html"/],
    ['bad fail-on', ['compare', 'FILE', 'FILE', '--fail-on', 'never'], /--fail-on must be one of warning, critical/],
    ['unknown option', ['compare', 'FILE', 'FILE', '--verbose'], /verbose/],
  ];
  for (const [name, args, message] of cases) {
    test(name, () => {
      const run = runCli(args.map((arg) => (arg === 'FILE' ? file : arg)));
      assert.equal(run.status, 2, run.stdout);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Usage: perf-sentinel compare/);
      assert.equal(run.stdout, '');
    });
  }

  test('invalid JSON', () => {
    const broken = path.join(workDir, 'broken.json');
    fs.writeFileSync(broken, '{"metrics": ');
    const run = runCli(['compare', broken, file]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /broken\.json is not valid JSON/);
  });

  test('newer baseline file version', () => {
    const newer = writeJson('newer.json', { format: 'perf-sentinel-baseline', version: 2, data: {} });
    const run = runCli(['compare', newer, file]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /newer\.json: baseline file version 2 is not supported; this perf-sentinel reads version 1/);
  });

  test('wrong shape', () => {
    const wrong = writeJson('wrong.json', { response_time: { average: 3 } });
    const run = runCli(['compare', wrong, file]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /wrong\.json: baseline "response_time" has no numeric averageValue/);
  });

  test('help exits 0', () => {
    const run = runCli(['--help']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^Usage: perf-sentinel compare <base\.json> <head\.json>/);
    assert.match(run.stdout, /--threshold <percent>/);
  });

  test('package.json bin entry', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    assert.equal(pkg.bin?.['perf-sentinel'], 'bin/perf-sentinel.js');
    assert.ok(fs.statSync(BIN).mode & 0o100, 'bin/perf-sentinel.js is not executable');
    assert.ok(fs.readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n'));
  });
});
