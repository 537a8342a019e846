'use strict';

// RegressionDetector: alert forwarding and containment, test registration,
// running tests into RegressionReports, metrics recorded on the monitor,
// report queries, summary, export, automated alerts and the bounded history.
//
// Most tests use the real PerformanceMonitor. Reports are built from
// TestResults that the test functions return literally, so the regression
// percentages are exact and no assertion depends on real timings.

const { describe, test, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { EventEmitter } = require('node:events');

const { RegressionDetector } = require('../lib/detector');
const { ParallelTestHarness } = require('../lib/harness');
const { PerformanceMonitor } = require('../lib/monitor');

function makeResult(overrides = {}) {
  return {
    testId: 'literal',
    timestamp: Date.now(),
    oldResult: 1,
    newResult: 1,
    isEqual: true,
    executionTimeOld: 10,
    executionTimeNew: 10,
    memoryUsageOld: 1000,
    memoryUsageNew: 1000,
    error: undefined,
    ...overrides,
  };
}

function makeTest(name, resultOverrides = {}, extra = {}) {
  return {
    name,
    description: `${name} description`,
    testFunction: async () => makeResult(resultOverrides),
    expectedPerformance: { maxResponseTime: 1000, maxMemoryIncrease: 10 * 1024 * 1024 },
    enabled: true,
    ...extra,
  };
}

/** Replaces process.emitWarning for one test and collects its calls. */
function captureWarnings() {
  const original = process.emitWarning;
  const warnings = [];
  process.emitWarning = (message, options) => warnings.push({ message: String(message), options });
  return { warnings, restore: () => (process.emitWarning = original) };
}

/** Replaces console.error and console.warn for one test and collects their output. */
function captureConsole() {
  const original = { error: console.error, warn: console.warn };
  const output = { error: [], warn: [] };
  console.error = (...args) => output.error.push(args.join(' '));
  console.warn = (...args) => output.warn.push(args.join(' '));
  return { output, restore: () => Object.assign(console, original) };
}

function establishRegression(monitor, name) {
  for (let i = 0; i < 15; i++) monitor.recordMetric(name, 40, 'ms');
  monitor.recordMetric(name, 120, 'ms');
}

let monitor;
let detector;

beforeEach(() => {
  monitor = new PerformanceMonitor();
  detector = new RegressionDetector(monitor, new ParallelTestHarness());
});

describe('RegressionDetector construction', () => {
  test('rejects a missing monitor', () => {
    assert.throws(() => new RegressionDetector(null, new ParallelTestHarness()), {
      name: 'TypeError',
      message: /^monitor must be a PerformanceMonitor/,
    });
    assert.throws(() => new RegressionDetector({}, null), { name: 'TypeError', message: /^monitor/ });
  });

  test('rejects a monitor without recordMetric', () => {
    assert.throws(() => new RegressionDetector(new EventEmitter()), {
      name: 'TypeError',
      message: /recordMetric/,
    });
  });

  test('rejects a non-object harness', () => {
    assert.throws(() => new RegressionDetector(monitor, 'harness'), { name: 'TypeError', message: /^harness/ });
  });

  test('rejects invalid options', () => {
    assert.throws(() => new RegressionDetector(monitor, null, { maxReports: 0 }), {
      name: 'RangeError',
      message: /maxReports/,
    });
    assert.throws(() => new RegressionDetector(monitor, null, { responseTimeRegressionPercent: -1 }), {
      name: 'RangeError',
      message: /responseTimeRegressionPercent/,
    });
  });

  test('keeps monitor and harness', () => {
    const harness = new ParallelTestHarness();
    const own = new RegressionDetector(monitor, harness);
    assert.equal(own.performanceMonitor, monitor);
    assert.equal(own.testHarness, harness);
  });
});

describe('RegressionDetector alerts', () => {
  test('forwards threshold violations', () => {
    const received = [];
    detector.onAlert((alert) => received.push(alert));
    monitor.setThreshold('lat', 100, 'ms');
    monitor.recordMetric('lat', 500, 'ms');
    assert.equal(received.length, 1);
    assert.equal(received[0].metricName, 'lat');
    assert.equal(received[0].currentValue, 500);
    assert.equal(received[0].threshold, 100);
    assert.equal(received[0].severity, 'critical');
  });

  test('forwards regressions', () => {
    const received = [];
    detector.onAlert((alert) => received.push(alert));
    establishRegression(monitor, 'api_time');
    assert.equal(received.length, 1);
    assert.equal(received[0].metricName, 'api_time');
    assert.equal(received[0].currentValue, 120);
  });

  test('callbacks run in the order added', () => {
    const order = [];
    detector.onAlert(() => order.push('first'));
    detector.onAlert(() => order.push('second'));
    monitor.setThreshold('lat', 1, 'ms');
    monitor.recordMetric('lat', 5, 'ms');
    assert.deepEqual(order, ['first', 'second']);
  });

  test('throwing callback is contained', () => {
    const { warnings, restore } = captureWarnings();
    try {
      const received = [];
      const thrower = () => {
        throw new Error('callback broke');
      };
      detector.onAlert(thrower);
      detector.onAlert((alert) => received.push(alert.currentValue));
      monitor.setThreshold('lat', 1, 'ms');

      assert.doesNotThrow(() => monitor.recordMetric('lat', 5, 'ms'));
      assert.doesNotThrow(() => monitor.recordMetric('lat', 6, 'ms'));

      assert.deepEqual(received, [5, 6]);
      assert.equal(warnings.length, 1, 'one warning per callback, not per alert');
      assert.match(warnings[0].message, /callback broke/);
      assert.equal(warnings[0].options.code, 'PERF_SENTINEL_ALERT_CALLBACK_FAILED');
      assert.equal(monitor.getMetrics('lat').length, 2);
    } finally {
      restore();
    }
  });

  test('two throwing callbacks warn once each', () => {
    const { warnings, restore } = captureWarnings();
    try {
      detector.onAlert(() => {
        throw new Error('first broke');
      });
      detector.onAlert(() => {
        throw new Error('second broke');
      });
      monitor.setThreshold('lat', 1, 'ms');
      monitor.recordMetric('lat', 5, 'ms');
      monitor.recordMetric('lat', 5, 'ms');
      assert.deepEqual(
        warnings.map((warning) => warning.message.includes('first broke') || warning.message.includes('second broke')),
        [true, true],
      );
    } finally {
      restore();
    }
  });

  test('rejecting async callback is contained', async () => {
    const { warnings, restore } = captureWarnings();
    try {
      detector.onAlert(async () => {
        throw new Error('async callback broke');
      });
      monitor.setThreshold('lat', 1, 'ms');
      monitor.recordMetric('lat', 5, 'ms');
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].message, /async callback broke/);
    } finally {
      restore();
    }
  });

  test('onAlert requires a function', () => {
    assert.throws(() => detector.onAlert('nope'), { name: 'TypeError', message: /^callback must be a function/ });
  });

  test('offAlert removes a callback', () => {
    const received = [];
    const callback = (alert) => received.push(alert);
    detector.onAlert(callback);
    assert.equal(detector.offAlert(callback), true);
    assert.equal(detector.offAlert(callback), false);
    monitor.setThreshold('lat', 1, 'ms');
    monitor.recordMetric('lat', 5, 'ms');
    assert.deepEqual(received, []);
  });

  test('dispose stops forwarding', () => {
    const received = [];
    detector.onAlert((alert) => received.push(alert));
    detector.dispose();
    monitor.setThreshold('lat', 1, 'ms');
    monitor.recordMetric('lat', 5, 'ms');
    assert.deepEqual(received, []);
    assert.equal(monitor.listenerCount('thresholdViolation'), 0);
    assert.equal(monitor.listenerCount('regressionDetected'), 0);
  });
});

