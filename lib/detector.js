'use strict';

const { describeInequality, describeArgument } = require('./harness');

const DEFAULT_MAX_REPORTS = 1000;
const DEFAULT_RESPONSE_TIME_REGRESSION = 10;
const DEFAULT_MEMORY_REGRESSION = 20;
const RECENT_REPORT_COUNT = 10;

/**
 * Runs registered regression tests (each resolving to a harness TestResult),
 * turns them into RegressionReports, records their measurements on the
 * monitor, and forwards the monitor's `thresholdViolation` and
 * `regressionDetected` alerts to callbacks added with `onAlert`.
 *
 * The report history is bounded by `options.maxReports` (default 1000); the
 * oldest report is dropped first, and every count in `generateSummary` covers
 * the kept reports only.
 */
class RegressionDetector {
  /**
   * @param {object} monitor a PerformanceMonitor, or any EventEmitter with `recordMetric(name, value, unit, context)`
   * @param {object} [harness] the ParallelTestHarness the tests drive, kept as `testHarness`
   * @param {{ maxReports?: number, responseTimeRegressionPercent?: number, memoryRegressionPercent?: number }} [options]
   *   `responseTimeRegressionPercent` (default 10) and `memoryRegressionPercent`
   *   (default 20) are the growths, in percent of the old side, above which a
   *   report is a performance regression.
   */
  constructor(monitor, harness, options = {}) {
    if (monitor === null || typeof monitor !== 'object' || typeof monitor.on !== 'function') {
      throw new TypeError(`monitor must be a PerformanceMonitor (an EventEmitter), received ${describeArgument(monitor)}`);
    }
    if (typeof monitor.recordMetric !== 'function') {
      throw new TypeError('monitor must have a recordMetric(name, value, unit, context) method');
    }
    if (harness !== undefined && harness !== null && typeof harness !== 'object') {
      throw new TypeError(`harness must be a ParallelTestHarness, received ${describeArgument(harness)}`);
    }
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`options must be an object, received ${describeArgument(options)}`);
    }

    this.performanceMonitor = monitor;
    this.testHarness = harness ?? null;
    this.maxReports = validatePositiveInteger(options.maxReports ?? DEFAULT_MAX_REPORTS, 'options.maxReports');
    this.responseTimeRegressionPercent = validatePercent(
      options.responseTimeRegressionPercent ?? DEFAULT_RESPONSE_TIME_REGRESSION,
      'options.responseTimeRegressionPercent',
    );
    this.memoryRegressionPercent = validatePercent(
      options.memoryRegressionPercent ?? DEFAULT_MEMORY_REGRESSION,
      'options.memoryRegressionPercent',
    );
    this.regressionTests = new Map();
    this.testReports = [];
    this.alertCallbacks = [];
    this.warnedCallbacks = new WeakSet();
    this.automatedAlertCallback = null;

    this.forwardAlert = (alert) => this.notifyAlertCallbacks(alert);
    monitor.on('thresholdViolation', this.forwardAlert);
    monitor.on('regressionDetected', this.forwardAlert);
  }

  /**
   * Adds a callback that receives every alert of the monitor. A callback that
   * throws, or returns a promise that rejects, does not stop the others: the
   * error is reported with `process.emitWarning` once per callback.
   */
  onAlert(callback) {
    if (typeof callback !== 'function') {
      throw new TypeError(`callback must be a function, received ${describeArgument(callback)}`);
    }
    this.alertCallbacks.push(callback);
  }

  /** Removes a callback added with `onAlert`; returns whether it was found. */
  offAlert(callback) {
    const index = this.alertCallbacks.indexOf(callback);
    if (index === -1) return false;
    this.alertCallbacks.splice(index, 1);
    if (callback === this.automatedAlertCallback) this.automatedAlertCallback = null;
    return true;
  }

  /** Stops listening to the monitor. Tests, reports and callbacks stay. */
  dispose() {
    this.performanceMonitor.removeListener('thresholdViolation', this.forwardAlert);
    this.performanceMonitor.removeListener('regressionDetected', this.forwardAlert);
  }

  notifyAlertCallbacks(alert) {
    for (const callback of this.alertCallbacks.slice()) {
      try {
        const returned = callback(alert);
        if (returned !== null && typeof returned === 'object' && typeof returned.then === 'function') {
          returned.then(undefined, (error) => this.warnCallbackFailure(callback, error));
        }
      } catch (error) {
        this.warnCallbackFailure(callback, error);
      }
    }
  }

  warnCallbackFailure(callback, error) {
    if (this.warnedCallbacks.has(callback)) return;
    this.warnedCallbacks.add(callback);
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(
      `An onAlert callback threw: ${message}. The other callbacks still ran; further errors of this callback are not reported.`,
      { type: 'RegressionDetectorWarning', code: 'PERF_SENTINEL_ALERT_CALLBACK_FAILED', detail: error && error.stack },
    );
  }

  /**
   * Registers a RegressionTest under its name, replacing a test of the same
   * name in place. The test object itself is kept, so changing its `enabled`
   * later takes effect. `enabled` defaults to true when undefined, and a
   * missing limit in `expectedPerformance` means no limit.
   */
  registerTest(test) {
    if (test === null || typeof test !== 'object') {
      throw new TypeError(`test must be an object, received ${describeArgument(test)}`);
    }
    if (typeof test.name !== 'string' || test.name === '') {
      throw new TypeError(`test.name must be a non-empty string, received ${describeArgument(test.name)}`);
    }
    if (typeof test.testFunction !== 'function') {
      throw new TypeError(`test.testFunction must be a function, received ${describeArgument(test.testFunction)}`);
    }
    const expected = test.expectedPerformance;
    if (expected !== undefined && (expected === null || typeof expected !== 'object')) {
      throw new TypeError(`test.expectedPerformance must be an object, received ${describeArgument(expected)}`);
    }
    for (const field of ['maxResponseTime', 'maxMemoryIncrease']) {
      const limit = expected?.[field];
      if (limit !== undefined && (typeof limit !== 'number' || Number.isNaN(limit) || limit < 0)) {
        throw new RangeError(
          `test.expectedPerformance.${field} must be a number >= 0, received ${describeArgument(limit)}`,
        );
      }
    }
    if (test.enabled !== undefined && typeof test.enabled !== 'boolean') {
      throw new TypeError(`test.enabled must be a boolean, received ${describeArgument(test.enabled)}`);
    }

    this.regressionTests.set(test.name, test);
  }

  /** Runs the enabled tests one after another, in registration order, and returns their reports. */
  async runAllTests() {
    const reports = [];
    for (const test of this.regressionTests.values()) {
      if (test.enabled === false) continue;
      reports.push(await this.runSingleTest(test));
    }
    return reports;
  }

  /**
   * Runs one test, stores its RegressionReport and returns it. A test whose
   * function throws, or resolves to something that is not a TestResult,
   * yields a failed report with both regression flags set.
   *
   * After a test that produced measurements, `<name>_response_time` (ms) and
   * `<name>_memory_usage` (bytes) of the new side are recorded on the monitor.
   * Nothing is recorded when the test threw or its TestResult carries an
   * `error`, because zeroed measurements would drag the baseline down.
   */
  async runSingleTest(test) {
    if (test === null || typeof test !== 'object' || typeof test.testFunction !== 'function') {
      throw new TypeError('test must be a RegressionTest with a testFunction');
    }

    let report;
    let testResult;
    try {
      testResult = await test.testFunction();
      validateTestResult(testResult);
      report = this.buildReport(test, testResult);
    } catch (error) {
      report = buildFailedReport(test, error);
      testResult = null;
    }

    if (testResult && !testResult.error) this.recordMeasurements(test.name, testResult);
    this.storeReport(report);
    return report;
  }

  buildReport(test, testResult) {
    const responseTimeRegression = regressionPercent(testResult.executionTimeOld, testResult.executionTimeNew);
    const memoryRegression = regressionPercent(testResult.memoryUsageOld, testResult.memoryUsageNew);
    const limits = test.expectedPerformance ?? {};

    const performanceRegression =
      responseTimeRegression > this.responseTimeRegressionPercent ||
      memoryRegression > this.memoryRegressionPercent ||
      testResult.executionTimeNew > (limits.maxResponseTime ?? Infinity) ||
      testResult.memoryUsageNew > (limits.maxMemoryIncrease ?? Infinity);
    const functionalRegression = !testResult.isEqual || Boolean(testResult.error);

    return {
      testName: test.name,
      passed: !performanceRegression && !functionalRegression,
      performanceRegression,
      functionalRegression,
      details: {
        responseTime: {
          old: testResult.executionTimeOld,
          new: testResult.executionTimeNew,
          regression: responseTimeRegression,
        },
        memoryUsage: {
          old: testResult.memoryUsageOld,
          new: testResult.memoryUsageNew,
          regression: memoryRegression,
        },
        functionalDifferences: describeInequality(testResult),
      },
      timestamp: Date.now(),
    };
  }

  recordMeasurements(testName, testResult) {
    // A throwing monitor listener must not turn a finished test into a failure.
    try {
      this.performanceMonitor.recordMetric(`${testName}_response_time`, testResult.executionTimeNew, 'ms', {
        testName,
        oldTime: testResult.executionTimeOld,
      });
      this.performanceMonitor.recordMetric(`${testName}_memory_usage`, testResult.memoryUsageNew, 'bytes', {
        testName,
        oldMemory: testResult.memoryUsageOld,
      });
    } catch (error) {
      process.emitWarning(`Recording the measurements of test ${testName} failed: ${error && error.message}`, {
        type: 'RegressionDetectorWarning',
        code: 'PERF_SENTINEL_RECORD_FAILED',
      });
    }
  }

  storeReport(report) {
    this.testReports.push(report);
    if (this.testReports.length > this.maxReports) {
      this.testReports.splice(0, this.testReports.length - this.maxReports);
    }
  }

  /** Returns a copy of the stored reports, oldest first; `limit` keeps the newest `limit`. */
  getTestReports(limit) {
    if (limit === undefined) return this.testReports.slice();
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
      throw new RangeError(`limit must be an integer >= 0, received ${describeArgument(limit)}`);
    }
    // 0 means no limit, as for the monitor's getMetrics and getRecentAlerts.
    return limit === 0 ? this.testReports.slice() : this.testReports.slice(-limit);
  }

  getFailedTests() {
    return this.testReports.filter((report) => !report.passed);
  }

  getPerformanceRegressions() {
    return this.testReports.filter((report) => report.performanceRegression);
  }

  getFunctionalRegressions() {
    return this.testReports.filter((report) => report.functionalRegression);
  }

  /** Counts the stored reports; `criticalIssues` are reports with both regression flags. */
  generateSummary() {
    const totalTests = this.testReports.length;
    const passedTests = this.testReports.filter((report) => report.passed).length;
    return {
      totalTests,
      passedTests,
      failedTests: totalTests - passedTests,
      performanceRegressions: this.getPerformanceRegressions().length,
      functionalRegressions: this.getFunctionalRegressions().length,
      criticalIssues: this.testReports.filter((report) => report.performanceRegression && report.functionalRegression)
        .length,
      recentReports: this.getTestReports(RECENT_REPORT_COUNT),
    };
  }

  /** Drops the stored reports; registered tests stay. */
  clearHistory() {
    this.testReports = [];
  }

  /**
   * Returns a JSON-serialisable snapshot: `tests` keyed by name (without the
   * functions), `reports`, `summary`, and `performanceData` from the
   * monitor's `exportMetrics()` when it has one.
   */
  exportData() {
    const tests = {};
    for (const [name, test] of this.regressionTests) {
      tests[name] = {
        name,
        description: test.description ?? '',
        expectedPerformance: { ...test.expectedPerformance },
        enabled: test.enabled !== false,
      };
    }
    const data = { tests, reports: this.getTestReports(), summary: this.generateSummary() };
    if (typeof this.performanceMonitor.exportMetrics === 'function') {
      data.performanceData = this.performanceMonitor.exportMetrics();
    }
    return data;
  }

  /**
   * Adds an alert callback that prints critical alerts with `console.error`
   * and warnings with `console.warn`. Calling it again adds nothing.
   * Returns the callback, which `offAlert` removes.
   */
  setupAutomatedAlerts() {
    if (this.automatedAlertCallback) return this.automatedAlertCallback;
    this.automatedAlertCallback = (alert) => {
      if (alert.severity === 'critical') {
        console.error(
          `CRITICAL performance regression: ${alert.metricName} is ${alert.currentValue}, ` +
            `expected ${alert.previousValue} (${formatPercent(alert.regressionPercentage)} over)`,
        );
      } else {
        console.warn(
          `Performance warning: ${alert.metricName} is ${formatPercent(alert.regressionPercentage)} over its expected value`,
        );
      }
    };
    this.onAlert(this.automatedAlertCallback);
    return this.automatedAlertCallback;
  }
}

