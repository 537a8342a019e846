'use strict';

// Times perf-sentinel's PerformanceMonitor next to the pure-JS reference
// monitor and the benchmark floor functions, in one process. Every round
// measures every case once (mitata's `measure`, which batches fast calls),
// so a slow phase of the machine hits all cases alike. The result of a case
// is the median over rounds of each round's median time per operation.
//
// Usage: node benchmark/compare.js [--rounds 5] [--time 150] [--json]
//        npx bun benchmark/compare.js ...

const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const binding = require(path.join(ROOT, 'binding.js'));
const { PerformanceMonitor } = require(ROOT);
const { ReferenceMonitor } = require('./reference-monitor');

const HISTORIES = [10, 100, 1000];
/** Values 50 to 59: never more than 20 % above any mean, so no regression alert fires. */
const VALUES = Float64Array.from({ length: 1024 }, (_, i) => 50 + ((i * 7) % 10));
const CONTEXT = { endpoint: '/api/rooms', method: 'POST' };
const BATCH = Float64Array.from({ length: 10000 }, (_, i) => VALUES[i & 1023]);
const EXPORT_NAMES = 100;
const EXPORT_SAMPLES = 1000;

function parseArgs(argv) {
  const options = { rounds: 5, time: 150, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rounds') options.rounds = Number(argv[++i]);
    else if (argv[i] === '--time') options.time = Number(argv[++i]);
    else if (argv[i] === '--json') options.json = true;
  }
  return options;
}

/** Returns a monitor of each kind with `history` samples of `name` already kept. */
function filledMonitors(name, history, context) {
  const native = new PerformanceMonitor({ maxSamples: history });
  const reference = new ReferenceMonitor(history);
  for (let i = 0; i < history; i++) {
    native.recordMetric(name, VALUES[i & 1023], 'ms', context);
    reference.recordMetric(name, VALUES[i & 1023], 'ms', context);
  }
  return { native, reference };
}

/**
 * Builds the cases. Each has a group (the row of the table), an
 * implementation (the column), the operations one call of `fn` performs and
 * the function itself.
 */
function buildCases() {
  const cases = [];
  let i = 0;

  cases.push({ group: 'floor: noop(string, number)', impl: 'floor', fn: () => binding.noop('latency', VALUES[i++ & 1023]) });
  cases.push({ group: 'floor: noopNumber(number)', impl: 'floor', fn: () => binding.noopNumber(VALUES[i++ & 1023]) });
  cases.push({ group: 'floor: noopNumberRaw(number)', impl: 'floor', fn: () => binding.noopNumberRaw(VALUES[i++ & 1023]) });

  for (const history of HISTORIES) {
    const plain = filledMonitors('latency', history, undefined);
    const group = `recordMetric, history ${history}`;
    cases.push({ group, impl: 'native', fn: () => plain.native.recordMetric('latency', VALUES[i++ & 1023], 'ms') });
    cases.push({ group, impl: 'reference', fn: () => plain.reference.recordMetric('latency', VALUES[i++ & 1023], 'ms') });

    const withContext = filledMonitors('latency', history, CONTEXT);
    const contextGroup = `recordMetric + context, history ${history}`;
    cases.push({
      group: contextGroup,
      impl: 'native',
      fn: () => withContext.native.recordMetric('latency', VALUES[i++ & 1023], 'ms', CONTEXT),
    });
    cases.push({
      group: contextGroup,
      impl: 'reference',
      fn: () => withContext.reference.recordMetric('latency', VALUES[i++ & 1023], 'ms', CONTEXT),
    });
  }

  const forHandle = filledMonitors('latency', 1000, undefined);
  if (typeof forHandle.native.metric === 'function') {
    const handle = forHandle.native.metric('latency', 'ms');
    cases.push({ group: 'metric(name).record(value), history 1000', impl: 'native', fn: () => handle.record(VALUES[i++ & 1023]) });
  }

  const forMany = filledMonitors('latency', 1000, undefined);
  cases.push({
    group: `recordMany, ${BATCH.length} values, per value`,
    impl: 'native',
    operations: BATCH.length,
    fn: () => forMany.native.recordMany('latency', BATCH, 'ms'),
  });

  const forBaseline = filledMonitors('latency', 1000, undefined);
  cases.push({ group: 'getBaseline, history 1000', impl: 'native', fn: () => forBaseline.native.getBaseline('latency') });
  cases.push({ group: 'getBaseline, history 1000', impl: 'reference', fn: () => forBaseline.reference.getBaseline('latency') });

  const exportNative = new PerformanceMonitor();
  const exportReference = new ReferenceMonitor();
  for (let n = 0; n < EXPORT_NAMES; n++) {
    for (let s = 0; s < EXPORT_SAMPLES; s++) {
      exportNative.recordMetric(`metric_${n}`, VALUES[s & 1023], 'ms');
      exportReference.recordMetric(`metric_${n}`, VALUES[s & 1023], 'ms');
    }
  }
  const exportGroup = `exportMetrics, ${EXPORT_NAMES} names x ${EXPORT_SAMPLES} samples`;
  cases.push({ group: exportGroup, impl: 'native', fn: () => exportNative.exportMetrics() });
  cases.push({ group: exportGroup, impl: 'reference', fn: () => exportReference.exportMetrics() });

  return cases;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { measure } = await import('mitata');
  const cases = buildCases();
  const perRound = cases.map(() => []);

  for (let round = 0; round < options.rounds; round++) {
    for (let c = 0; c < cases.length; c++) {
      const stats = await measure(cases[c].fn, { min_cpu_time: options.time * 1e6, min_samples: 8 });
      perRound[c].push(stats.p50 / (cases[c].operations ?? 1));
    }
  }

  const results = cases.map((entry, c) => ({
    group: entry.group,
    impl: entry.impl,
    ns: median(perRound[c]),
    rounds: perRound[c],
  }));
  const runtime = typeof Bun !== 'undefined' ? `bun ${Bun.version}` : `node ${process.version}`;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ runtime, rounds: options.rounds, results })}\n`);
    return;
  }
  console.log(runtime);
  for (const result of results) {
    console.log(`${result.group.padEnd(48)} ${result.impl.padEnd(10)} ${result.ns.toFixed(1).padStart(12)} ns`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
