'use strict';

// Renders a monitoring service (or a bare monitor) as one self-contained HTML
// page: inline CSS, inline SVG charts drawn here, no scripts, and a
// Content-Security-Policy that blocks every load from elsewhere.

const { PerformanceMonitor } = require('./monitor');
const { describe } = require('./validate');

/** Chart geometry in SVG user units; the SVG scales to its container. */
const CHART = { width: 560, height: 240, left: 64, right: 16, top: 14, bottom: 34 };
const Y_TICKS = 5;
const X_TICKS = 4;
/** Time axes shorter than this show offsets from the first sample instead of clock times. */
const RELATIVE_TIME_SPAN_MS = 10_000;
const DEFAULT_MAX_POINTS = 600;
const DEFAULT_MAX_COMPARISONS = 200;
const DEFAULT_TITLE = 'perf-sentinel report';

const HTML_ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (character) => HTML_ENTITIES[character]);
}

// ---------------------------------------------------------------- numbers

function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e9 || magnitude < 1e-3)) return value.toExponential(2);
  if (magnitude >= 1000) return value.toFixed(0);
  return String(Number(value.toPrecision(4)));
}

function formatWithUnit(value, unit) {
  return unit ? `${formatNumber(value)} ${unit}` : formatNumber(value);
}

function formatPercent(value) {
  if (!Number.isFinite(value)) return String(value);
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)} %`;
}

function formatRatio(value) {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : String(value);
}

function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return String(bytes);
  if (Math.abs(bytes) >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (Math.abs(bytes) >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** Formats epoch milliseconds as 'YYYY-MM-DD HH:MM:SS UTC'. */
function formatDateTime(timestamp) {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return String(timestamp);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Formats epoch milliseconds as 'HH:MM:SS' (UTC). */
function formatTime(timestamp) {
  return new Date(timestamp).toISOString().slice(11, 19);
}

/** Returns a round step (1, 2 or 5 times a power of ten) near `span / count`. */
function niceStep(span, count) {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  if (fraction <= 1) return power;
  if (fraction <= 2) return 2 * power;
  if (fraction <= 5) return 5 * power;
  return 10 * power;
}

// ---------------------------------------------------------------- data

function resolveSource(source) {
  if (source instanceof PerformanceMonitor) return { monitor: source, service: undefined, harness: undefined };
  if (source !== null && typeof source?.getPerformanceMonitor === 'function') {
    const harness = typeof source.getTestHarness === 'function' ? source.getTestHarness() : undefined;
    return { monitor: source.getPerformanceMonitor(), service: source, harness };
  }
  throw new TypeError(
    `renderHtmlReport: expected a PerformanceMonitoringService or a PerformanceMonitor, received ${describe(source)}`,
  );
}

function readOptions(options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object') {
    throw new TypeError(`renderHtmlReport: options must be an object, received ${describe(options)}`);
  }
  const title = options.title ?? DEFAULT_TITLE;
  if (typeof title !== 'string') {
    throw new TypeError(`renderHtmlReport: options.title must be a string, received ${describe(title)}`);
  }
  const now = options.now ?? Date.now();
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new TypeError(`renderHtmlReport: options.now must be epoch milliseconds, received ${describe(now)}`);
  }
  return {
    title,
    now,
    maxPoints: readCount('maxPoints', options.maxPoints ?? DEFAULT_MAX_POINTS, 2),
    maxComparisons: readCount('maxComparisons', options.maxComparisons ?? DEFAULT_MAX_COMPARISONS, 0),
  };
}

function readCount(name, value, minimum) {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`renderHtmlReport: options.${name} must be an integer of at least ${minimum}, received ${describe(value)}`);
  }
  return value;
}

/** Reads everything the page shows, once, so that the page is consistent. */
function collectReportData(source) {
  const { monitor, service, harness } = resolveSource(source);
  const thresholds = new Map();
  for (const threshold of monitor.getThresholds()) {
    if (threshold.enabled) thresholds.set(threshold.name, threshold);
  }
  const alerts = monitor.getRecentAlerts(0);
  const metrics = monitor.getMetricNames().map((name) => {
    const samples = monitor.getMetrics(name);
    return {
      name,
      unit: samples.length > 0 ? samples[samples.length - 1].unit : '',
      samples,
      baseline: monitor.getBaseline(name),
      threshold: thresholds.get(name),
      alerts: alerts.filter((alert) => alert.metricName === name),
    };
  });
  // Metrics with the most alerts come first; ties keep the name order.
  metrics.sort((a, b) => b.alerts.length - a.alerts.length);

  const comparisons = harness === undefined ? [] : harness.getAllResults().map((result) => ({
    result,
    analysis: harness.analyzeResults(result.testId),
  }));
  return {
    summary: monitor.getPerformanceSummary(),
    serviceReport: service === undefined ? undefined : service.generateReport(),
    metrics,
    alerts,
    comparisons,
    hasHarness: harness !== undefined,
  };
}

// ---------------------------------------------------------------- charts

/** Keeps the first and last point and the minimum and maximum of each bucket, in order. */
function downsample(points, maxPoints) {
  if (points.length <= maxPoints) return points;
  const bucketCount = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const inner = points.slice(1, -1);
  const kept = [points[0]];
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const start = Math.floor((bucket * inner.length) / bucketCount);
    const end = Math.floor(((bucket + 1) * inner.length) / bucketCount);
    if (end <= start) continue;
    let low = inner[start];
    let high = inner[start];
    for (let index = start + 1; index < end; index++) {
      if (inner[index].value < low.value) low = inner[index];
      if (inner[index].value > high.value) high = inner[index];
    }
    if (low === high) kept.push(low);
    else kept.push(...(low.index < high.index ? [low, high] : [high, low]));
  }
  kept.push(points[points.length - 1]);
  return kept;
}

function valueDomain(metric) {
  let low = Infinity;
  let high = -Infinity;
  const include = (value) => {
    if (!Number.isFinite(value)) return;
    low = Math.min(low, value);
    high = Math.max(high, value);
  };
  for (const sample of metric.samples) include(sample.value);
  if (metric.threshold) include(metric.threshold.maxValue);
  if (metric.baseline) include(metric.baseline.p95);
  if (low === high) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  const step = niceStep(high - low, Y_TICKS);
  const domainLow = Math.floor(low / step) * step;
  return { low: low >= 0 && domainLow < 0 ? 0 : domainLow, high: Math.ceil(high / step) * step, step };
}

/**
 * Builds the scales of one chart. Samples are placed by timestamp, or by
 * their position when fewer than half of them have distinct timestamps, as
 * in a recordMany batch or a burst within a few milliseconds.
 */
function chartScales(metric) {
  const samples = metric.samples;
  const first = samples[0].timestamp;
  const last = samples[samples.length - 1].timestamp;
  const distinct = new Set(samples.map((sample) => sample.timestamp)).size;
  const byTime = last > first && distinct * 2 >= samples.length;
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  // A single sample sits in the middle of a span of two positions.
  const single = samples.length === 1;
  let xLow = single ? -1 : 0;
  let xHigh = single ? 1 : samples.length - 1;
  if (byTime) {
    xLow = first;
    xHigh = last;
  }
  const y = valueDomain(metric);
  return {
    byTime,
    xLow,
    xHigh,
    y,
    x: (position) => CHART.left + ((position - xLow) / (xHigh - xLow)) * plotWidth,
    yOf: (value) => CHART.top + (1 - (value - y.low) / (y.high - y.low)) * plotHeight,
  };
}

const coordinate = (number) => number.toFixed(1);

/** Clock labels would repeat over a span of a few seconds, so short spans show offsets from the first sample. */
function isRelativeTime(scales) {
  return scales.byTime && scales.xHigh - scales.xLow < RELATIVE_TIME_SPAN_MS;
}

function formatOffset(milliseconds) {
  if (milliseconds < 1000) return `+${formatNumber(milliseconds)} ms`;
  return `+${formatNumber(milliseconds / 1000)} s`;
}

/** Returns the x-axis ticks as `{ position, label }`: evenly spaced times, or distinct sample numbers. */
function xTicks(scales, sampleCount) {
  const span = scales.xHigh - scales.xLow;
  if (scales.byTime) {
    return Array.from({ length: X_TICKS + 1 }, (_, tick) => {
      const position = scales.xLow + (span * tick) / X_TICKS;
      const label = isRelativeTime(scales) ? formatOffset(position - scales.xLow) : formatTime(position);
      return { position, label };
    });
  }
  const positions = new Set();
  for (let tick = 0; tick <= X_TICKS; tick++) {
    const position = Math.round(scales.xLow + (span * tick) / X_TICKS);
    if (position >= 0 && position < sampleCount) positions.add(position);
  }
  return [...positions].map((position) => ({ position, label: `#${position + 1}` }));
}

