#!/usr/bin/env node
'use strict';

// perf-sentinel command line. `perf-sentinel compare base.json head.json`
// compares two exportMetrics() files (or saved baselines) metric by metric
// and exits 1 when a metric regressed, so that CI can gate on it.
//
// Exit status: 0 no regression, 1 at least one regression at or above
// --fail-on, 2 invalid usage or an unreadable input file.

const fs = require('node:fs');
const { parseArgs } = require('node:util');

const { BASELINE_FORMAT, BASELINE_VERSION } = require('../lib/baseline-file');

const EXIT_OK = 0;
const EXIT_REGRESSED = 1;
const EXIT_USAGE = 2;

const DEFAULT_THRESHOLD_PERCENT = 20;
const DEFAULT_CRITICAL_PERCENT = 50;
const FORMATS = ['text', 'markdown', 'json'];
const FAIL_ON = ['warning', 'critical'];

/** Order of the verdicts in every output: what needs attention first. */
const VERDICT_ORDER = ['regressed', 'new', 'removed', 'improved', 'unchanged'];

const USAGE = `Usage: perf-sentinel compare <base.json> <head.json> [options]

Compares two files metric by metric. Each file is an exportMetrics() result,
a file written by saveBaseline(), or an object or array of getBaseline() results.
A metric regressed when its mean or its p95 rose by at least --threshold
percent; it improved when one of them fell by that much and none rose.

Options:
  --threshold <percent>   smallest change that counts, in percent (default ${DEFAULT_THRESHOLD_PERCENT})
  --critical <percent>    change at which a regression is critical, in percent (default ${DEFAULT_CRITICAL_PERCENT})
  --fail-on <severity>    warning: exit 1 on any regression (default); critical: only on critical ones
  --format <format>       text (default), markdown or json
  -h, --help              print this help

Exit status: 0 no regression, 1 regression, 2 invalid usage or input.`;

class UsageError extends Error {}

// ---------------------------------------------------------------- arguments

function parseCommandLine(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        threshold: { type: 'string' },
        critical: { type: 'string' },
        'fail-on': { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error.message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };

  const [command, ...files] = positionals;
  if (command === undefined) throw new UsageError('missing command: expected "compare"');
  if (command !== 'compare') throw new UsageError(`unknown command "${command}": expected "compare"`);
  if (files.length !== 2) {
    throw new UsageError(`compare needs two files, base and head, received ${files.length}`);
  }

  const threshold = readPercent('--threshold', values.threshold, DEFAULT_THRESHOLD_PERCENT);
  const critical = readPercent('--critical', values.critical, DEFAULT_CRITICAL_PERCENT);
  if (critical < threshold) {
    throw new UsageError(`--critical (${critical}) must be at least --threshold (${threshold})`);
  }
  const format = values.format ?? 'text';
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, received "${format}"`);
  const failOn = values['fail-on'] ?? 'warning';
  if (!FAIL_ON.includes(failOn)) throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')}, received "${failOn}"`);

  return { help: false, basePath: files[0], headPath: files[1], threshold, critical, format, failOn };
}

function readPercent(option, text, fallback) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`${option} must be a number of percent of at least 0, received "${text}"`);
  }
  return value;
}

// ---------------------------------------------------------------- input

/**
 * Reads one input file. Returns `{ summaries, environment }`: a Map from
 * metric name to `{ unit, count, mean, p95 }`, and the measuring environment
 * of a saveBaseline() file (undefined for other inputs).
 */