describe('RegressionDetector registerTest', () => {
  test('validates the test', () => {
    assert.throws(() => detector.registerTest(null), { name: 'TypeError', message: /^test must be an object/ });
    assert.throws(() => detector.registerTest({ ...makeTest('x'), name: '' }), {
      name: 'TypeError',
      message: 'test.name must be a non-empty string, received ""',
    });
    assert.throws(() => detector.registerTest({ ...makeTest('x'), name: 5 }), {
      name: 'TypeError',
      message: /^test\.name/,
    });
    assert.throws(() => detector.registerTest({ ...makeTest('x'), testFunction: 'run' }), {
      name: 'TypeError',
      message: 'test.testFunction must be a function, received "run"',
    });
    assert.throws(() => detector.registerTest({ ...makeTest('x'), expectedPerformance: 5 }), {
      name: 'TypeError',
      message: /^test\.expectedPerformance must be an object/,
    });
    assert.throws(
      () => detector.registerTest({ ...makeTest('x'), expectedPerformance: { maxResponseTime: -1 } }),
      { name: 'RangeError', message: /^test\.expectedPerformance\.maxResponseTime/ },
    );
    assert.throws(() => detector.registerTest({ ...makeTest('x'), enabled: 'yes' }), {
      name: 'TypeError',
      message: /^test\.enabled/,
    });
  });

  test('runs enabled tests in registration order', async () => {
    const order = [];
    const tracked = (name, enabled = true) =>
      makeTest(name, {}, {
        enabled,
        testFunction: async () => {
          order.push(name);
          return makeResult();
        },
      });
    detector.registerTest(tracked('b'));
    detector.registerTest(tracked('skipped', false));
    detector.registerTest(tracked('a'));
    detector.registerTest(tracked('c'));
    const reports = await detector.runAllTests();
    assert.deepEqual(order, ['b', 'a', 'c']);
    assert.deepEqual(
      reports.map((report) => report.testName),
      ['b', 'a', 'c'],
    );
  });

  test('same name replaces the test in place', async () => {
    detector.registerTest(makeTest('first'));
    detector.registerTest(makeTest('second'));
    detector.registerTest(makeTest('first', { isEqual: false }));
    const reports = await detector.runAllTests();
    assert.deepEqual(
      reports.map((report) => [report.testName, report.functionalRegression]),
      [
        ['first', true],
        ['second', false],
      ],
    );
  });

  test('enabled changed after registration applies', async () => {
    const test = makeTest('toggled');
    detector.registerTest(test);
    test.enabled = false;
    assert.deepEqual(await detector.runAllTests(), []);
  });

  test('enabled defaults to true', async () => {
    const { enabled, ...withoutEnabled } = makeTest('implicit');
    assert.equal(enabled, true);
    detector.registerTest(withoutEnabled);
    assert.equal((await detector.runAllTests()).length, 1);
  });

  test('one test failing does not stop the others', async () => {
    detector.registerTest(
      makeTest('broken', {}, {
        testFunction: async () => {
          throw new Error('boom');
        },
      }),
    );
    detector.registerTest(makeTest('fine'));
    const reports = await detector.runAllTests();
    assert.deepEqual(
      reports.map((report) => [report.testName, report.passed]),
      [
        ['broken', false],
        ['fine', true],
      ],
    );
  });
});