function renderAxes(metric, scales) {
  const parts = [];
  const right = CHART.width - CHART.right;
  const bottom = CHART.height - CHART.bottom;
  const tickCount = Math.round((scales.y.high - scales.y.low) / scales.y.step);
  for (let tick = 0; tick <= tickCount; tick++) {
    const value = scales.y.low + tick * scales.y.step;
    const y = coordinate(scales.yOf(value));
    parts.push(`<line class="grid" x1="${CHART.left}" x2="${right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${CHART.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatNumber(Number(value.toPrecision(12))))}</text>`);
  }

  for (const tick of xTicks(scales, metric.samples.length)) {
    let anchor = 'middle';
    if (tick.position === scales.xLow) anchor = 'start';
    if (tick.position === scales.xHigh) anchor = 'end';
    parts.push(`<text class="tick" x="${coordinate(scales.x(tick.position))}" y="${bottom + 16}" text-anchor="${anchor}">${escapeHtml(tick.label)}</text>`);
  }
  parts.push(`<line class="axis" x1="${CHART.left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${CHART.left}" x2="${CHART.left}" y1="${CHART.top}" y2="${bottom}"/>`);
  let axisTitle = 'sample';
  if (isRelativeTime(scales)) axisTitle = `time since ${new Date(scales.xLow).toISOString().slice(11, 23)} UTC`;
  else if (scales.byTime) axisTitle = 'time (UTC)';
  parts.push(`<text class="axis-title" x="${right}" y="${CHART.height - 2}" text-anchor="end">${axisTitle}</text>`);
  if (metric.unit) {
    parts.push(`<text class="axis-title" x="4" y="${CHART.top - 2}">${escapeHtml(metric.unit)}</text>`);
  }
  return parts.join('');
}

