'use strict';

// Measures how often ParallelTestHarness's statistical verdict is right, on a
// synthetic method whose cost this script controls: a busy-wait of
// base × m milliseconds, where m is drawn from a seeded normal distribution
// with mean 1 and standard deviation `cv` (clamped to at least 0.2).
//
// Two cases, alternated run by run so that a slow phase of the machine hits
// both alike:
// - A/A: the old method against itself (two instances of the same code).
//   Every 'regressed' verdict is a false regression.
// - A/B: the new method is `slowdown` slower. The share of 'regressed'
//   verdicts is the power.
// Each run is one executeParallel call with a time budget.
//
// --simulate N skips the timing and feeds N pairs of samples drawn from the
// same distributions (`--samples` per side) straight to the native
// compareSamples, which measures the statistics alone under ideal,
// independent noise.
//
// Usage: node benchmark/harness-power.js [--runs 100] [--budget 2000]
//          [--base 1] [--cv 0.1] [--slowdown 0.05] [--warmup 20] [--gc 1]
//          [--cases both|aa|ab] [--simulate 0] [--samples 800] [--json]
// --gc 0 passes `gc: false`, so no collection runs between sides.
//        node --expose-gc benchmark/harness-power.js ...   (collections between sides)
//        npx bun benchmark/harness-power.js ...

const os = require('node:os');
const path = require('node:path');

const { ParallelTestHarness } = require(path.resolve(__dirname, '..', 'lib', 'harness'));
const { binding } = require(path.resolve(__dirname, '..', 'lib', 'native'));

const CASES = ['both', 'aa', 'ab'];

function parseArgs(argv) {
  const options = {
    runs: 100,
    budget: 2000,
    base: 1,
    cv: 0.1,
    slowdown: 0.05,
    warmup: 20,
    gc: 1,
    simulate: 0,
    samples: 800,
    cases: 'both',
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--json') {
      options.json = true;
      continue;
    }
    if (flag === '--cases') {
      options.cases = argv[++i];
      if (!CASES.includes(options.cases)) throw new Error(`--cases must be one of ${CASES.join(', ')}, received ${options.cases}`);
      continue;
    }
    const key = flag.replace(/^--/, '');
    if (!(key in options)) throw new Error(`unknown option ${flag}; see the usage at the top of this file`);
    options[key] = Number(argv[++i]);
    if (!Number.isFinite(options[key])) throw new Error(`${flag} needs a number, received ${argv[i]}`);
  }
  return options;
}

