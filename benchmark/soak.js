'use strict';

// Soak run: records samples at a fixed rate for a fixed time through a
// started service whose retention drops old samples, and prints RSS over
// time. RSS should stay flat after warm-up: the monitor keeps at most
// maxSamples per name and the periodic task drops samples past retention.
//
// Usage: node benchmark/soak.js [--seconds 600] [--rate 100000] [--names 1000]
//        [--retention-seconds 60] [--out soak.json]

const { parseArgs } = require('node:util');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

const { PerformanceMonitoringService } = require('..');

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    rate: { type: 'string', default: '100000' },
    names: { type: 'string', default: '1000' },
    'retention-seconds': { type: 'string', default: '60' },
    'report-every': { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});

const seconds = Number(args.seconds);
const rate = Number(args.rate);
const nameCount = Number(args.names);
const retentionSeconds = Number(args['retention-seconds']);
const reportEvery = Number(args['report-every']);
for (const [name, value] of Object.entries({ seconds, rate, nameCount, retentionSeconds, reportEvery })) {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`--${name} must be a positive number, received ${value}`);
}

const TICK_MS = 10;
const names = Array.from({ length: nameCount }, (_, i) => `soak_metric_${i}`);

const service = new PerformanceMonitoringService({
  alerting: { console: { enabled: false }, file: { enabled: false } },
  monitoring: {
    metricsRetentionDays: retentionSeconds / 86400,
    baselineUpdateInterval: 1000,
    alertCooldownPeriod: 60000,
  },
});
service.start();

const started = performance.now();
const curve = [];
let recorded = 0;
let nextReport = reportEvery;
let state = 12345;

function random() {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648;
}

function tick() {
  const elapsed = (performance.now() - started) / 1000;
  const due = Math.floor(elapsed * rate) - recorded;
  for (let i = 0; i < due; i++) {
    const name = names[(recorded + i) % nameCount];
    service.recordMetric(name, 20 + random() * 10, 'ms');
  }
  recorded += Math.max(0, due);

  if (elapsed >= nextReport) {
    const rssMb = process.memoryUsage().rss / 1048576;
    const point = { seconds: Math.round(elapsed), rssMb: Number(rssMb.toFixed(1)), recorded };
    curve.push(point);
    console.log(`${String(point.seconds).padStart(5)} s  RSS ${point.rssMb.toFixed(1).padStart(7)} MB  samples ${recorded}`);
    nextReport += reportEvery;
  }

  if (elapsed < seconds) {
    setTimeout(tick, TICK_MS);
  } else {
    finish();
  }
}

async function finish() {
  await service.cleanup();
  const warm = curve.filter((point) => point.seconds > Math.max(retentionSeconds * 2, 60));
  const rss = warm.map((point) => point.rssMb);
  const summary = {
    seconds,
    rate,
    names: nameCount,
    retentionSeconds,
    recorded,
    achievedRate: Math.round(recorded / seconds),
    warmRssMinMb: rss.length ? Math.min(...rss) : null,
    warmRssMaxMb: rss.length ? Math.max(...rss) : null,
    warmRssSpreadPercent: rss.length ? Number((((Math.max(...rss) - Math.min(...rss)) / Math.min(...rss)) * 100).toFixed(2)) : null,
    curve,
  };
  console.log(JSON.stringify({ ...summary, curve: undefined }, null, 2));
  if (args.out) fs.writeFileSync(args.out, JSON.stringify(summary, null, 2));
}

tick();
