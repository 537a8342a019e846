'use strict';

// The repeated, randomised runs behind ParallelTestHarness.executeParallel
// with statistics options, and their summary. The statistics themselves
// (bootstrap interval, Mann-Whitney U test, verdict) are computed by the
// native compareSamples on a worker thread.
//
// Verdict rule, with [low, high] the seeded percentile-bootstrap 95 %
// interval of median(new) / median(old), p the two-sided Mann-Whitney U
// p-value, e = minEffect (default 0.01) and m = equivalenceMargin (default
// 0.03), checked in this order:
//   regressed     low > 1 + e and p < alpha (default 0.05)
//   improved      high < 1 / (1 + e) and p < alpha
//   equivalent    1 / (1 + m) <= low and high <= 1 + m
//   inconclusive  otherwise, and always after an error or with fewer than
//                 2 samples per side.

const { binding, fromNative } = require('./native');
const { describe } = require('./validate');

const MAX_ITERATIONS = 100_000;
const DEFAULT_ITERATIONS = 100;
const DEFAULT_WARMUP = 10;
const DEFAULT_RESAMPLES = 2000;
const MAX_RESAMPLES = 100_000;
const MAX_SEED = 2 ** 32 - 1;
const DEFAULT_RULE = Object.freeze({ alpha: 0.05, minEffect: 0.01, equivalenceMargin: 0.03 });
/** Options whose presence switches executeParallel from one run per side to repeated runs. */
const STATISTICS_KEYS = ['iterations', 'warmup', 'budgetMs', 'seed'];

/**
 * Reads the options of executeParallel. Every field is optional:
 * - `iterations`: measured iterations, 1 to 100000. Default 100 without a
 *   budget, else 100000 so that the budget decides.
 * - `warmup`: iterations run first and discarded, 0 to 100000. Default 10.
 * - `budgetMs`: time budget in ms for warm-up and measurement together
 *   (Infinity for none, the default). It is checked before each iteration,
 *   so a run ends at most one iteration late. Warm-up stops early when the
 *   budget runs out. At least 2 iterations (or `iterations`, if fewer) are
 *   always measured.
 * - `seed`: integer 0 to 2^32 - 1 for the order of the sides and the
 *   bootstrap. Default: a random seed, reported in `statistics.seed`.
 * - `resamples`: bootstrap resamples, 1 to 100000. Default 2000.
 * - `alpha`, `minEffect`, `equivalenceMargin`: the verdict rule above.
 * - `gc`: collect garbage between sides where the runtime allows. Default true.
 * Statistics run when any of iterations, warmup, budgetMs or seed is set.
 */
function parseStatisticsOptions(options) {
  if (options === undefined || options === null) return { statistics: false, gc: true };
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object, received ${describe(options)}`);
  }
  const gc = options.gc ?? true;
  if (typeof gc !== 'boolean') {
    throw new TypeError(`options.gc must be a boolean, received ${describe(gc)}`);
  }
  const statistics = STATISTICS_KEYS.some((key) => options[key] !== undefined);
  if (!statistics) return { statistics: false, gc };

  const budgetMs = options.budgetMs ?? Infinity;
  if (typeof budgetMs !== 'number') {
    throw new TypeError(`options.budgetMs must be a number of milliseconds, received ${describe(budgetMs)}`);
  }
  if (!(budgetMs > 0)) {
    throw new RangeError(`options.budgetMs must be a positive number of milliseconds, received ${describe(budgetMs)}`);
  }
  const defaultIterations = budgetMs === Infinity ? DEFAULT_ITERATIONS : MAX_ITERATIONS;
  const rule = {
    alpha: readNumber(options, 'alpha', DEFAULT_RULE.alpha, (value) => value > 0 && value < 1, 'greater than 0 and less than 1'),
    minEffect: readNumber(options, 'minEffect', DEFAULT_RULE.minEffect, isMargin, 'from 0 to 10'),
    equivalenceMargin: readNumber(options, 'equivalenceMargin', DEFAULT_RULE.equivalenceMargin, isMargin, 'from 0 to 10'),
  };
  return {
    statistics: true,
    gc,
    iterations: readInteger(options, 'iterations', defaultIterations, 1, MAX_ITERATIONS),
    warmup: readInteger(options, 'warmup', DEFAULT_WARMUP, 0, MAX_ITERATIONS),
    budgetMs,
    seed: options.seed === undefined ? Math.floor(Math.random() * (MAX_SEED + 1)) : validateSeed(options.seed, 'options.seed'),
    resamples: readInteger(options, 'resamples', DEFAULT_RESAMPLES, 1, MAX_RESAMPLES),
    rule,
  };
}

function isMargin(value) {
  return value >= 0 && value <= 10;
}

function readInteger(options, name, fallback, min, max) {
  const value = options[name] ?? fallback;
  if (typeof value !== 'number') {
    throw new TypeError(`options.${name} must be an integer from ${min} to ${max}, received ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`options.${name} must be an integer from ${min} to ${max}, received ${describe(value)}`);
  }
  return value;
}