function renderBaseline(metric, scales) {
  const baseline = metric.baseline;
  if (!baseline) return '';
  const left = CHART.left;
  const right = CHART.width - CHART.right;
  const p50 = scales.yOf(baseline.p50);
  const p95 = scales.yOf(baseline.p95);
  return (
    `<rect data-role="band" class="band" x="${left}" y="${coordinate(p95)}" width="${right - left}" height="${coordinate(Math.max(0, p50 - p95))}"><title>p50–p95 band: ${escapeHtml(formatWithUnit(baseline.p50, metric.unit))} to ${escapeHtml(formatWithUnit(baseline.p95, metric.unit))}</title></rect>` +
    `<line data-role="p95" class="p95" x1="${left}" x2="${right}" y1="${coordinate(p95)}" y2="${coordinate(p95)}"/>`
  );
}

function renderThreshold(metric, scales) {
  const threshold = metric.threshold;
  if (!threshold) return '';
  const y = coordinate(scales.yOf(threshold.maxValue));
  const right = CHART.width - CHART.right;
  return `<line data-role="threshold" class="threshold" x1="${CHART.left}" x2="${right}" y1="${y}" y2="${y}"/>`;
}

/** Labels the p95 and threshold lines; drawn last so that no marker hides them. */
function renderLineLabels(metric, scales) {
  const labels = [];
  if (metric.baseline) {
    const y = coordinate(scales.yOf(metric.baseline.p95) - 4);
    const text = `p95 ${formatWithUnit(metric.baseline.p95, metric.unit)}`;
    labels.push(`<text class="line-label p95-label" x="${CHART.left + 4}" y="${y}">${escapeHtml(text)}</text>`);
  }
  if (metric.threshold) {
    const y = coordinate(scales.yOf(metric.threshold.maxValue) - 4);
    const text = `threshold ${formatWithUnit(metric.threshold.maxValue, metric.threshold.unit)}`;
    const x = CHART.width - CHART.right - 4;
    labels.push(`<text class="line-label threshold-label" x="${x}" y="${y}" text-anchor="end">${escapeHtml(text)}</text>`);
  }
  return labels.join('');
}

