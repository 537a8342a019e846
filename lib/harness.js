'use strict';

const { EventEmitter } = require('node:events');
const { inspect } = require('node:util');
const { deepCompare } = require('./equality');
const { createExperiment } = require('./experiment');
const {
  parseStatisticsOptions,
  collectSamples,
  summarizeSamples,
  describeVerdict,
  garbageCollector,
} = require('./harness-statistics');

/** Ratio above which the new side counts as slower or larger, and below which (0.9) as faster or smaller. */
const DEGRADATION_RATIO = 1.1;
const IMPROVEMENT_RATIO = 0.9;
const DEFAULT_MAX_RESULTS = 10000;

/**
 * Runs the same method on an old and a new implementation and compares
 * results, time and heap growth: once each (the default), or repeatedly
 * with statistics when `executeParallel` gets options.
 *
 * Events: `testCompleted` with the TestResult, emitted after the result is
 * stored. A listener that throws makes `executeParallel` reject, as any
 * EventEmitter listener would. `mismatch` and `candidateError` come from the
 * shadow experiments made by `experiment()`.
 */
class ParallelTestHarness extends EventEmitter {
  /**
   * @param {{ maxResults?: number, monitor?: object }} [options]
   *   `maxResults` (default 10000) bounds the stored results, so a
   *   long-running process does not keep every result it ever produced; the
   *   oldest result is dropped first. `monitor` (a PerformanceMonitor) is
   *   where experiments record their metrics unless they name their own.
   */
  constructor(options = {}) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object, received ${describeArgument(options)}`);
    }
    const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
    if (!Number.isInteger(maxResults) || maxResults < 1) {
      throw new RangeError(`options.maxResults must be a positive integer, received ${describeArgument(maxResults)}`);
    }
    const monitor = options.monitor ?? null;
    if (monitor !== null && typeof monitor.recordMetric !== 'function') {
      throw new TypeError(`options.monitor must have a recordMetric method, received ${describeArgument(monitor)}`);
    }

    this.maxResults = maxResults;
    this.monitor = monitor;
    this.oldImplementation = null;
    this.newImplementation = null;
    this.testResults = new Map();
    this.lastDefaultIdNumber = 0;
  }

  /** Stores the two implementations whose methods `executeParallel` calls. */
  registerImplementations(oldImpl, newImpl) {
    if (!isObjectOrFunction(oldImpl)) {
      throw new TypeError(`oldImpl must be an object or a function, received ${describeArgument(oldImpl)}`);
    }
    if (!isObjectOrFunction(newImpl)) {
      throw new TypeError(`newImpl must be an object or a function, received ${describeArgument(newImpl)}`);
    }
    this.oldImplementation = oldImpl;
    this.newImplementation = newImpl;
  }

  /**
   * Calls `methodName` on the old and the new implementation with the same
   * `args`, awaiting promises, and stores, emits and returns the TestResult.
   *
   * Without statistics options each side runs once, old then new. Time is
   * wall time in ms. Memory is the signed change of the used heap in bytes,
   * which is negative when the heap shrank during the call. When the runtime
   * allows it (Bun, or Node started with --expose-gc) a full garbage
   * collection runs before each side, outside the timed region;
   * `gcBetweenSides` says whether it did.
   *
   * With any of `iterations`, `warmup`, `budgetMs` or `seed` in `options`,
   * both sides run repeatedly in a seeded random order per iteration and the
   * result gains `statistics`; see `parseStatisticsOptions` in
   * harness-statistics.js for every option and the verdict rule. The four
   * measurements are then the medians of the samples.
   *
   * A missing method or a throw on either side sets `error`, zeroes the four
   * measurements and makes `isEqual` false. A missing method on either side is
   * detected before anything runs, and a throw on the old side skips the new
   * side. Otherwise `isEqual` is `deepCompare(oldResult, newResult).equal`;
   * with statistics, results are compared on every iteration and the first
   * unequal pair is kept.
   *
   * The default `testId` is `'test_' + Date.now()`. When two calls land in
   * the same millisecond, the number is raised to the next free one, so no
   * result replaces another. An explicit `testId` that is already stored
   * replaces that result.
   *
   * @param {string} methodName
   * @param {unknown[]} [args] the arguments, `[]` when undefined
   * @param {string} [testId]
   * @param {object} [options] `gc` (default true) and the statistics options
   * @returns {Promise<object>} the TestResult
   */
  async executeParallel(methodName, args, testId, options) {
    if (typeof methodName !== 'string' || methodName === '') {
      throw new TypeError(`methodName must be a non-empty string, received ${describeArgument(methodName)}`);
    }
    if (args === undefined) {
      args = [];
    } else if (!Array.isArray(args)) {
      throw new TypeError(`args must be an array of arguments, received ${describeArgument(args)}`);
    }
    if (testId === undefined) {
      testId = this.nextDefaultTestId();
    } else if (typeof testId !== 'string' || testId === '') {
      throw new TypeError(`testId must be a non-empty string, received ${describeArgument(testId)}`);
    }
    const settings = parseStatisticsOptions(options);

    const timestamp = Date.now();
    const result = settings.statistics
      ? await this.runWithStatistics(methodName, args, settings)
      : await this.runBothSides(methodName, args, settings);
    const testResult = { testId, timestamp, ...result };

    this.storeResult(testResult);
    this.emit('testCompleted', testResult);
    return testResult;
  }

  async runBothSides(methodName, args, settings) {
    const collector = garbageCollector(settings.gc);
    const gcBetweenSides = collector !== null;
    const missing = this.describeMissingMethods(methodName);
    if (missing) return failure(missing.side, missing.message, undefined, gcBetweenSides);

    if (collector) collector.beforeSingleRun();
    const oldRun = await measureCall(this.oldImplementation, methodName, args);
    if (oldRun.threw) return failure('old', errorMessage(oldRun.error), undefined, gcBetweenSides);
    if (collector) collector.beforeSingleRun();
    const newRun = await measureCall(this.newImplementation, methodName, args);
    if (newRun.threw) return failure('new', errorMessage(newRun.error), oldRun.value, gcBetweenSides);

    const { isEqual, difference } = compareResults(oldRun.value, newRun.value);
    const result = {
      oldResult: oldRun.value,
      newResult: newRun.value,
      isEqual,
      executionTimeOld: oldRun.milliseconds,
      executionTimeNew: newRun.milliseconds,
      memoryUsageOld: oldRun.heapBytes,
      memoryUsageNew: newRun.heapBytes,
      error: undefined,
      gcBetweenSides,
    };
    if (difference) result.difference = difference;
    return result;
  }

  async runWithStatistics(methodName, args, settings) {
    const collector = garbageCollector(settings.gc);
    const gcBetweenSides = collector !== null;
    const missing = this.describeMissingMethods(methodName);
    if (missing) {
      const result = failure(missing.side, missing.message, undefined, gcBetweenSides);
      result.statistics = await summarizeSamples(emptyCollection(), settings, { failed: true });
      return result;
    }

    const sides = {
      old: () => measureCall(this.oldImplementation, methodName, args),
      new: () => measureCall(this.newImplementation, methodName, args),
    };
    const collection = await collectSamples(sides, settings, collector, compareResults);
    const statistics = await summarizeSamples(collection, settings, { failed: collection.failure !== null });

    if (collection.failure) {
      const { side, error, oldValue } = collection.failure;
      return { ...failure(side, errorMessage(error), oldValue, gcBetweenSides), statistics };
    }
    const result = {
      oldResult: collection.oldResult,
      newResult: collection.newResult,
      isEqual: collection.difference === null,
      executionTimeOld: statistics.oldMedian,
      executionTimeNew: statistics.newMedian,
      memoryUsageOld: statistics.oldHeapMedian,
      memoryUsageNew: statistics.newHeapMedian,
      error: undefined,
      gcBetweenSides,
      statistics,
    };
    if (collection.difference) result.difference = collection.difference;
    return result;
  }

  describeMissingMethods(methodName) {
    const oldMissing = describeMissingMethod(this.oldImplementation, methodName, 'old');
    if (oldMissing) return { side: 'old', message: oldMissing };
    const newMissing = describeMissingMethod(this.newImplementation, methodName, 'new');
    if (newMissing) return { side: 'new', message: newMissing };
    return null;
  }

  nextDefaultTestId() {
    let number = Math.max(Date.now(), this.lastDefaultIdNumber + 1);
    while (this.testResults.has(`test_${number}`)) number++;
    this.lastDefaultIdNumber = number;
    return `test_${number}`;
  }

  storeResult(testResult) {
    // Delete first so that a replaced id moves to the newest position.
    this.testResults.delete(testResult.testId);
    this.testResults.set(testResult.testId, testResult);
    while (this.testResults.size > this.maxResults) {
      this.testResults.delete(this.testResults.keys().next().value);
    }
  }

  /**
   * Compares the stored result `testId`: ratios new/old (1 when old is 0),
   * difference lines and a verdict. Returns null for an unknown id.
   *
   * In the memory ratio a negative heap change counts as 0, because a ratio
   * against a shrinking heap means nothing. A result with statistics adds a
   * "Statistical verdict: ..." line and returns them as `statistics`. The
   * `passed` rule stays that of a single run (equal, no error, both ratios
   * at most 1.1), applied to the medians.
   */
  analyzeResults(testId) {
    const result = this.testResults.get(testId);
    if (!result) return null;

    const performanceRatio = ratio(result.executionTimeNew, result.executionTimeOld);
    const memoryRatio = ratio(Math.max(0, result.memoryUsageNew), result.memoryUsageOld);
    const differences = describeInequality(result);

    if (performanceRatio > DEGRADATION_RATIO) {
      differences.push(`Performance degradation: ${percent(performanceRatio - 1)}% slower`);
    } else if (performanceRatio < IMPROVEMENT_RATIO) {
      differences.push(`Performance improvement: ${percent(1 - performanceRatio)}% faster`);
    }
    if (memoryRatio > DEGRADATION_RATIO) {
      differences.push(`Memory usage increase: ${percent(memoryRatio - 1)}% more memory`);
    } else if (memoryRatio < IMPROVEMENT_RATIO) {
      differences.push(`Memory usage decrease: ${percent(1 - memoryRatio)}% less memory`);
    }
    if (result.statistics) differences.push(describeVerdict(result.statistics));

    const passed =
      result.isEqual && !result.error && performanceRatio <= DEGRADATION_RATIO && memoryRatio <= DEGRADATION_RATIO;
    const comparison = { passed, differences, performanceRatio, memoryRatio };
    if (result.statistics) comparison.statistics = result.statistics;
    return comparison;
  }

  /** Returns the stored TestResults, oldest first. */
  getAllResults() {
    return Array.from(this.testResults.values());
  }

  clearResults() {
    this.testResults.clear();
  }

  /** Summarises every stored result; both averages are 1 when nothing is stored. */
  generateReport() {
    const results = this.getAllResults();
    let passedTests = 0;
    let performanceRatioSum = 0;
    let memoryRatioSum = 0;
    for (const result of results) {
      const analysis = this.analyzeResults(result.testId);
      if (analysis.passed) passedTests++;
      performanceRatioSum += analysis.performanceRatio;
      memoryRatioSum += analysis.memoryRatio;
    }

    const totalTests = results.length;
    return {
      totalTests,
      passedTests,
      failedTests: totalTests - passedTests,
      averagePerformanceRatio: totalTests > 0 ? performanceRatioSum / totalTests : 1,
      averageMemoryRatio: totalTests > 0 ? memoryRatioSum / totalTests : 1,
      results,
    };
  }

  /**
   * Returns a function that runs a shadow experiment on live calls: it
   * always returns what `use` returns (or throws what it throws) and runs
   * `try` on a sampled share of calls afterwards, off the caller's path.
   * Timings and mismatches go to `options.monitor` or the harness's monitor;
   * `mismatch` and `candidateError` are emitted on this harness. See
   * `createExperiment` in experiment.js for every option.
   */
  experiment(options) {
    return createExperiment(this, options, this.monitor);
  }
}

function failure(side, message, oldResult, gcBetweenSides) {
  return {
    oldResult,
    newResult: undefined,
    isEqual: false,
    executionTimeOld: 0,
    executionTimeNew: 0,
    memoryUsageOld: 0,
    memoryUsageNew: 0,
    error: message,
    failedImplementation: side,
    gcBetweenSides,
  };
}

function emptyCollection() {
  return { oldTimes: [], newTimes: [], oldHeap: [], newHeap: [], warmup: 0, stoppedBy: 'error', elapsedMs: 0 };
}

/**
 * Calls one side and measures it: wall time in ms from a monotonic
 * high-resolution clock, and the signed change of the used heap in bytes.
 */
async function measureCall(implementation, methodName, args) {
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  let value;
  try {
    value = implementation[methodName](...args);
    if (isThenable(value)) value = await value;
  } catch (error) {
    return { threw: true, error };
  }
  const milliseconds = Number(process.hrtime.bigint() - start) / 1e6;
  const heapAfter = process.memoryUsage().heapUsed;

  // NOTE: a garbage collection during the call can shrink the heap, so the change can be negative.
  // Limitation: under Bun, heapUsed is JavaScriptCore's heap size, which moves in collection-sized steps, so even megabytes of allocation can read as 0.
  return { threw: false, value, milliseconds, heapBytes: heapAfter - heapBefore };
}

function compareResults(oldResult, newResult) {
  try {
    const comparison = deepCompare(oldResult, newResult, { leftName: 'old', rightName: 'new' });
    if (comparison.equal) return { isEqual: true };
    return { isEqual: false, difference: { path: comparison.path, reason: comparison.reason } };
  } catch (error) {
    // A getter or proxy in a result threw while being read.
    return { isEqual: false, difference: { path: null, reason: `comparison failed: ${errorMessage(error)}` } };
  }
}

/**
 * Returns the difference lines that explain why a TestResult is not equal:
 * none when it is equal.
 */
function describeInequality(result) {
  if (result.isEqual) return [];
  if (result.error) {
    return [`Results are not equal: execution failed: ${result.error}`];
  }

  const difference = result.difference;
  let headline = 'Results are not equal';
  if (difference && difference.path) headline += ` at ${difference.path}`;
  if (difference && difference.reason) headline += ` (${difference.reason})`;
  return [headline, `Old result: ${describeResult(result.oldResult)}`, `New result: ${describeResult(result.newResult)}`];
}

function describeResult(value) {
  const text = inspect(value, { depth: 3, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 200 });
  return text.length > 500 ? text.slice(0, 499) + '…' : text;
}

function describeMissingMethod(implementation, methodName, side) {
  if (implementation === null || implementation === undefined) {
    return `Method ${methodName} not found in ${side} implementation (no implementations registered; call registerImplementations(oldImpl, newImpl) first)`;
  }
  const method = implementation[methodName];
  if (method === undefined) return `Method ${methodName} not found in ${side} implementation`;
  if (typeof method !== 'function') {
    return `Method ${methodName} not found in ${side} implementation (the property is ${describeArgument(method)}, not a function)`;
  }
  return null;
}

function errorMessage(error) {
  if (error instanceof Error) return error.message || String(error);
  return String(error);
}

function ratio(newValue, oldValue) {
  return oldValue > 0 ? newValue / oldValue : 1;
}

function percent(fraction) {
  return (fraction * 100).toFixed(2);
}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

function isObjectOrFunction(value) {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function describeArgument(value) {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'symbol') return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

module.exports = { ParallelTestHarness, describeInequality, describeArgument };
