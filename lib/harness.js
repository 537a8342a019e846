'use strict';

const { EventEmitter } = require('node:events');
const { inspect } = require('node:util');
const { deepCompare } = require('./equality');

/** Ratio above which the new side counts as slower or larger, and below which (0.9) as faster or smaller. */
const DEGRADATION_RATIO = 1.1;
const IMPROVEMENT_RATIO = 0.9;
const DEFAULT_MAX_RESULTS = 10000;

/**
 * Runs the same method on an old and a new implementation, one after the
 * other, and compares results, time and heap growth.
 *
 * Events: `testCompleted` with the TestResult, emitted after the result is
 * stored. A listener that throws makes `executeParallel` reject, as any
 * EventEmitter listener would.
 */
class ParallelTestHarness extends EventEmitter {
  /**
   * @param {{ maxResults?: number }} [options] `maxResults` (default 10000)
   *   bounds the stored results, so a long-running process does not keep every
   *   result it ever produced; the oldest result is dropped first.
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

    this.maxResults = maxResults;
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
   * Calls `methodName` on the old implementation, then on the new one, with
   * the same `args`, awaiting promises, and stores, emits and returns the
   * TestResult.
   *
   * A missing method or a throw on either side sets `error`, zeroes the four
   * measurements and makes `isEqual` false. A missing method on either side is
   * detected before anything runs, and a throw on the old side skips the new
   * side. Otherwise `isEqual` is `deepCompare(oldResult, newResult).equal`.
   *
   * The default `testId` is `'test_' + Date.now()`. When two calls land in
   * the same millisecond, the number is raised to the next free one, so no
   * result replaces another. An explicit `testId` that is already stored
   * replaces that result.
   *
   * @param {string} methodName
   * @param {unknown[]} [args] the arguments, `[]` when undefined
   * @param {string} [testId]
   * @param {object} [options] reserved
   * @returns {Promise<object>} the TestResult
   */
  async executeParallel(methodName, args, testId, options) {
    // Limitation: `options` (iterations, warm-up, time budget) is accepted but ignored, so each side runs exactly once.
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

    const timestamp = Date.now();
    const result = await this.runBothSides(methodName, args);
    const testResult = { testId, timestamp, ...result };

    this.storeResult(testResult);
    this.emit('testCompleted', testResult);
    return testResult;
  }

  async runBothSides(methodName, args) {
    const zeroed = { executionTimeOld: 0, executionTimeNew: 0, memoryUsageOld: 0, memoryUsageNew: 0 };
    const failure = (side, message, oldResult) => ({
      oldResult,
      newResult: undefined,
      isEqual: false,
      ...zeroed,
      error: message,
      failedImplementation: side,
    });

    const oldMissing = describeMissingMethod(this.oldImplementation, methodName, 'old');
    if (oldMissing) return failure('old', oldMissing);
    const newMissing = describeMissingMethod(this.newImplementation, methodName, 'new');
    if (newMissing) return failure('new', newMissing);

    const oldRun = await measureCall(this.oldImplementation, methodName, args);
    if (oldRun.threw) return failure('old', errorMessage(oldRun.error));
    const newRun = await measureCall(this.newImplementation, methodName, args);
    if (newRun.threw) return failure('new', errorMessage(newRun.error), oldRun.value);

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
    };
    if (difference) result.difference = difference;
    return result;
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
   */
  analyzeResults(testId) {
    const result = this.testResults.get(testId);
    if (!result) return null;

    const performanceRatio = ratio(result.executionTimeNew, result.executionTimeOld);
    const memoryRatio = ratio(result.memoryUsageNew, result.memoryUsageOld);
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

    const passed =
      result.isEqual && !result.error && performanceRatio <= DEGRADATION_RATIO && memoryRatio <= DEGRADATION_RATIO;
    return { passed, differences, performanceRatio, memoryRatio };
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
}

/**
 * Calls one side and measures it: wall time in ms from a monotonic
 * high-resolution clock, and the growth of V8's used heap in bytes.
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

  // NOTE: a garbage collection during the call can shrink the heap, so the
  // delta can be negative. It is reported as 0 because a ratio against a
  // negative allocation means nothing.
  // Limitation: under Bun, heapUsed is JavaScriptCore's heap size, which moves in collection-sized steps, so even megabytes of allocation can read as 0.
  return { threw: false, value, milliseconds, heapBytes: Math.max(0, heapAfter - heapBefore) };
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