function renderSeries(metric, scales, maxPoints) {
  const points = metric.samples.map((sample, index) => ({ index, value: sample.value, timestamp: sample.timestamp }));
  const kept = downsample(points, maxPoints);
  const coordinates = kept.map((point) => ({
    x: coordinate(scales.x(scales.byTime ? point.timestamp : point.index)),
    y: coordinate(scales.yOf(point.value)),
  }));
  // A line through one point draws nothing, so a lone sample is a dot.
  if (coordinates.length === 1) {
    return `<circle data-role="series" class="series-dot" cx="${coordinates[0].x}" cy="${coordinates[0].y}" r="3"/>`;
  }
  const path = coordinates.map((point) => `${point.x},${point.y}`).join(' ');
  return `<polyline data-role="series" class="series" points="${path}"/>`;
}

/**
 * Draws one marker per alert of the metric at the sample that raised it:
 * the kept sample with the alert's timestamp and value. Alerts whose sample
 * left the window are counted and not drawn.
 */
function renderAlertMarkers(metric, scales) {
  const samplesByKey = new Map();
  metric.samples.forEach((sample, index) => {
    const key = `${sample.timestamp}|${sample.value}`;
    if (!samplesByKey.has(key)) samplesByKey.set(key, []);
    samplesByKey.get(key).push(index);
  });

  const markers = [];
  let outsideWindow = 0;
  for (const alert of metric.alerts) {
    const indices = samplesByKey.get(`${alert.timestamp}|${alert.currentValue}`);
    const index = indices?.shift();
    if (index === undefined) {
      outsideWindow++;
      continue;
    }
    const x = coordinate(scales.x(scales.byTime ? alert.timestamp : index));
    const y = coordinate(scales.yOf(alert.currentValue));
    const severity = alert.severity === 'critical' ? 'critical' : 'warning';
    const description = `${severity} alert at ${formatDateTime(alert.timestamp)}: ${formatWithUnit(alert.currentValue, metric.unit)} crossed ${formatWithUnit(alert.threshold, metric.unit)}`;
    markers.push(`<circle data-role="alert" data-severity="${severity}" class="alert ${severity}" cx="${x}" cy="${y}" r="4.5"><title>${escapeHtml(description)}</title></circle>`);
  }
  return { markup: markers.join(''), drawn: markers.length, outsideWindow };
}

function renderChart(metric, options) {
  const scales = chartScales(metric);
  const markers = renderAlertMarkers(metric, scales);
  const label = `${metric.name}: ${countSamples(metric.samples.length)}${metric.unit ? ` in ${metric.unit}` : ''}`;
  const svg =
    `<svg data-metric="${escapeHtml(metric.name)}" data-alerts="${markers.drawn}" viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-label="${escapeHtml(label)}">` +
    renderAxes(metric, scales) +
    renderBaseline(metric, scales) +
    renderThreshold(metric, scales) +
    renderSeries(metric, scales, options.maxPoints) +
    markers.markup +
    renderLineLabels(metric, scales) +
    '</svg>';
  return `<figure class="chart"><figcaption><h3>${escapeHtml(metric.name)}</h3>${renderChartFacts(metric, markers)}</figcaption>${svg}</figure>`;
}

function countSamples(count) {
  return `${count} sample${count === 1 ? '' : 's'}`;
}