describe('RegressionDetector runSingleTest', () => {
  test('report shape for a passing test', async () => {
    const report = await detector.runSingleTest(
      makeTest('steady', { executionTimeOld: 10, executionTimeNew: 10.5, memoryUsageOld: 1000, memoryUsageNew: 1100 }),
    );
    assert.equal(report.testName, 'steady');
    assert.equal(report.passed, true);
    assert.equal(report.performanceRegression, false);
    assert.equal(report.functionalRegression, false);
    assert.deepEqual(report.details.responseTime, { old: 10, new: 10.5, regression: 5 });
    assert.deepEqual(report.details.memoryUsage, { old: 1000, new: 1100, regression: 10 });
    assert.deepEqual(report.details.functionalDifferences, []);
    assert.equal(typeof report.timestamp, 'number');
    assert.ok(Math.abs(report.timestamp - Date.now()) < 60_000);
  });

  test('time regression above 10 percent', async () => {
    const within = await detector.runSingleTest(makeTest('t', { executionTimeOld: 100, executionTimeNew: 110 }));
    assert.equal(within.performanceRegression, false);
    const beyond = await detector.runSingleTest(makeTest('t', { executionTimeOld: 100, executionTimeNew: 111 }));
    assert.equal(beyond.performanceRegression, true);
    assert.equal(beyond.passed, false);
    assert.equal(beyond.functionalRegression, false);
  });

  test('memory regression above 20 percent', async () => {
    const within = await detector.runSingleTest(makeTest('m', { memoryUsageOld: 1000, memoryUsageNew: 1200 }));
    assert.equal(within.performanceRegression, false);
    const beyond = await detector.runSingleTest(makeTest('m', { memoryUsageOld: 1000, memoryUsageNew: 1201 }));
    assert.equal(beyond.performanceRegression, true);
  });

  test('percent thresholds are options', async () => {
    const lenient = new RegressionDetector(monitor, null, {
      responseTimeRegressionPercent: 50,
      memoryRegressionPercent: 50,
    });
    const report = await lenient.runSingleTest(
      makeTest('lenient', { executionTimeOld: 100, executionTimeNew: 140, memoryUsageOld: 100, memoryUsageNew: 140 }),
    );
    assert.equal(report.performanceRegression, false);
  });

  test('limits of expectedPerformance', async () => {
    const slow = await detector.runSingleTest(
      makeTest('slow', { executionTimeOld: 60, executionTimeNew: 60 }, { expectedPerformance: { maxResponseTime: 50, maxMemoryIncrease: 1e9 } }),
    );
    assert.equal(slow.details.responseTime.regression, 0);
    assert.equal(slow.performanceRegression, true);

    const large = await detector.runSingleTest(
      makeTest('large', { memoryUsageOld: 5000, memoryUsageNew: 5000 }, { expectedPerformance: { maxResponseTime: 1e9, maxMemoryIncrease: 4096 } }),
    );
    assert.equal(large.performanceRegression, true);
  });

  test('missing limits mean no limit', async () => {
    const report = await detector.runSingleTest(
      makeTest('unbounded', { executionTimeOld: 1e6, executionTimeNew: 1e6 }, { expectedPerformance: undefined }),
    );
    assert.equal(report.performanceRegression, false);
  });

  test('regression against a zero old value', async () => {
    const grew = await detector.runSingleTest(makeTest('z', { executionTimeOld: 0, executionTimeNew: 3, memoryUsageOld: 0, memoryUsageNew: 0 }));
    assert.equal(grew.details.responseTime.regression, 100);
    assert.equal(grew.details.memoryUsage.regression, 0);
    assert.equal(grew.performanceRegression, true);
  });

  test('improvement gives a negative regression', async () => {
    const report = await detector.runSingleTest(makeTest('faster', { executionTimeOld: 20, executionTimeNew: 10 }));
    assert.equal(report.details.responseTime.regression, -50);
    assert.equal(report.passed, true);
  });

  test('unequal results are a functional regression', async () => {
    const report = await detector.runSingleTest(
      makeTest('differs', { isEqual: false, oldResult: { a: 1 }, newResult: { a: 2 }, difference: { path: '.a', reason: 'values differ: 1 vs 2' } }),
    );
    assert.equal(report.functionalRegression, true);
    assert.equal(report.performanceRegression, false);
    assert.equal(report.passed, false);
    assert.equal(report.details.functionalDifferences[0], 'Results are not equal at .a (values differ: 1 vs 2)');
  });

  test('error result is a functional regression', async () => {
    const report = await detector.runSingleTest(
      makeTest('errored', { isEqual: false, error: 'Method x not found in old implementation', executionTimeOld: 0, executionTimeNew: 0, memoryUsageOld: 0, memoryUsageNew: 0 }),
    );
    assert.equal(report.functionalRegression, true);
    assert.deepEqual(report.details.functionalDifferences, [
      'Results are not equal: execution failed: Method x not found in old implementation',
    ]);
    assert.deepEqual(monitor.getMetrics('errored_response_time'), [], 'zeroed measurements are not recorded');
  });

  test('throwing test function gives a failed report', async () => {
    const report = await detector.runSingleTest(
      makeTest('throws', {}, {
        testFunction: async () => {
          throw new Error('boom');
        },
      }),
    );
    assert.deepEqual(report, {
      testName: 'throws',
      passed: false,
      performanceRegression: true,
      functionalRegression: true,
      details: {
        responseTime: { old: 0, new: 0, regression: 0 },
        memoryUsage: { old: 0, new: 0, regression: 0 },
        functionalDifferences: ['Test execution failed: boom'],
      },
      timestamp: report.timestamp,
    });
    assert.deepEqual(detector.getTestReports(), [report]);
    assert.deepEqual(monitor.getMetrics('throws_response_time'), []);
  });

  test('synchronous throw and non-Error throw', async () => {
    const sync = await detector.runSingleTest(
      makeTest('sync', {}, {
        testFunction: () => {
          throw new TypeError('sync boom');
        },
      }),
    );
    assert.deepEqual(sync.details.functionalDifferences, ['Test execution failed: sync boom']);
    const text = await detector.runSingleTest(makeTest('text', {}, { testFunction: () => Promise.reject('plain') }));
    assert.deepEqual(text.details.functionalDifferences, ['Test execution failed: plain']);
  });

  test('result that is no TestResult fails', async () => {
    const report = await detector.runSingleTest(makeTest('empty', {}, { testFunction: async () => undefined }));
    assert.equal(report.passed, false);
    assert.equal(report.performanceRegression, true);
    assert.equal(report.functionalRegression, true);
    assert.match(report.details.functionalDifferences[0], /^Test execution failed: testFunction must resolve to a TestResult/);

    const partial = await detector.runSingleTest(
      makeTest('partial', {}, { testFunction: async () => ({ isEqual: true, executionTimeOld: NaN }) }),
    );
    assert.match(partial.details.functionalDifferences[0], /finite executionTimeOld/);
  });

  test('records response time and memory on the monitor', async () => {
    await detector.runSingleTest(
      makeTest('room_creation', { executionTimeOld: 8, executionTimeNew: 12.5, memoryUsageOld: 2048, memoryUsageNew: 4096 }),
    );
    const times = monitor.getMetrics('room_creation_response_time');
    assert.equal(times.length, 1);
    assert.equal(times[0].value, 12.5);
    assert.equal(times[0].unit, 'ms');
    assert.deepEqual(times[0].context, { testName: 'room_creation', oldTime: 8 });

    const memory = monitor.getMetrics('room_creation_memory_usage');
    assert.equal(memory.length, 1);
    assert.equal(memory[0].value, 4096);
    assert.equal(memory[0].unit, 'bytes');
    assert.deepEqual(memory[0].context, { testName: 'room_creation', oldMemory: 2048 });
  });

  test('recording failure keeps the report', async () => {
    const stub = new EventEmitter();
    stub.recordMetric = () => {
      throw new Error('listener broke');
    };
    const own = new RegressionDetector(stub, null);
    const { warnings, restore } = captureWarnings();
    try {
      const report = await own.runSingleTest(makeTest('kept'));
      assert.equal(report.passed, true);
      assert.equal(own.getTestReports().length, 1);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].message, /kept.*listener broke/);
    } finally {
      restore();
    }
  });

  test('drives a real harness', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ handle: async (x) => ({ doubled: x * 2 }) }, { handle: async (x) => ({ doubled: x + x }) });
    const report = await detector.runSingleTest({
      name: 'real_harness',
      description: 'doubling',
      testFunction: () => harness.executeParallel('handle', [21], 'real'),
      expectedPerformance: { maxResponseTime: 60_000, maxMemoryIncrease: 1024 * 1024 * 1024 },
      enabled: true,
    });
    assert.equal(report.functionalRegression, false);
    assert.equal(typeof report.details.responseTime.new, 'number');
    assert.equal(monitor.getMetrics('real_harness_response_time').length, 1);
  });

  test('rejects a test without testFunction', async () => {
    await assert.rejects(detector.runSingleTest({ name: 'x' }), { name: 'TypeError' });
  });
});

