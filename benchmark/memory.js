'use strict';

// Retained memory per sample. Each measurement runs in its own child process
// of the same runtime: one records nothing (the empty process), one records
// 10 million samples over 10,000 names without context, one records 1
// million samples over 1,000 names with a small context. Bytes per sample
// are (RSS after recording - RSS of the empty process) / samples, with RSS
// read after a full garbage collection.
//
// Usage: node benchmark/memory.js [--json]      (or: npx bun benchmark/memory.js)

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CONTEXT = { endpoint: '/api/rooms', method: 'POST' };

const SCENARIOS = {
  empty: { names: 0, perName: 0, context: false },
  plain: { names: 10000, perName: 1000, context: false },
  context: { names: 1000, perName: 1000, context: true },
};

function collectGarbage() {
  if (typeof Bun !== 'undefined') {
    Bun.gc(true);
    return;
  }
  require('node:v8').setFlagsFromString('--expose-gc');
  require('node:vm').runInNewContext('gc')();
}

/** Runs one scenario in this process and prints its RSS in bytes as JSON. */
function runChild(name) {
  const scenario = SCENARIOS[name];
  const { PerformanceMonitor } = require(ROOT);
  const monitor = new PerformanceMonitor();
  // A linear congruential generator: values spread like real latencies, so
  // the min and max queues of each series have their typical length.
  let seed = 12345;
  const names = Array.from({ length: scenario.names }, (_, n) => `metric_${n}`);
  for (let round = 0; round < scenario.perName; round++) {
    for (const metricName of names) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const value = 20 + (seed / 2147483648) * 80;
      if (scenario.context) monitor.recordMetric(metricName, value, 'ms', CONTEXT);
      else monitor.recordMetric(metricName, value, 'ms');
    }
  }
  collectGarbage();
  collectGarbage();
  const stored = monitor.getPerformanceSummary().totalMetrics;
  process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage().rss, samples: stored })}\n`);
}

function measure(name) {
  const result = spawnSync(process.execPath, [__filename, '--child', name], { encoding: 'utf8', timeout: 600000 });
  if (result.status !== 0) {
    throw new Error(`memory scenario ${name} failed (status ${result.status}, signal ${result.signal}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

function main() {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex !== -1) {
    runChild(args[childIndex + 1]);
    return;
  }

  const empty = measure('empty');
  const report = { runtime: typeof Bun !== 'undefined' ? `bun ${Bun.version}` : `node ${process.version}` };
  report.emptyRss = empty.rss;
  for (const name of ['plain', 'context']) {
    const measured = measure(name);
    report[name] = {
      samples: measured.samples,
      rss: measured.rss,
      bytesPerSample: (measured.rss - empty.rss) / measured.samples,
    };
  }
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  console.log(report.runtime);
  console.log(`empty process          ${mib(report.emptyRss)}`);
  console.log(
    `10M samples, no context ${mib(report.plain.rss)}: ${report.plain.bytesPerSample.toFixed(1)} bytes per sample`,
  );
  console.log(
    `1M samples with context ${mib(report.context.rss)}: ${report.context.bytesPerSample.toFixed(1)} bytes per sample`,
  );
}

main();