function loadSnapshot(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error.message}`);
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${error.message}`);
  }
  try {
    if (data?.format === BASELINE_FORMAT) {
      return { summaries: summariseInput(unwrapBaselineFile(data)), environment: environmentOf(data) };
    }
    return { summaries: summariseInput(data), environment: undefined };
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Returns the export inside a saveBaseline() file, after checking its version. */
function unwrapBaselineFile(file) {
  if (file.version !== BASELINE_VERSION) {
    throw new UsageError(`baseline file version ${JSON.stringify(file.version)} is not supported; this perf-sentinel reads version ${BASELINE_VERSION}`);
  }
  if (file.data === null || typeof file.data !== 'object' || Array.isArray(file.data)) {
    throw new UsageError('the baseline file has no data section');
  }
  return file.data;
}

function environmentOf(file) {
  const major = /^v?(\d+)/.exec(String(file.runtimeVersion ?? ''));
  return {
    runtime: file.runtime,
    runtimeVersion: file.runtimeVersion,
    runtimeMajorVersion: major ? Number(major[1]) : undefined,
    cpuModel: file.cpuModel,
  };
}

/**
 * Returns the environment fields in which two saveBaseline() files differ,
 * as `{ field, base, head }`; timings from another runtime or CPU differ for
 * reasons other than the code.
 */
function compareEnvironments(base, head) {
  if (base === undefined || head === undefined) return [];
  return ['runtime', 'runtimeMajorVersion', 'cpuModel']
    .filter((field) => base[field] !== head[field])
    .map((field) => ({ field, base: base[field], head: head[field] }));
}

/**
 * Accepts an exportMetrics() result (`{ metrics, baselines, ... }`), an
 * object of baselines keyed by metric name, or an array of baselines.
 * Samples win over a baseline of the same metric because they give exact statistics.
 */
function summariseInput(data) {
  if (Array.isArray(data)) return summariseBaselines(keyByMetricName(data));
  if (data === null || typeof data !== 'object') {
    throw new UsageError('expected an object from exportMetrics() or saved baselines');
  }
  if ('metrics' in data || 'baselines' in data) {
    const summaries = summariseBaselines(data.baselines ?? {});
    for (const [name, summary] of summariseSamples(data.metrics ?? {})) summaries.set(name, summary);
    return summaries;
  }
  return summariseBaselines(data);
}

function keyByMetricName(baselines) {
  const keyed = {};
  for (const [index, baseline] of baselines.entries()) {
    const name = baseline?.metricName;
    if (typeof name !== 'string' || name === '') {
      throw new UsageError(`baseline at index ${index} has no metricName`);
    }
    keyed[name] = baseline;
  }
  return keyed;
}

function summariseSamples(metrics) {
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) {
    throw new UsageError('"metrics" must be an object of sample arrays keyed by metric name');
  }
  const summaries = new Map();
  for (const [name, samples] of Object.entries(metrics)) {
    if (!Array.isArray(samples)) throw new UsageError(`metrics["${name}"] must be an array of samples`);
    const values = samples.map((sample) => sample?.value).filter((value) => typeof value === 'number' && Number.isFinite(value));
    if (values.length === 0) continue;
    const sorted = [...values].sort((a, b) => a - b);
    const last = samples[samples.length - 1];
    summaries.set(name, {
      unit: typeof last?.unit === 'string' ? last.unit : '',
      count: values.length,
      mean: values.reduce((sum, value) => sum + value, 0) / values.length,
      p95: quantile(sorted, 0.95),
    });
  }
  return summaries;
}

function summariseBaselines(baselines) {
  if (baselines === null || typeof baselines !== 'object' || Array.isArray(baselines)) {
    throw new UsageError('"baselines" must be an object of baselines keyed by metric name');
  }
  const summaries = new Map();
  for (const [name, baseline] of Object.entries(baselines)) {
    const mean = baseline?.averageValue;
    if (typeof mean !== 'number' || !Number.isFinite(mean)) {
      throw new UsageError(`baseline "${name}" has no numeric averageValue`);
    }
    const p95 = baseline.p95;
    summaries.set(name, {
      unit: typeof baseline.unit === 'string' ? baseline.unit : '',
      count: Number.isFinite(baseline.sampleCount) ? baseline.sampleCount : undefined,
      mean,
      p95: typeof p95 === 'number' && Number.isFinite(p95) ? p95 : undefined,
    });
  }
  return summaries;
}

/** Returns the `q` quantile of ascending `sorted` by linear interpolation (type 7), as the monitor computes it. */
function quantile(sorted, q) {
  const rank = q * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
}

// ---------------------------------------------------------------- comparison

/**
 * Returns the change from `base` to `head` in percent of |base|. A zero base
 * gives 0 when head is zero too, else ±Infinity.
 */