describe('RegressionDetector history', () => {
  async function runMixed() {
    detector.registerTest(makeTest('pass'));
    detector.registerTest(makeTest('slow', { executionTimeOld: 10, executionTimeNew: 20 }));
    detector.registerTest(makeTest('wrong', { isEqual: false }));
    detector.registerTest(makeTest('both', { isEqual: false, executionTimeOld: 10, executionTimeNew: 20 }));
    return detector.runAllTests();
  }

  test('getTestReports copies and limits', async () => {
    await runMixed();
    const all = detector.getTestReports();
    assert.deepEqual(
      all.map((report) => report.testName),
      ['pass', 'slow', 'wrong', 'both'],
    );
    all.pop();
    assert.equal(detector.getTestReports().length, 4, 'the returned array is a copy');
    assert.deepEqual(
      detector.getTestReports(2).map((report) => report.testName),
      ['wrong', 'both'],
    );
    assert.equal(detector.getTestReports(0).length, 4, '0 means no limit');
    assert.equal(detector.getTestReports(10).length, 4);
    assert.throws(() => detector.getTestReports(-1), { name: 'RangeError', message: /^limit/ });
    assert.throws(() => detector.getTestReports(1.5), { name: 'RangeError' });
  });

  test('queries by flag', async () => {
    await runMixed();
    const names = (reports) => reports.map((report) => report.testName);
    assert.deepEqual(names(detector.getFailedTests()), ['slow', 'wrong', 'both']);
    assert.deepEqual(names(detector.getPerformanceRegressions()), ['slow', 'both']);
    assert.deepEqual(names(detector.getFunctionalRegressions()), ['wrong', 'both']);
  });

  test('generateSummary counts', async () => {
    await runMixed();
    const summary = detector.generateSummary();
    assert.equal(summary.totalTests, 4);
    assert.equal(summary.passedTests, 1);
    assert.equal(summary.failedTests, 3);
    assert.equal(summary.performanceRegressions, 2);
    assert.equal(summary.functionalRegressions, 2);
    assert.equal(summary.criticalIssues, 1);
    assert.equal(summary.recentReports.length, 4);
  });

  test('recentReports holds the last 10', async () => {
    for (let i = 0; i < 12; i++) await detector.runSingleTest(makeTest(`run_${i}`));
    const summary = detector.generateSummary();
    assert.equal(summary.totalTests, 12);
    assert.deepEqual(
      summary.recentReports.map((report) => report.testName),
      Array.from({ length: 10 }, (_, i) => `run_${i + 2}`),
    );
  });

  test('empty summary', () => {
    assert.deepEqual(detector.generateSummary(), {
      totalTests: 0,
      passedTests: 0,
      failedTests: 0,
      performanceRegressions: 0,
      functionalRegressions: 0,
      criticalIssues: 0,
      recentReports: [],
    });
  });

  test('clearHistory keeps the tests', async () => {
    await runMixed();
    detector.clearHistory();
    assert.deepEqual(detector.getTestReports(), []);
    assert.equal(detector.generateSummary().totalTests, 0);
    assert.equal((await detector.runAllTests()).length, 4);
  });

  test('history bounded by maxReports', async () => {
    const bounded = new RegressionDetector(monitor, null, { maxReports: 5 });
    for (let i = 0; i < 7; i++) await bounded.runSingleTest(makeTest(`run_${i}`));
    assert.deepEqual(
      bounded.getTestReports().map((report) => report.testName),
      ['run_2', 'run_3', 'run_4', 'run_5', 'run_6'],
    );
  });

  test('default bound is 1000 reports', async () => {
    const test = makeTest('many');
    for (let i = 0; i < 1005; i++) await detector.runSingleTest(test);
    assert.equal(detector.getTestReports().length, 1000);
  });

  test('exportData is plain JSON', async () => {
    await runMixed();
    const data = detector.exportData();
    assert.deepEqual(Object.keys(data.tests), ['pass', 'slow', 'wrong', 'both']);
    assert.deepEqual(data.tests.pass, {
      name: 'pass',
      description: 'pass description',
      expectedPerformance: { maxResponseTime: 1000, maxMemoryIncrease: 10 * 1024 * 1024 },
      enabled: true,
    });
    assert.equal(data.reports.length, 4);
    assert.equal(data.summary.totalTests, 4);
    assert.ok(data.performanceData, 'the monitor export is included');
    assert.deepEqual(JSON.parse(JSON.stringify(data)), data);
  });
});