function readNumber(options, name, fallback, accept, range) {
  const value = options[name] ?? fallback;
  if (typeof value !== 'number') {
    throw new TypeError(`options.${name} must be a number ${range}, received ${describe(value)}`);
  }
  if (!Number.isFinite(value) || !accept(value)) {
    throw new RangeError(`options.${name} must be a number ${range}, received ${describe(value)}`);
  }
  return value;
}

/** Checks a seed: an integer from 0 to 2^32 - 1. */
function validateSeed(seed, name) {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new RangeError(`${name} must be an integer from 0 to ${MAX_SEED}, received ${describe(seed)}`);
  }
  return seed;
}

/** Returns a seeded generator of numbers in [0, 1) (mulberry32, 32-bit state). */
function createRandom(seed) {
  let state = seed >>> 0;
  return function random() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Returns the garbage collection hooks of this runtime, or null when
 * collection is off or not exposed. Under Node (--expose-gc) each side of a
 * repeated run gets a young-generation collection, because a full one takes
 * milliseconds even on a small heap and would eat the time budget. A single
 * run and the start of a repeated run get a full one. Under Bun every
 * collection is Bun.gc(true), a synchronous full collection.
 */
function garbageCollector(enabled) {
  if (!enabled) return null;
  const bun = globalThis.Bun;
  if (bun && typeof bun.gc === 'function') {
    const full = () => bun.gc(true);
    return { beforeSingleRun: full, beforeRepeatedRun: full, betweenSides: full };
  }
  const gc = globalThis.gc;
  if (typeof gc === 'function') {
    const full = () => gc();
    return { beforeSingleRun: full, beforeRepeatedRun: full, betweenSides: () => gc({ type: 'minor' }) };
  }
  return null;
}

/**
 * Returns a function that tells, per iteration, whether the old side runs
 * first. Iterations come in blocks of two with one order each, the order
 * within a block drawn from `random`. Each side then runs first equally
 * often, so an advantage of running first or second cannot favour a side.
 */
function createOrder(random) {
  let iteration = 0;
  let oldFirst = false;
  return function nextOldFirst() {
    oldFirst = iteration % 2 === 0 ? random() < 0.5 : !oldFirst;
    iteration++;
    return oldFirst;
  };
}

/**
 * Runs warm-up and measured iterations. Each iteration runs both sides once,
 * in a seeded random order that is balanced over each two iterations, and
 * compares their results until the first unequal pair. Stops at the first throw.
 *
 * @param {{ old: () => Promise<object>, new: () => Promise<object> }} sides
 *   each resolves to `{ threw, error }` or `{ threw: false, value, milliseconds, heapBytes }`
 */
async function collectSamples(sides, settings, collector, compareResults) {
  const nextOldFirst = createOrder(createRandom(settings.seed));
  const between = collector ? collector.betweenSides : null;
  const start = process.hrtime.bigint();
  const budgetNs = settings.budgetMs === Infinity ? null : BigInt(Math.round(settings.budgetMs * 1e6));
  const overBudget = () => budgetNs !== null && process.hrtime.bigint() - start >= budgetNs;
  const collection = {
    oldTimes: [],
    newTimes: [],
    oldHeap: [],
    newHeap: [],
    warmup: 0,
    stoppedBy: 'iterations',
    elapsedMs: 0,
    failure: null,
    oldResult: undefined,
    newResult: undefined,
    difference: null,
  };
  const finish = (stoppedBy) => {
    collection.stoppedBy = stoppedBy;
    collection.elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
    return collection;
  };

  if (collector) collector.beforeRepeatedRun();
  while (collection.warmup < settings.warmup && !overBudget()) {
    const pair = await runPair(sides, nextOldFirst(), between);
    if (pair.failure) {
      collection.failure = pair.failure;
      return finish('error');
    }
    collection.warmup++;
  }

  const minimum = Math.min(2, settings.iterations);
  while (collection.oldTimes.length < settings.iterations) {
    if (collection.oldTimes.length >= minimum && overBudget()) return finish('budget');
    const pair = await runPair(sides, nextOldFirst(), between);
    if (pair.failure) {
      collection.failure = pair.failure;
      return finish('error');
    }
    recordPair(collection, pair, compareResults);
  }
  return finish('iterations');
}

async function runPair(sides, oldFirst, between) {
  const order = oldFirst ? ['old', 'new'] : ['new', 'old'];
  const runs = {};
  for (const side of order) {
    if (between) between();
    const run = await sides[side]();
    if (run.threw) {
      return { failure: { side, error: run.error, oldValue: runs.old ? runs.old.value : undefined } };
    }
    runs[side] = run;
  }
  return { failure: null, old: runs.old, new: runs.new };
}

function recordPair(collection, pair, compareResults) {
  collection.oldTimes.push(pair.old.milliseconds);
  collection.newTimes.push(pair.new.milliseconds);
  collection.oldHeap.push(pair.old.heapBytes);
  collection.newHeap.push(pair.new.heapBytes);
  if (collection.oldTimes.length === 1) {
    collection.oldResult = pair.old.value;
    collection.newResult = pair.new.value;
  }
  if (collection.difference !== null) return;

  const { isEqual, difference } = compareResults(pair.old.value, pair.new.value);
  if (!isEqual) {
    collection.difference = difference;
    collection.oldResult = pair.old.value;
    collection.newResult = pair.new.value;
  }
}

/**
 * Builds the `statistics` of a TestResult from the collected samples (times
 * in ms, heap changes in bytes). The interval, p-value and verdict come from
 * the native compareSamples. After a failure, or with fewer than 2 samples
 * per side, they are null and the verdict is 'inconclusive'.
 */
async function summarizeSamples(collection, settings, { failed }) {
  const oldMedian = median(collection.oldTimes);
  const newMedian = median(collection.newTimes);
  const statistics = {
    iterations: collection.oldTimes.length,
    warmup: collection.warmup,
    seed: settings.seed,
    resamples: settings.resamples,
    rule: { ...settings.rule },
    stoppedBy: collection.stoppedBy,
    elapsedMs: collection.elapsedMs,
    oldSamples: collection.oldTimes,
    newSamples: collection.newTimes,
    oldMedian,
    newMedian,
    oldHeapMedian: median(collection.oldHeap) ?? 0,
    newHeapMedian: median(collection.newHeap) ?? 0,
    ratio: oldMedian === null || newMedian === null ? null : medianRatio(newMedian, oldMedian),
    ratioCI95: null,
    pValue: null,
    test: 'mann-whitney-u',
    verdict: 'inconclusive',
  };
  if (failed || statistics.iterations < 2) return statistics;

  let comparison;
  try {
    comparison = await binding.compareSamples(
      Float64Array.from(collection.oldTimes),
      Float64Array.from(collection.newTimes),
      settings.seed,
      settings.resamples,
      settings.rule,
    );
  } catch (error) {
    throw fromNative(error, 'executeParallel');
  }
  statistics.ratio = comparison.ratio;
  statistics.ratioCI95 = comparison.ratioCI95;
  statistics.pValue = comparison.pValue;
  statistics.verdict = comparison.verdict;
  return statistics;
}

function median(values) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function medianRatio(newMedian, oldMedian) {
  if (oldMedian > 0) return newMedian / oldMedian;
  return newMedian > 0 ? Infinity : 1;
}

/** Returns the "Statistical verdict: ..." line of analyzeResults. */
function describeVerdict(statistics) {
  if (statistics.ratioCI95 === null) {
    const why = statistics.stoppedBy === 'error' ? 'execution failed' : 'fewer than 2 samples per side';
    return `Statistical verdict: ${statistics.verdict} (${why} after ${statistics.iterations} iterations)`;
  }
  const [low, high] = statistics.ratioCI95;
  const p = statistics.pValue < 0.001 ? 'p<0.001' : `p=${statistics.pValue.toFixed(3)}`;
  return (
    `Statistical verdict: ${statistics.verdict} (ratio ${statistics.ratio.toFixed(3)}, ` +
    `95% CI ${low.toFixed(3)}–${high.toFixed(3)}, ${p}, ${statistics.iterations} iterations)`
  );
}

module.exports = {
  parseStatisticsOptions,
  collectSamples,
  summarizeSamples,
  describeVerdict,
  garbageCollector,
  createRandom,
  validateSeed,
  DEFAULT_RULE,
};
