'use strict';

// `npm run bench` runs the JavaScript comparison, the memory and the
// worker-thread benchmarks under Node and under Bun, then the criterion
// benchmarks of the Rust core. It prints one Markdown report: the machine,
// the tables, and each target as a ratio from this run.
//
// Usage: node benchmark/index.js [--rounds 7] [--time 150] [--skip-rust]

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BUN = path.join(ROOT, 'node_modules', '.bin', 'bun');

function option(args, flag, fallback) {
  const index = args.indexOf(flag);
  return index === -1 ? fallback : args[index + 1];
}

/** Runs a command, returning its stdout; throws with its stderr when it fails. */
function run(command, args, { timeout = 1800000 } = {}) {
  process.stderr.write(`> ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout, maxBuffer: 64 * 2 ** 20 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (status ${result.status}, signal ${result.signal}):\n${result.stderr}`);
  }
  return result.stdout;
}

function runJson(command, args) {
  const lines = run(command, args).trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    model,
    kernel: `${os.type()} ${os.release()}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  };
}

/** Reads criterion's median estimates (ns) from target/criterion. */
function criterionResults() {
  const base = path.join(ROOT, 'target', 'criterion');
  const results = [];
  for (const group of ['record', 'record_many', 'queries']) {
    const groupDir = path.join(base, group);
    if (!fs.existsSync(groupDir)) continue;
    for (const id of fs.readdirSync(groupDir)) {
      const file = path.join(groupDir, id, 'new', 'estimates.json');
      const benchmark = path.join(groupDir, id, 'new', 'benchmark.json');
      if (!fs.existsSync(file) || !fs.existsSync(benchmark)) continue;
      const estimates = JSON.parse(fs.readFileSync(file, 'utf8'));
      const { title } = JSON.parse(fs.readFileSync(benchmark, 'utf8'));
      results.push({ name: title ?? `${group}/${id}`, ns: estimates.median.point_estimate });
    }
  }
  return results;
}

function formatTime(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

function find(report, group, impl) {
  return report.results.find((r) => r.group === group && r.impl === impl)?.ns;
}

function verdict(met) {
  return met ? 'met' : '**not met**';
}

function comparisonTable(reports) {
  const groups = [...new Set(reports[0].results.map((r) => r.group))];
  const header = ['case'];
  for (const report of reports) header.push(`${report.runtime} perf-sentinel`, `${report.runtime} pure JS`, 'speed-up');
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const group of groups) {
    const cells = [group];
    for (const report of reports) {
      const native = find(report, group, 'native') ?? find(report, group, 'floor');
      const reference = find(report, group, 'reference');
      cells.push(
        native === undefined ? '' : formatTime(native),
        reference === undefined ? '' : formatTime(reference),
        native !== undefined && reference !== undefined ? `${(reference / native).toFixed(1)}x` : '',
      );
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Returns the target rows of one runtime: [target, measured, verdict]. */
function targetRows(compare, memory, threads) {
  const floor = find(compare, 'floor: noop(string, number)', 'floor');
  const numberFloor = find(compare, 'floor: noopNumber(number)', 'floor');
  const rawFloor = find(compare, 'floor: noopNumberRaw(number)', 'floor');
  const record = find(compare, 'recordMetric, history 1000', 'native');
  const reference = find(compare, 'recordMetric, history 1000', 'reference');
  const withContext = find(compare, 'recordMetric + context, history 1000', 'native');
  const handle = find(compare, 'metric(name).record(value), history 1000', 'native');
  const many = find(compare, 'recordMany, 10000 values, per value', 'native');
  const rows = [
    ['recordMetric, history 1000: pure JS / perf-sentinel ≥ 40', (reference / record).toFixed(1), reference / record >= 40],
    ['recordMetric / floor noop(string, number) ≤ 2.5', (record / floor).toFixed(2), record / floor <= 2.5],
    ['recordMetric + context / floor noop(string, number) ≤ 5', (withContext / floor).toFixed(2), withContext / floor <= 5],
    ['metric(name).record / floor noopNumber(number) ≤ 1.5', (handle / numberFloor).toFixed(2), handle / numberFloor <= 1.5],
    ['recordMany ≥ 20 M samples/s', `${(1e3 / many).toFixed(1)} M/s`, 1e3 / many >= 20],
    ['retained bytes per sample, no context ≤ 40', memory.plain.bytesPerSample.toFixed(1), memory.plain.bytesPerSample <= 40],
    ['two workers / one worker, samples/s ≥ 1.6', threads.scaling.toFixed(2), threads.scaling >= 1.6],
    ['worker alert to idle owner, p99 ≤ 5 ms', `${threads.latencyP99.toFixed(3)} ms`, threads.latencyP99 <= 5],
  ];
  const info = [
    ['metric(name).record / plain Node-API floor noopNumberRaw (no target)', rawFloor ? (handle / rawFloor).toFixed(2) : 'n/a'],
    ['retained bytes per sample with a 41-byte context (no target)', memory.context.bytesPerSample.toFixed(1)],
    ['two workers / one worker for a pure-JS loop, the machine\'s share (no target)', threads.controlScaling.toFixed(2)],
  ];
  return { rows, info };
}

function targetsTable(runtimes) {
  const header = ['target', ...runtimes.flatMap((r) => [r.runtime, ''])];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const perRuntime = runtimes.map((r) => targetRows(r.compare, r.memory, r.threads));
  perRuntime[0].rows.forEach(([label], index) => {
    const cells = [label];
    for (const rows of perRuntime) cells.push(rows.rows[index][1], verdict(rows.rows[index][2]));
    lines.push(`| ${cells.join(' | ')} |`);
  });
  perRuntime[0].info.forEach(([label], index) => {
    const cells = [label];
    for (const rows of perRuntime) cells.push(rows.info[index][1], '');
    lines.push(`| ${cells.join(' | ')} |`);
  });
  return lines.join('\n');
}

function threadsTable(runtimes) {
  const lines = [
    '| runtime | one worker | two workers | scaling | pure-JS control scaling | alert latency p50 | p99 | max | alerts dropped |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { runtime, threads } of runtimes) {
    lines.push(
      `| ${runtime} | ${(threads.oneWorker / 1e6).toFixed(2)} M/s | ${(threads.twoWorkers / 1e6).toFixed(2)} M/s | ` +
        `${threads.scaling.toFixed(2)}x | ${threads.controlScaling.toFixed(2)}x | ` +
        `${threads.latencyP50.toFixed(3)} ms | ${threads.latencyP99.toFixed(3)} ms | ` +
        `${threads.latencyMax.toFixed(3)} ms | ${threads.droppedAlerts} |`,
    );
  }
  return lines.join('\n');
}

function memoryTable(runtimes) {
  const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const lines = [
    '| runtime | empty process RSS | 10M samples, 10,000 names | bytes/sample | 1M samples with context, 1,000 names | bytes/sample |',
    '|---|---|---|---|---|---|',
  ];
  for (const { runtime, memory } of runtimes) {
    lines.push(
      `| ${runtime} | ${mib(memory.emptyRss)} | ${mib(memory.plain.rss)} | ${memory.plain.bytesPerSample.toFixed(1)} | ` +
        `${mib(memory.context.rss)} | ${memory.context.bytesPerSample.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

function rustTable(results) {
  const lines = ['| benchmark (criterion, median) | time |', '|---|---|'];
  for (const result of results) lines.push(`| ${result.name} | ${formatTime(result.ns)} |`);
  return lines.join('\n');
}

function main() {
  const args = process.argv.slice(2);
  const rounds = option(args, '--rounds', '7');
  const time = option(args, '--time', '150');

  const runtimes = [
    { runtime: `node ${process.version}`, command: process.execPath },
    { runtime: `bun ${run(BUN, ['--version']).trim()}`, command: BUN },
  ];
  for (const entry of runtimes) {
    entry.compare = runJson(entry.command, ['benchmark/compare.js', '--json', '--rounds', rounds, '--time', time]);
    entry.threads = runJson(entry.command, ['benchmark/threads.js', '--json']);
    entry.memory = runJson(entry.command, ['benchmark/memory.js', '--json']);
  }
  let rust = [];
  if (!args.includes('--skip-rust')) {
    run('cargo', ['bench', '-p', 'perf-sentinel-core', '--bench', 'core']);
    rust = criterionResults();
  }

  const host = machine();
  const sections = [
    `Machine: ${host.cpus} CPUs (nproc), ${host.model}, ${host.memory}, ${host.kernel}; ` +
      `${runtimes.map((r) => r.runtime).join(', ')}.`,
    `Command: \`npm run bench\` (\`node benchmark/index.js --rounds ${rounds} --time ${time}\` after a release build). ` +
      `Times are medians over ${rounds} interleaved rounds of each round's median time per operation.`,
    '### Targets',
    targetsTable(runtimes),
    '### Recording and queries, side by side in one process',
    comparisonTable(runtimes.map((r) => r.compare)),
    '### Memory (RSS after a full garbage collection, less an empty process)',
    memoryTable(runtimes),
    '### Worker threads (PerformanceMonitor.shared)',
    threadsTable(runtimes),
  ];
  if (rust.length > 0) sections.push('### Rust core (criterion)', rustTable(rust));
  console.log(sections.join('\n\n'));
}

main();
