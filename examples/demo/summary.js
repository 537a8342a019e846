'use strict';

// Figures and text of the demo's closing summary.

/**
 * Returns one row per metric name: how many samples were recorded, and the
 * statistics of the samples the monitor still keeps (its window). The
 * percentiles come from the baseline when it carries p50/p95/p99, else they
 * are computed here from `getMetrics(name)` with linear interpolation
 * between closest ranks, as the baseline does. `source` is
 * 'traffic' for the names in `trafficNames`, else 'migration tests'.
 */
function summariseMetrics(monitor, recordedCounts, trafficNames) {
  const names = new Set([...recordedCounts.keys(), ...baselineNames(monitor.getAllBaselines())]);
  return [...names].sort().map((name) => ({
    ...summariseMetric(monitor, name, recordedCounts.get(name) ?? 0),
    source: trafficNames.has(name) ? 'traffic' : 'migration tests',
  }));
}

function summariseMetric(monitor, name, recorded) {
  const samples = monitor.getMetrics(name);
  const values = samples.map((metric) => metric.value).filter(Number.isFinite);
  const sorted = [...values].sort((a, b) => a - b);
  const baseline = monitor.getBaseline(name);
  const fromBaseline = baseline !== undefined && [baseline.p50, baseline.p95, baseline.p99].every(Number.isFinite);

  return {
    name,
    unit: samples.at(-1)?.unit ?? '',
    recorded,
    window: baseline?.sampleCount ?? values.length,
    mean: baseline?.averageValue ?? mean(values),
    p50: fromBaseline ? baseline.p50 : percentile(sorted, 50),
    p95: fromBaseline ? baseline.p95 : percentile(sorted, 95),
    p99: fromBaseline ? baseline.p99 : percentile(sorted, 99),
    max: baseline?.maxValue ?? sorted.at(-1),
    percentilesFrom: fromBaseline ? 'baseline' : 'samples',
  };
}

// getAllBaselines() may return a Map, an array or an object keyed by name.
function baselineNames(baselines) {
  if (baselines instanceof Map) return [...baselines.keys()];
  if (Array.isArray(baselines)) return baselines.map((baseline) => baseline.metricName);
  return Object.keys(baselines ?? {});
}

function mean(values) {
  if (values.length === 0) return undefined;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  const position = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** Counts `{ alert, type }` events by type and severity. */
function tallyAlerts(alertEvents) {
  const counts = new Map();
  for (const { alert, type } of alertEvents) {
    const key = `${type}\u0000${alert?.severity}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, count]) => {
      const [type, severity] = key.split('\u0000');
      return { type, severity, count };
    })
    .sort((a, b) => a.type.localeCompare(b.type) || a.severity.localeCompare(b.severity));
}

/** Counts alert events by metric name and type, most frequent first. */
function tallyAlertedMetrics(alertEvents) {
  const counts = new Map();
  for (const { alert, type } of alertEvents) {
    const key = `${alert?.metricName}\u0000${type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, count]) => {
      const [metric, type] = key.split('\u0000');
      return { metric, type, count };
    })
    .sort((a, b) => b.count - a.count || a.metric.localeCompare(b.metric));
}

/**
 * Counts the alerts in webhook bodies by type. A merged body carries its
 * alerts in `alerts`, and any other body is one alert with a `type`.
 */
function tallyDeliveredAlerts(deliveries) {
  const byType = {};
  let alerts = 0;
  for (const { body } of deliveries) {
    const entries = Array.isArray(body?.alerts) ? body.alerts : [body];
    for (const entry of entries) {
      const type = String(entry?.type ?? 'unknown');
      byType[type] = (byType[type] ?? 0) + 1;
      alerts += 1;
    }
  }
  return { alerts, byType };
}

function formatNumber(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '-';
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 1000) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

/**
 * Formats rows as a plain text table. Each column is `{ header, key }`, and
 * a column is right-aligned when any row has a number in it.
 */
function formatTable(columns, rows) {
  const cells = rows.map((row) => columns.map((column) => formatNumber(row[column.key])));
  const numeric = columns.map((column) => rows.some((row) => typeof row[column.key] === 'number'));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((line) => line[i].length)),
  );

  const pad = (text, i) => (numeric[i] ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const header = columns.map((column, i) => pad(column.header, i)).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const body = cells.map((line) => line.map(pad).join('  ').trimEnd());
  return [header.trimEnd(), rule, ...body].join('\n');
}