/** Percent growth from old to new: 100 when old is 0 and new > 0, 0 when both are 0. */
function regressionPercent(oldValue, newValue) {
  // Heap deltas are signed: against a shrinking or flat old side, any growth counts as 100 %.
  if (oldValue <= 0) return newValue > 0 ? 100 : 0;
  return ((newValue - oldValue) / oldValue) * 100;
}

function buildFailedReport(test, error) {
  const message = error instanceof Error ? error.message : String(error);
  return {
    testName: test.name,
    passed: false,
    performanceRegression: true,
    functionalRegression: true,
    details: {
      responseTime: { old: 0, new: 0, regression: 0 },
      memoryUsage: { old: 0, new: 0, regression: 0 },
      functionalDifferences: [`Test execution failed: ${message}`],
    },
    timestamp: Date.now(),
  };
}

function validateTestResult(result) {
  if (result === null || typeof result !== 'object') {
    throw new TypeError(`testFunction must resolve to a TestResult, received ${describeArgument(result)}`);
  }
  for (const field of ['executionTimeOld', 'executionTimeNew', 'memoryUsageOld', 'memoryUsageNew']) {
    if (typeof result[field] !== 'number' || !Number.isFinite(result[field])) {
      throw new TypeError(
        `testFunction must resolve to a TestResult with a finite ${field}, received ${describeArgument(result[field])}`,
      );
    }
  }
}

function validatePositiveInteger(value, name) {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, received ${describeArgument(value)}`);
  }
  return value;
}

function validatePercent(value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, received ${describeArgument(value)}`);
  }
  return value;
}

function formatPercent(value) {
  return typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(2)}%` : 'an unknown percentage';
}

module.exports = { RegressionDetector, regressionPercent };