/** Returns a seeded generator of numbers in [0, 1) (mulberry32). */
function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns a standard normal generator (Box-Muller) over a seeded uniform one. */
function createNormal(seed) {
  const random = createRandom(seed);
  return () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** Returns an implementation whose `run` busy-waits base × factor × m ms and returns a constant. */
function syntheticImplementation({ baseMs, cv, factor, seed }) {
  const normal = createNormal(seed);
  return {
    run() {
      const multiplier = Math.max(0.2, 1 + cv * normal());
      const end = process.hrtime.bigint() + BigInt(Math.round(baseMs * factor * multiplier * 1e6));
      while (process.hrtime.bigint() < end);
      return 'done';
    },
  };
}

/** Draws `count` costs of the synthetic method without running it. */
function drawCosts({ baseMs, cv, factor, seed }, count) {
  const normal = createNormal(seed);
  return Float64Array.from({ length: count }, () => baseMs * factor * Math.max(0.2, 1 + cv * normal()));
}

async function simulateOnce(options, run, factor) {
  const old = drawCosts({ baseMs: options.base, cv: options.cv, factor: 1, seed: 2 * run + 1 }, options.samples);
  const next = drawCosts({ baseMs: options.base, cv: options.cv, factor, seed: 2 * run + 2 }, options.samples);
  const comparison = await binding.compareSamples(old, next, 1000 + run, 2000);
  return { ...comparison, iterations: options.samples, elapsedMs: 0 };
}

async function runOnce(options, run, factor) {
  const harness = new ParallelTestHarness();
  harness.registerImplementations(
    syntheticImplementation({ baseMs: options.base, cv: options.cv, factor: 1, seed: 2 * run + 1 }),
    syntheticImplementation({ baseMs: options.base, cv: options.cv, factor, seed: 2 * run + 2 }),
  );
  const result = await harness.executeParallel('run', [], `run-${run}`, {
    budgetMs: options.budget,
    warmup: options.warmup,
    seed: 1000 + run,
    gc: options.gc !== 0,
  });
  const { verdict, ratio, ratioCI95, pValue, iterations, elapsedMs } = result.statistics;
  return { verdict, ratio, ratioCI95, pValue, iterations, elapsedMs, gcBetweenSides: result.gcBetweenSides };
}

/** Wilson score interval (95 %) of a proportion. */
function wilson(successes, total) {
  if (total === 0) return [0, 1];
  const z = 1.959964;
  const p = successes / total;
  const denominator = 1 + (z * z) / total;
  const center = (p + (z * z) / (2 * total)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / total + (z * z) / (4 * total * total))) / denominator;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function summarize(name, outcomes) {
  const counts = { regressed: 0, improved: 0, equivalent: 0, inconclusive: 0 };
  for (const outcome of outcomes) counts[outcome.verdict]++;
  const regressed = wilson(counts.regressed, outcomes.length);
  return {
    case: name,
    runs: outcomes.length,
    counts,
    regressedRate: counts.regressed / outcomes.length,
    regressedRateCI95: regressed,
    medianIterations: median(outcomes.map((outcome) => outcome.iterations)),
    medianElapsedMs: median(outcomes.map((outcome) => outcome.elapsedMs)),
    medianRatio: median(outcomes.map((outcome) => outcome.ratio)),
    medianCIWidth: median(outcomes.map((outcome) => outcome.ratioCI95[1] - outcome.ratioCI95[0])),
    regressedRuns: outcomes
      .map((outcome, run) => ({ run, ...outcome }))
      .filter((outcome) => outcome.verdict === 'regressed')
      .map(({ run, ratio, ratioCI95, pValue, iterations }) => ({ run, ratio, ratioCI95, pValue, iterations })),
  };
}

function describeRuntime() {
  const runtime = process.versions.bun ? `Bun ${process.versions.bun}` : `Node ${process.versions.node}`;
  const cpus = os.cpus();
  return `${runtime}, ${cpus.length} × ${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}, ${os.platform()} ${os.arch()}`;
}

function percent(value) {
  return `${(value * 100).toFixed(1)} %`;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const loadBefore = os.loadavg()[0];
  const started = Date.now();
  const outcomes = { aa: [], ab: [] };
  let gcBetweenSides = false;
  const simulated = options.simulate > 0;
  const runs = simulated ? options.simulate : options.runs;
  const measure = simulated ? simulateOnce : runOnce;

  for (let run = 0; run < runs; run++) {
    if (options.cases !== 'ab') {
      const aa = await measure(options, run, 1);
      outcomes.aa.push(aa);
      gcBetweenSides = Boolean(aa.gcBetweenSides);
    }
    if (options.cases !== 'aa') {
      outcomes.ab.push(await measure(options, run, 1 + options.slowdown));
    }
    if (!options.json && (run + 1) % (simulated ? 500 : 10) === 0) {
      const falseRegressions = outcomes.aa.filter((outcome) => outcome.verdict === 'regressed').length;
      const found = outcomes.ab.filter((outcome) => outcome.verdict === 'regressed').length;
      process.stderr.write(`${run + 1}/${runs} runs: A/A regressed ${falseRegressions}, A/B regressed ${found}\n`);
    }
  }

  const report = {
    runtime: describeRuntime(),
    gcBetweenSides,
    settings: options,
    loadAverage: { before: loadBefore, after: os.loadavg()[0] },
    wallSeconds: (Date.now() - started) / 1000,
    cases: [
      ['A/A (old against itself)', outcomes.aa],
      [`A/B (new ${percent(options.slowdown)} slower)`, outcomes.ab],
    ]
      .filter(([, list]) => list.length > 0)
      .map(([name, list]) => summarize(name, list)),
  };
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }

  if (simulated) {
    console.log(`${report.runtime}; simulated samples, no timing: ${options.samples} per side, base ${options.base} ms, cv ${options.cv}`);
  } else {
    console.log(`${report.runtime}; collections between sides: ${gcBetweenSides ? 'yes' : 'no'}`);
    console.log(
      `${runs} runs per case, budget ${options.budget} ms, base ${options.base} ms, cv ${options.cv}, ` +
        `warm-up ${options.warmup}; load average ${loadBefore.toFixed(2)} -> ${report.loadAverage.after.toFixed(2)}; ` +
        `${report.wallSeconds.toFixed(0)} s`,
    );
  }
  console.log('');
  console.log('| case | runs | regressed | improved | equivalent | inconclusive | regressed rate (95 % CI) | median iterations | median ratio | median CI width |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of report.cases) {
    const [low, high] = row.regressedRateCI95;
    console.log(
      `| ${row.case} | ${row.runs} | ${row.counts.regressed} | ${row.counts.improved} | ${row.counts.equivalent} | ` +
        `${row.counts.inconclusive} | ${percent(row.regressedRate)} (${percent(low)}–${percent(high)}) | ` +
        `${row.medianIterations} | ${row.medianRatio.toFixed(4)} | ${row.medianCIWidth.toFixed(4)} |`,
    );
  }
  const falseRegressions = report.cases[0].case.startsWith('A/A') ? report.cases[0].regressedRuns : [];
  for (const { run, ratio, ratioCI95, pValue, iterations } of falseRegressions) {
    console.log(
      `A/A run ${run} called regressed: ratio ${ratio.toFixed(4)}, 95 % CI ${ratioCI95[0].toFixed(4)}–${ratioCI95[1].toFixed(4)}, ` +
        `p ${pValue.toExponential(2)}, ${iterations} iterations`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