describe('RegressionDetector setupAutomatedAlerts', () => {
  let captured;

  beforeEach(() => {
    captured = captureConsole();
  });

  afterEach(() => {
    captured.restore();
  });

  test('critical alerts to console.error', () => {
    detector.setupAutomatedAlerts();
    monitor.setThreshold('lat', 100, 'ms');
    monitor.recordMetric('lat', 500, 'ms');
    captured.restore();
    assert.equal(captured.output.error.length, 1);
    assert.match(captured.output.error[0], /CRITICAL/);
    assert.match(captured.output.error[0], /lat/);
    assert.match(captured.output.error[0], /400\.00%/);
    assert.deepEqual(captured.output.warn, []);
  });

  test('warnings to console.warn', () => {
    detector.setupAutomatedAlerts();
    monitor.setThreshold('lat', 100, 'ms');
    monitor.recordMetric('lat', 120, 'ms');
    captured.restore();
    assert.equal(captured.output.warn.length, 1);
    assert.match(captured.output.warn[0], /lat is 20\.00% over/);
    assert.deepEqual(captured.output.error, []);
  });

  test('second call adds nothing', () => {
    const first = detector.setupAutomatedAlerts();
    const second = detector.setupAutomatedAlerts();
    assert.equal(first, second);
    monitor.setThreshold('lat', 100, 'ms');
    monitor.recordMetric('lat', 500, 'ms');
    captured.restore();
    assert.equal(captured.output.error.length, 1);
  });

  test('offAlert removes the printer', () => {
    const printer = detector.setupAutomatedAlerts();
    detector.offAlert(printer);
    monitor.setThreshold('lat', 100, 'ms');
    monitor.recordMetric('lat', 500, 'ms');
    captured.restore();
    assert.deepEqual(captured.output.error, []);
  });
});