function renderChartFacts(metric, markers) {
  const baseline = metric.baseline;
  const facts = [countSamples(metric.samples.length)];
  if (baseline) {
    facts.push(`mean ${formatWithUnit(baseline.averageValue, metric.unit)}`);
    facts.push(`p50 ${formatWithUnit(baseline.p50, metric.unit)}`);
    facts.push(`p95 ${formatWithUnit(baseline.p95, metric.unit)}`);
    facts.push(`p99 ${formatWithUnit(baseline.p99, metric.unit)}`);
    facts.push(`max ${formatWithUnit(baseline.maxValue, metric.unit)}`);
  }
  facts.push(`${markers.drawn} alert${markers.drawn === 1 ? '' : 's'}`);
  if (markers.outsideWindow > 0) facts.push(`${markers.outsideWindow} more before the kept window`);
  return `<p class="facts">${facts.map(escapeHtml).join(' · ')}</p>`;
}

// ---------------------------------------------------------------- tables

function renderTable(name, headers, rows, emptyText) {
  if (rows.length === 0) return `<p class="empty" data-table="${name}">${escapeHtml(emptyText)}</p>`;
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows
    .map((row) => `<tr${row.className ? ` class="${row.className}"` : ''}>${row.cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table data-table="${name}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function renderAlertsTable(data) {
  const units = new Map(data.metrics.map((metric) => [metric.name, metric.unit]));
  const rows = [...data.alerts].reverse().map((alert) => {
    const unit = units.get(alert.metricName) ?? '';
    return {
      className: alert.severity === 'critical' ? 'critical' : 'warning',
      cells: [
        formatDateTime(alert.timestamp),
        alert.metricName,
        alert.severity,
        formatWithUnit(alert.currentValue, unit),
        formatWithUnit(alert.threshold, unit),
        formatWithUnit(alert.previousValue, unit),
        formatPercent(alert.regressionPercentage),
      ],
    };
  });
  return renderTable(
    'alerts',
    ['Time', 'Metric', 'Severity', 'Value', 'Limit crossed', 'Limit or baseline mean', 'Change'],
    rows,
    'No alerts in the history.',
  );
}

function describeResults(result) {
  if (result.error) return `error (${result.failedImplementation ?? 'unknown'} side)`;
  return result.isEqual ? 'equal' : 'different';
}

function renderComparisonsTable(data, options) {
  const shown = data.comparisons.slice(-options.maxComparisons).reverse();
  const rows = shown.map(({ result, analysis }) => ({
    className: analysis.passed ? 'passed' : 'failed',
    cells: [
      result.testId,
      analysis.passed ? 'passed' : 'failed',
      describeResults(result),
      `${formatNumber(result.executionTimeOld)} ms`,
      `${formatNumber(result.executionTimeNew)} ms`,
      formatRatio(analysis.performanceRatio),
      formatBytes(result.memoryUsageOld),
      formatBytes(result.memoryUsageNew),
      formatRatio(analysis.memoryRatio),
      result.error ?? analysis.differences.join('; '),
    ],
  }));
  const table = renderTable(
    'comparisons',
    ['Test', 'Verdict', 'Results', 'Old time', 'New time', 'Time ratio', 'Old heap', 'New heap', 'Heap ratio', 'Notes'],
    rows,
    data.hasHarness ? 'No comparisons were run.' : 'No test harness: the report was made from a monitor alone.',
  );
  const hidden = data.comparisons.length - shown.length;
  return hidden > 0 ? `${table}<p class="note">The ${hidden} older comparisons are not shown.</p>` : table;
}

// ---------------------------------------------------------------- page

function renderCards(data) {
  const passed = data.comparisons.filter((comparison) => comparison.analysis.passed).length;
  const cards = [
    ['Metrics', data.metrics.length],
    ['Samples kept', data.summary.totalMetrics],
    ['Active thresholds', data.summary.activeThresholds],
    ['Alerts in history', data.alerts.length],
    ['Comparisons passed', `${passed} / ${data.comparisons.length}`],
  ];
  if (data.serviceReport) cards.push(['Critical issues', data.serviceReport.summary.criticalIssues]);
  return cards
    .map(([label, value]) => `<div class="card"><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`)
    .join('');
}

function renderRecommendations(data) {
  const recommendations = data.serviceReport?.recommendations ?? [];
  if (recommendations.length === 0) return '';
  const items = recommendations.map((text) => `<li>${escapeHtml(text)}</li>`).join('');
  return `<section><h2>Recommendations</h2><ul class="recommendations">${items}</ul></section>`;
}

const STYLE = `
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --accent: #2f6fde; --warning: #d98a00; --critical: #d64545; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #f5f7fa; }
header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
h3 { font-size: 14px; margin: 0; word-break: break-all; }
.generated, .note, .empty { color: var(--muted); }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .label { color: var(--muted); font-size: 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
.chart { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 6px; }
.chart svg { width: 100%; height: auto; display: block; }
.facts { margin: 2px 0 4px; color: var(--muted); font-size: 12px; }
.grid { stroke: #eef2f6; stroke-width: 1; }
.axis { stroke: #9aa5b1; stroke-width: 1; }
.tick, .axis-title { fill: var(--muted); font-size: 10px; }
.series-dot { fill: var(--accent); }
.series { fill: none; stroke: var(--accent); stroke-width: 1.5; stroke-linejoin: round; }
.band { fill: rgba(47, 111, 222, 0.10); }
.p95 { stroke: #7b5cd6; stroke-width: 1.2; stroke-dasharray: 2 3; }
.p95-label { fill: #7b5cd6; }
.threshold { stroke: var(--critical); stroke-width: 1.4; stroke-dasharray: 6 4; }
.threshold-label { fill: var(--critical); }
.line-label { font-size: 10px; paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.alert { stroke: #fff; stroke-width: 1.2; }
.alert.warning { fill: var(--warning); }
.alert.critical { fill: var(--critical); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); font-size: 12.5px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
tr.critical td:nth-child(3), tr.failed td:nth-child(2) { color: var(--critical); font-weight: 600; }
tr.warning td:nth-child(3) { color: var(--warning); font-weight: 600; }
tr.passed td:nth-child(2) { color: #2f8f4e; font-weight: 600; }
td:last-child { word-break: break-word; }
`;

/**
 * Returns one self-contained HTML page for a PerformanceMonitoringService or
 * a PerformanceMonitor. It contains summary cards and an SVG chart per metric
 * with the values over time, the threshold line, the p50–p95 band with the
 * p95 line and a marker per alert. The alerts table and the table of
 * implementation comparisons from the service's test harness follow. The
 * page has no scripts and loads nothing from elsewhere. All text is escaped.
 *
 * @param {object} source a PerformanceMonitoringService or a PerformanceMonitor
 * @param {object} [options]
 * @param {string} [options.title='perf-sentinel report']
 * @param {number} [options.now=Date.now()] generation time shown in the header (epoch ms)
 * @param {number} [options.maxPoints=600] points drawn per chart; more samples are
 *   reduced to each bucket's minimum and maximum
 * @param {number} [options.maxComparisons=200] newest comparisons listed
 * @returns {string} the HTML document
 */
function renderHtmlReport(source, options) {
  const settings = readOptions(options);
  const data = collectReportData(source);

  const charts = data.metrics.length === 0
    ? '<p class="empty">No metric has samples yet.</p>'
    : `<div class="charts">${data.metrics.map((metric) => renderChart(metric, settings)).join('\n')}</div>`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(settings.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(settings.title)}</h1><span class="generated">Generated ${escapeHtml(formatDateTime(settings.now))}</span></header>
<section class="cards">${renderCards(data)}</section>
<section><h2>Metrics (${data.metrics.length})</h2>
${charts}
</section>
<section><h2>Alerts (${data.alerts.length})</h2>
${renderAlertsTable(data)}
</section>
<section><h2>Implementation comparisons (${data.comparisons.length})</h2>
${renderComparisonsTable(data, settings)}
</section>
${renderRecommendations(data)}
</body>
</html>
`;
}

module.exports = { renderHtmlReport, escapeHtml };
