'use strict';

// The self-contained HTML report: its markup from a service with imported
// samples, alerts and harness comparisons, and the same page rendered by
// headless Chromium, whose DOM must contain every chart and table.
//
// The screenshot goes to a temporary directory. With
// PERF_SENTINEL_UPDATE_SCREENSHOT=1 it replaces docs/report-screenshot.png,
// the picture in the README.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const { PerformanceMonitor, PerformanceMonitoringService, renderHtmlReport } = require('..');

const FIXTURE_START = Date.UTC(2026, 11, 4, 9, 0, 0);
const FIXTURE_STEP_MS = 2000;
const FIXTURE_SAMPLES = 300;
const GENERATED_AT = FIXTURE_START + 605_000;
const HOSTILE_NAME = '<script>alert("x")</script> & \'quotes\'';
const SCREENSHOT_SIZE = { width: 1200, height: 900 };
const CHROMIUM_TIMEOUT_MS = 60_000;

const chromiumMissing = (() => {
  const probe = spawnSync('chromium', ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return probe.error === undefined && probe.status === 0 ? false : 'chromium not found (Debian package chromium)';
})();

/** Returns a deterministic value in [0, 1) for sample `index` of series `seed`. */
function jitter(index, seed) {
  const x = Math.sin(index * 12.9898 + seed * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

const FIXTURE_SERIES = {
  response_time: { unit: 'ms', limit: 100, value: (i) => (i < 180 ? 42 + 18 * jitter(i, 1) : 88 + 40 * jitter(i, 2)) + (i % 60 === 0 ? 35 : 0) },
  memory_usage: { unit: 'MB', limit: 50, value: (i) => 30 + i * 0.07 + 3 * jitter(i, 3) },
  websocket_latency: { unit: 'ms', limit: 50, value: (i) => 12 + 6 * jitter(i, 4) + (i > 250 && i < 262 ? 50 : 0) },
  [HOSTILE_NAME]: { unit: 'ms', value: (i) => 5 + 2 * jitter(i, 5) },
};

/** Ten minutes of samples every 2 s in the exportMetrics() shape, with the threshold alerts they raise. */
function fixtureExport() {
  const metrics = {};
  const thresholds = {};
  const alerts = [];
  for (const [name, spec] of Object.entries(FIXTURE_SERIES)) {
    metrics[name] = [];
    if (spec.limit !== undefined) thresholds[name] = { name, maxValue: spec.limit, unit: spec.unit, enabled: true };
    for (let i = 0; i < FIXTURE_SAMPLES; i++) {
      const value = Math.round(spec.value(i) * 100) / 100;
      const timestamp = FIXTURE_START + i * FIXTURE_STEP_MS;
      metrics[name].push({ name, value, unit: spec.unit, timestamp });
      if (spec.limit === undefined || value <= spec.limit) continue;
      alerts.push({
        metricName: name,
        currentValue: value,
        previousValue: spec.limit,
        threshold: spec.limit,
        regressionPercentage: ((value - spec.limit) / spec.limit) * 100,
        timestamp,
        severity: value > 1.5 * spec.limit ? 'critical' : 'warning',
      });
    }
  }
  alerts.sort((a, b) => a.timestamp - b.timestamp);
  return { metrics, baselines: {}, alerts: alerts.slice(-100), thresholds };
}

/** A service holding the fixture and five harness comparisons (one passes). */
async function buildFixtureService() {
  const service = new PerformanceMonitoringService({ alerting: { console: { enabled: false, logLevel: 'warn' } } });
  service.getPerformanceMonitor().importMetrics(fixtureExport());

  const rooms = (count) => Array.from({ length: count }, (_, id) => ({ id, name: `room ${id}` }));
  const harness = service.getTestHarness();
  harness.registerImplementations(
    { listRooms: (count) => rooms(count), joinRoom: (id) => ({ id, joined: true }), label: () => '<b>"old"</b>' },
    { listRooms: (count) => rooms(count), joinRoom: (id) => ({ id, joined: id !== 3 }), label: () => '<b>"new" & more</b>' },
  );
  await harness.executeParallel('listRooms', [2000], 'list 2000 rooms');
  await harness.executeParallel('joinRoom', [1], 'join room 1');
  await harness.executeParallel('joinRoom', [3], 'join room 3');
  await harness.executeParallel('label', [], HOSTILE_NAME);
  await harness.executeParallel('missingMethod', [], 'missing method');
  return service;
}

function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Splits markup into the opening tag and body of each `<svg data-metric=...>`, keyed by the attribute text. */
function chartsOf(markup) {
  const charts = new Map();
  for (const part of markup.split('<svg ').slice(1)) {
    const match = /^data-metric="([^"]*)"/.exec(part);
    if (match) charts.set(match[1], part.slice(0, part.indexOf('</svg>')));
  }
  return charts;
}

function countOf(text, pattern) {
  return (text.match(pattern) ?? []).length;
}

function tableRows(markup, name) {
  const start = markup.indexOf(`<table data-table="${name}"`);
  if (start < 0) return 0;
  const table = markup.slice(start, markup.indexOf('</table>', start));
  return countOf(table.slice(table.indexOf('<tbody>')), /<tr[ >]/g);
}

function runChromium(args) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-chromium-'));
  try {
    return spawnSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { encoding: 'utf8', timeout: CHROMIUM_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

describe('renderHtmlReport', () => {
  let service;
  let html;
  let workDir;
  let reportPath;

  before(async () => {
    service = await buildFixtureService();
    html = renderHtmlReport(service, { now: GENERATED_AT, title: 'Room server <staging>' });
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-sentinel-report-'));
    reportPath = path.join(workDir, 'report.html');
    fs.writeFileSync(reportPath, html);
  });

  after(async () => {
    if (service) await service.cleanup();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('one chart per metric', () => {
    const names = service.getPerformanceMonitor().getMetricNames();
    const charts = chartsOf(html);
    assert.equal(countOf(html, /<svg /g), names.length);
    assert.equal(charts.size, names.length);
    for (const name of names) assert.ok(charts.has(escapeHtml(name)), `no chart for ${name}`);
  });

  test('threshold, p95 and series lines', () => {
    const charts = chartsOf(html);
    for (const [name, chart] of charts) {
      const hasThreshold = ['response_time', 'memory_usage', 'websocket_latency'].includes(name);
      assert.equal(countOf(chart, /data-role="threshold"/g), hasThreshold ? 1 : 0, name);
      assert.equal(countOf(chart, /data-role="p95"/g), 1, name);
      assert.equal(countOf(chart, /data-role="band"/g), 1, name);
      assert.equal(countOf(chart, /data-role="series"/g), 1, name);
    }
  });

  test('alert markers match the history', () => {
    const alerts = service.getPerformanceMonitor().getRecentAlerts(0);
    const charts = chartsOf(html);
    assert.equal(alerts.length, 100);
    for (const [name, chart] of charts) {
      const expected = alerts.filter((alert) => escapeHtml(alert.metricName) === name).length;
      assert.equal(countOf(chart, /data-role="alert"/g), expected, name);
    }
    assert.ok(countOf(html, /data-severity="critical"/g) > 0);
  });

  test('alerts and comparisons tables', () => {
    assert.equal(tableRows(html, 'alerts'), 100);
    assert.equal(tableRows(html, 'comparisons'), 5);
    // Which comparisons pass depends on measured times, so the expected count is read from the harness.
    const harness = service.getTestHarness();
    const passed = harness.getAllResults().filter((result) => harness.analyzeResults(result.testId).passed).length;
    assert.ok(html.includes(`<div class="value">${passed} / 5</div><div class="label">Comparisons passed</div>`));
    assert.equal(countOf(html, /<tr class="passed">/g), passed);
  });

  test('all text is escaped', () => {
    assert.equal(countOf(html, /<script/gi), 0);
    assert.ok(html.includes(escapeHtml(HOSTILE_NAME)));
    assert.ok(html.includes('<title>Room server &lt;staging&gt;</title>'));
    assert.ok(html.includes('&lt;b&gt;&quot;new&quot; &amp; more&lt;/b&gt;'), 'the comparison notes are not escaped');
  });

  test('loads nothing from elsewhere', () => {
    assert.doesNotMatch(html, /\s(src|href|xlink:href)=/i);
    assert.doesNotMatch(html, /url\(|@import|<link|<iframe|<img/i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
  });

  test('Chromium renders every chart', { skip: chromiumMissing, timeout: CHROMIUM_TIMEOUT_MS + 10_000 }, () => {
    const run = runChromium(['--dump-dom', pathToFileURL(reportPath).href]);

    assert.equal(run.error, undefined, String(run.error));
    assert.equal(run.status, 0, run.stderr);
    const dom = run.stdout;
    const names = service.getPerformanceMonitor().getMetricNames();
    assert.equal(chartsOf(dom).size, names.length, 'charts in the rendered DOM');
    assert.equal(countOf(dom, /data-role="alert"/g), 100);
    assert.equal(countOf(dom, /data-role="threshold"/g), 3);
    assert.equal(tableRows(dom, 'alerts'), 100);
    assert.equal(tableRows(dom, 'comparisons'), 5);
    assert.equal(countOf(dom, /<script/gi), 0, 'the hostile name became an element');
  });

  test('Chromium screenshot', { skip: chromiumMissing, timeout: CHROMIUM_TIMEOUT_MS + 10_000 }, () => {
    const update = process.env.PERF_SENTINEL_UPDATE_SCREENSHOT === '1';
    const target = update
      ? path.join(__dirname, '..', 'docs', 'report-screenshot.png')
      : path.join(workDir, 'report-screenshot.png');
    fs.mkdirSync(path.dirname(target), { recursive: true });

    const run = runChromium([
      '--hide-scrollbars',
      `--window-size=${SCREENSHOT_SIZE.width},${SCREENSHOT_SIZE.height}`,
      `--screenshot=${target}`,
      pathToFileURL(reportPath).href,
    ]);

    assert.equal(run.error, undefined, String(run.error));
    assert.equal(run.status, 0, run.stderr);
    const png = fs.readFileSync(target);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.readUInt32BE(16), SCREENSHOT_SIZE.width);
    assert.equal(png.readUInt32BE(20), SCREENSHOT_SIZE.height);
  });
});

describe('renderHtmlReport with a monitor', () => {
  test('markers for live alerts', () => {
    const monitor = new PerformanceMonitor({ defaultThresholds: false });
    monitor.setThreshold('latency', 10, 'ms');
    const values = [3, 4, 12, 5, 30, 4, 11, 5];
    for (const value of values) monitor.recordMetric('latency', value, 'ms');

    const html = renderHtmlReport(monitor);
    const chart = chartsOf(html).get('latency');

    assert.equal(monitor.getRecentAlerts(0).length, 3);
    assert.equal(countOf(chart, /data-role="alert"/g), 3);
    assert.equal(countOf(chart, /data-severity="critical"/g), 1);
    assert.equal(countOf(html, /data-table="comparisons"/g), 1);
    assert.match(html, /No test harness/);
  });

  test('alerts outside the window are counted', () => {
    const monitor = new PerformanceMonitor({ defaultThresholds: false, maxSamples: 4 });
    monitor.setThreshold('latency', 10, 'ms');
    for (const value of [50, 60, 1, 2, 3, 4]) monitor.recordMetric('latency', value, 'ms');

    const chart = chartsOf(renderHtmlReport(monitor)).get('latency');

    assert.equal(countOf(chart, /data-role="alert"/g), 0);
    assert.equal(monitor.getRecentAlerts(0).length, 2);
    assert.match(renderHtmlReport(monitor), /2 more before the kept window/);
  });

  test('long series are reduced', () => {
    const monitor = new PerformanceMonitor({ defaultThresholds: false, maxSamples: 5000 });
    const values = Float64Array.from({ length: 5000 }, (_, index) => (index === 2500 ? 999 : index % 7));
    monitor.recordMany('load', values, '');

    const chart = chartsOf(renderHtmlReport(monitor, { maxPoints: 100 })).get('load');
    const points = /points="([^"]*)"/.exec(chart)[1].split(' ');

    assert.ok(points.length <= 100, `${points.length} points`);
    assert.ok(points.length >= 50, `${points.length} points`);
    // The single spike of 999 must survive the reduction. It is drawn near
    // the top of the plot (small y); every other value is drawn near the bottom.
    const ys = points.map((point) => Number(point.split(',')[1]));
    assert.ok(Math.min(...ys) < 30, `highest point at y=${Math.min(...ys)}`);
  });

  test('single sample is a dot', () => {
    const monitor = new PerformanceMonitor({ defaultThresholds: false });
    monitor.recordMetric('startup_time', 120, 'ms');

    const chart = chartsOf(renderHtmlReport(monitor)).get('startup_time');

    assert.match(chart, /<circle data-role="series"/);
    assert.equal(countOf(chart, />#1</g), 1);
    assert.match(renderHtmlReport(monitor), /1 sample · mean 120 ms/);
  });

  test('empty monitor renders', () => {
    const html = renderHtmlReport(new PerformanceMonitor());
    assert.match(html, /No metric has samples yet/);
    assert.match(html, /No alerts in the history/);
  });

  test('invalid arguments throw', () => {
    assert.throws(() => renderHtmlReport({}), TypeError);
    assert.throws(() => renderHtmlReport(undefined), TypeError);
    assert.throws(() => renderHtmlReport(new PerformanceMonitor(), 'title'), TypeError);
    assert.throws(() => renderHtmlReport(new PerformanceMonitor(), { maxPoints: 1 }), RangeError);
    assert.throws(() => renderHtmlReport(new PerformanceMonitor(), { title: 5 }), TypeError);
  });
});