function changePercent(base, head) {
  if (base === undefined || head === undefined) return undefined;
  if (base === 0) {
    if (head === 0) return 0;
    return head > 0 ? Infinity : -Infinity;
  }
  return ((head - base) / Math.abs(base)) * 100;
}

function compareSnapshots(base, head, { threshold, critical }) {
  const names = [...new Set([...base.keys(), ...head.keys()])].sort();
  const rows = names.map((name) => {
    const before = base.get(name);
    const after = head.get(name);
    // Limitation: units are not compared, so a metric recorded in ms in one
    // file and in s in the other shows a change of the raw numbers.
    const row = { name, unit: (after ?? before).unit, base: before, head: after, severity: undefined };
    if (before === undefined) return { ...row, verdict: 'new' };
    if (after === undefined) return { ...row, verdict: 'removed' };

    const meanChange = changePercent(before.mean, after.mean);
    const p95Change = changePercent(before.p95, after.p95);
    const changes = [meanChange, p95Change].filter((change) => change !== undefined);
    const worst = Math.max(...changes);
    const best = Math.min(...changes);
    let verdict = 'unchanged';
    let severity;
    if (worst >= threshold && worst > 0) {
      verdict = 'regressed';
      severity = worst >= critical ? 'critical' : 'warning';
    } else if (best <= -threshold && best < 0) {
      verdict = 'improved';
    }
    return { ...row, meanChange, p95Change, verdict, severity };
  });
  rows.sort((a, b) => rank(a) - rank(b) || compareNames(a.name, b.name));
  return rows;
}

function compareNames(a, b) {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function rank(row) {
  const order = VERDICT_ORDER.indexOf(row.verdict) * 2;
  return row.severity === 'critical' ? order - 1 : order;
}

function tally(rows) {
  const counts = { regressed: 0, critical: 0, improved: 0, unchanged: 0, new: 0, removed: 0 };
  for (const row of rows) {
    counts[row.verdict]++;
    if (row.severity === 'critical') counts.critical++;
  }
  return counts;
}

// ---------------------------------------------------------------- output

function formatNumber(value) {
  if (value === undefined) return '–';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e9 || magnitude < 1e-3)) return value.toExponential(2);
  if (magnitude >= 1000) return value.toFixed(0);
  return String(Number(value.toPrecision(4)));
}

function formatValue(value, unit) {
  if (value === undefined) return '–';
  return unit ? `${formatNumber(value)} ${unit}` : formatNumber(value);
}

function formatChange(change) {
  if (change === undefined) return '–';
  if (change === Infinity) return '+∞ %';
  if (change === -Infinity) return '-∞ %';
  return `${change >= 0 ? '+' : ''}${change.toFixed(1)} %`;
}

function describeVerdict(row) {
  return row.severity ? `${row.verdict} (${row.severity})` : row.verdict;
}

function tableCells(row) {
  return [
    row.name,
    formatValue(row.base?.mean, row.unit),
    formatValue(row.head?.mean, row.unit),
    formatChange(row.meanChange),
    formatValue(row.base?.p95, row.unit),
    formatValue(row.head?.p95, row.unit),
    formatChange(row.p95Change),
    describeVerdict(row),
  ];
}

const HEADERS = ['Metric', 'Base mean', 'Head mean', 'Mean change', 'Base p95', 'Head p95', 'p95 change', 'Verdict'];

function describeCounts(counts) {
  const regressed = counts.critical > 0 ? `${counts.regressed} regressed (${counts.critical} critical)` : `${counts.regressed} regressed`;
  return `${regressed}, ${counts.improved} improved, ${counts.unchanged} unchanged, ${counts.new} new, ${counts.removed} removed`;
}