const METRIC_COLUMNS = [
  { header: 'metric', key: 'name' },
  { header: 'unit', key: 'unit' },
  { header: 'recorded', key: 'recorded' },
  { header: 'window', key: 'window' },
  { header: 'mean', key: 'mean' },
  { header: 'p50', key: 'p50' },
  { header: 'p95', key: 'p95' },
  { header: 'p99', key: 'p99' },
  { header: 'max', key: 'max' },
];

const HTTP_COLUMNS = [
  { header: 'phase', key: 'title' },
  { header: 'requests', key: 'requests' },
  { header: 'req/s', key: 'requestsPerSecond' },
  { header: 'p50 ms', key: 'p50' },
  { header: 'p99 ms', key: 'p99' },
  { header: 'max ms', key: 'max' },
  { header: 'non-2xx', key: 'non2xx' },
  { header: 'errors', key: 'errors' },
];

/** Builds the printed summary from the figures the demo collected. */
function renderSummary(figures) {
  const { seconds, url, http, sockets, metrics, alertEvents, webhook, report, files } = figures;
  const sections = [];

  sections.push(`perf-sentinel demo: ${seconds} s of traffic against ${url}`);

  const httpRows = http.map((phase) => ({ ...phase, ...phase.latencyMs }));
  sections.push(['HTTP load (autocannon)', formatTable(HTTP_COLUMNS, httpRows)].join('\n'));

  sections.push(
    [
      'Socket.IO clients',
      `${sockets.clients} clients, ${sockets.roundTrips} round trips, ${sockets.timeouts} replies timed out`,
    ].join('\n'),
  );

  const percentileSources = [...new Set(metrics.map((row) => row.percentilesFrom))].join(', ');
  sections.push(
    [
      'Metrics',
      `(recorded = samples seen, window = samples the monitor keeps, percentiles from ${percentileSources || '-'})`,
      '',
      'from live traffic:',
      formatTable(METRIC_COLUMNS, metrics.filter((row) => row.source === 'traffic')),
      '',
      'from the migration tests:',
      formatTable(METRIC_COLUMNS, metrics.filter((row) => row.source !== 'traffic')),
    ].join('\n'),
  );

  const alertRows = tallyAlerts(alertEvents);
  const metricRows = tallyAlertedMetrics(alertEvents);
  sections.push(
    [
      `Alerts (${alertEvents.length} 'alert' events after cooldown)`,
      "(regression_test = a monitor alert forwarded by the RegressionDetector's onAlert callbacks)",
      alertRows.length === 0
        ? '(none)'
        : formatTable(
            [
              { header: 'type', key: 'type' },
              { header: 'severity', key: 'severity' },
              { header: 'count', key: 'count' },
            ],
            alertRows,
          ),
      '',
      metricRows.length === 0
        ? ''
        : formatTable(
            [
              { header: 'metric', key: 'metric' },
              { header: 'type', key: 'type' },
              { header: 'count', key: 'count' },
            ],
            metricRows,
          ),
    ]
      .join('\n')
      .trimEnd(),
  );

  const byType = Object.entries(webhook.byType)
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
  sections.push(
    [
      'Webhook receiver',
      `${webhook.received} requests received at ${webhook.url}, carrying ${webhook.alerts} alerts` +
        (byType ? ` (${byType})` : ''),
    ].join('\n'),
  );

  const recommendations = report.recommendations ?? [];
  sections.push(
    [
      'Recommendations',
      ...(recommendations.length === 0 ? ['(none)'] : recommendations.map((line) => `- ${line}`)),
    ].join('\n'),
  );

  sections.push(
    ['Files', `report:    ${files.report}`, `html:      ${files.html}`, `alert log: ${files.alertLog} (${files.alertLogLines} lines)`].join('\n'),
  );

  return sections.join('\n\n');
}

module.exports = {
  summariseMetrics,
  tallyAlerts,
  tallyAlertedMetrics,
  tallyDeliveredAlerts,
  formatTable,
  renderSummary,
};