/** Makes a metric name printable on one table line: control characters become spaces. */
function singleLine(text) {
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

function describeEnvironmentDifferences(differences) {
  const parts = differences.map(({ field, base, head }) => `${field} ${base} -> ${head}`);
  return `the two baselines were measured in different environments (${parts.join(', ')}), so timings may differ for reasons other than the code`;
}

function renderText(rows, counts, settings) {
  const lines = [HEADERS, ...rows.map((row) => tableCells(row).map((cell, index) => (index === 0 ? singleLine(cell) : cell)))];
  const widths = HEADERS.map((_, column) => Math.max(...lines.map((cells) => [...cells[column]].length)));
  const rendered = lines.map((cells) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column] - [...cell].length))).join('  '),
  );
  rendered.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  const footer = `${describeCounts(counts)}; threshold ${settings.threshold} %, critical ${settings.critical} %`;
  const warning = settings.environmentDifferences.length > 0 ? `Warning: ${describeEnvironmentDifferences(settings.environmentDifferences)}.\n` : '';
  return `${rendered.join('\n')}\n\n${footer}\n${warning}`;
}

/** Escapes a cell for a GitHub Markdown table. */
function markdownCell(text) {
  return singleLine(text)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([`*_[\]])/g, '\\$1');
}

function renderMarkdown(rows, counts, settings) {
  const verdictIcon = { regressed: '🔴', improved: '🟢', unchanged: '⚪', new: '🆕', removed: '➖' };
  const lines = [
    '### perf-sentinel comparison',
    '',
    `**${describeCounts(counts)}** (threshold ${settings.threshold} %, critical ${settings.critical} %)`,
    '',
    ...(settings.environmentDifferences.length > 0 ? [`> ⚠️ ${markdownCell(describeEnvironmentDifferences(settings.environmentDifferences))}.`, ''] : []),
    `| ${HEADERS.join(' | ')} |`,
    `| ${HEADERS.map((_, index) => (index === 0 || index === HEADERS.length - 1 ? '---' : '---:')).join(' | ')} |`,
  ];
  for (const row of rows) {
    const cells = tableCells(row).map(markdownCell);
    cells[cells.length - 1] = `${verdictIcon[row.verdict]} ${cells[cells.length - 1]}`;
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Returns a change for JSON: an infinite change (from a zero base) becomes null, and fromZeroBase marks it. */
function jsonChange(change) {
  if (change === undefined || Number.isFinite(change)) return change ?? null;
  return null;
}

function renderJson(rows, counts, settings) {
  const metrics = rows.map((row) => ({
    name: row.name,
    unit: row.unit,
    verdict: row.verdict,
    severity: row.severity ?? null,
    base: row.base ? { count: row.base.count ?? null, mean: row.base.mean, p95: row.base.p95 ?? null } : null,
    head: row.head ? { count: row.head.count ?? null, mean: row.head.mean, p95: row.head.p95 ?? null } : null,
    meanChangePercent: jsonChange(row.meanChange),
    p95ChangePercent: jsonChange(row.p95Change),
    fromZeroBase: row.meanChange === Infinity || row.meanChange === -Infinity || row.p95Change === Infinity || row.p95Change === -Infinity,
  }));
  const report = {
    thresholdPercent: settings.threshold,
    criticalPercent: settings.critical,
    failOn: settings.failOn,
    environmentDifferences: settings.environmentDifferences,
    summary: counts,
    metrics,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

// ---------------------------------------------------------------- main

function runCompare(settings) {
  const base = loadSnapshot(settings.basePath);
  const head = loadSnapshot(settings.headPath);
  const rows = compareSnapshots(base.summaries, head.summaries, settings);
  const counts = tally(rows);
  const environmentDifferences = compareEnvironments(base.environment, head.environment);

  const render = { text: renderText, markdown: renderMarkdown, json: renderJson }[settings.format];
  process.stdout.write(render(rows, counts, { ...settings, environmentDifferences }));

  const failing = settings.failOn === 'critical' ? counts.critical : counts.regressed;
  return failing > 0 ? EXIT_REGRESSED : EXIT_OK;
}

function main(argv) {
  try {
    const settings = parseCommandLine(argv);
    if (settings.help) {
      process.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    }
    return runCompare(settings);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`perf-sentinel: ${error.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  // exitCode rather than exit(), so that output piped to a slow reader is flushed first.
  process.exitCode = main(process.argv.slice(2));
}

module.exports = { main, compareSnapshots, summariseInput, changePercent };
