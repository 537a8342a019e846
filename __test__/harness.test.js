'use strict';

// ParallelTestHarness without statistics options: registration,
// executeParallel (order, awaiting, signed measurements, garbage collection
// between sides, error semantics, ids, events, argument checks),
// analyzeResults, getAllResults, clearResults and generateReport. The
// repeated runs with statistics are in harness-statistics.test.js.
//
// Time and heap figures come from process.hrtime.bigint and
// process.memoryUsage; where a test needs exact ratios it replaces both with
// a fake clock and heap that the implementations advance, so no assertion
// depends on real timings.

const { describe, test, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { ParallelTestHarness } = require('../lib/harness');

const MS = 1_000_000n;

const realHrtimeBigint = process.hrtime.bigint;
const realMemoryUsage = process.memoryUsage;

/** Replaces the clock and the heap reading; the returned handle advances them. */
function installFakeMeters() {
  const meters = { now: 0n, heapUsed: 1_000_000 };
  process.hrtime.bigint = () => meters.now;
  process.memoryUsage = () => ({ rss: 0, heapTotal: 0, heapUsed: meters.heapUsed, external: 0, arrayBuffers: 0 });
  return meters;
}

function restoreMeters() {
  process.hrtime.bigint = realHrtimeBigint;
  process.memoryUsage = realMemoryUsage;
}

/** An implementation whose `run` takes `ms` fake milliseconds and grows the fake heap by `bytes`. */
function meteredImplementation(meters, ms, bytes, value = 'same') {
  return {
    run() {
      meters.now += BigInt(ms) * MS;
      meters.heapUsed += bytes;
      return value;
    },
  };
}

async function analyzeMetered({ oldMs, newMs, oldBytes = 0, newBytes = 0, oldValue, newValue }) {
  const meters = installFakeMeters();
  try {
    const harness = new ParallelTestHarness();
    harness.registerImplementations(
      meteredImplementation(meters, oldMs, oldBytes, oldValue),
      meteredImplementation(meters, newMs, newBytes, newValue),
    );
    const result = await harness.executeParallel('run', [], 'metered');
    return { result, analysis: harness.analyzeResults('metered') };
  } finally {
    restoreMeters();
  }
}

afterEach(restoreMeters);

describe('ParallelTestHarness registration', () => {
  test('implementations readable as properties', () => {
    const harness = new ParallelTestHarness();
    const oldImpl = { a() {} };
    const newImpl = { a() {} };
    harness.registerImplementations(oldImpl, newImpl);
    assert.equal(harness.oldImplementation, oldImpl);
    assert.equal(harness.newImplementation, newImpl);
  });

  test('is an EventEmitter', () => {
    const harness = new ParallelTestHarness();
    assert.equal(typeof harness.on, 'function');
    assert.equal(typeof harness.emit, 'function');
  });

  test('rejects null and primitive implementations', () => {
    const harness = new ParallelTestHarness();
    assert.throws(() => harness.registerImplementations(null, {}), {
      name: 'TypeError',
      message: 'oldImpl must be an object or a function, received null',
    });
    assert.throws(() => harness.registerImplementations({}, 5), {
      name: 'TypeError',
      message: 'newImpl must be an object or a function, received number 5',
    });
  });

  test('accepts class instances and functions', () => {
    class Handlers {
      run() {
        return 1;
      }
    }
    const harness = new ParallelTestHarness();
    assert.doesNotThrow(() => harness.registerImplementations(new Handlers(), function legacy() {}));
  });

  test('rejects an invalid maxResults', () => {
    assert.throws(() => new ParallelTestHarness({ maxResults: 0 }), { name: 'RangeError', message: /maxResults/ });
    assert.throws(() => new ParallelTestHarness(5), { name: 'TypeError', message: /options must be an object/ });
  });
});

describe('ParallelTestHarness executeParallel', () => {
  test('calls old then new with the arguments', async () => {
    const calls = [];
    const harness = new ParallelTestHarness();
    harness.registerImplementations(
      {
        add(a, b) {
          calls.push(['old', a, b]);
          return a + b;
        },
      },
      {
        add(a, b) {
          calls.push(['new', a, b]);
          return b + a;
        },
      },
    );
    const result = await harness.executeParallel('add', [2, 3], 'add');
    assert.deepEqual(calls, [
      ['old', 2, 3],
      ['new', 2, 3],
    ]);
    assert.equal(result.oldResult, 5);
    assert.equal(result.newResult, 5);
    assert.equal(result.isEqual, true);
  });

  test('binds this to each implementation', async () => {
    class Counter {
      constructor(start) {
        this.start = start;
      }
      next() {
        return this.start + 1;
      }
    }
    const harness = new ParallelTestHarness();
    harness.registerImplementations(new Counter(1), new Counter(1));
    const result = await harness.executeParallel('next', []);
    assert.equal(result.oldResult, 2);
    assert.equal(result.isEqual, true);
  });

  test('awaits promises before the new side starts', async () => {
    const events = [];
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const harness = new ParallelTestHarness();
    harness.registerImplementations(
      {
        async load() {
          events.push('old start');
          await sleep(20);
          events.push('old end');
          return { rows: [1, 2] };
        },
      },
      {
        async load() {
          events.push('new start');
          await sleep(5);
          events.push('new end');
          return { rows: [1, 2] };
        },
      },
    );
    const result = await harness.executeParallel('load', []);
    assert.deepEqual(events, ['old start', 'old end', 'new start', 'new end']);
    assert.deepEqual(result.oldResult, { rows: [1, 2] });
    assert.equal(result.isEqual, true);
    // A timer never fires early by more than a millisecond, so this lower bound is safe.
    assert.ok(result.executionTimeOld >= 15, `old took ${result.executionTimeOld} ms`);
  });

  test('result shape and units', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
    const before = Date.now();
    const result = await harness.executeParallel('f', [], 'shape');
    const after = Date.now();

    assert.equal(result.testId, 'shape');
    assert.ok(result.timestamp >= before && result.timestamp <= after);
    assert.equal(result.error, undefined);
    for (const field of ['executionTimeOld', 'executionTimeNew']) {
      assert.equal(typeof result[field], 'number', field);
      assert.ok(Number.isFinite(result[field]), `${field} = ${result[field]}`);
      assert.ok(result[field] >= 0, `${field} = ${result[field]}`);
    }
    // Heap changes are signed: a collection during the call makes them negative.
    assert.ok(Number.isInteger(result.memoryUsageOld), `memoryUsageOld = ${result.memoryUsageOld}`);
    assert.ok(Number.isInteger(result.memoryUsageNew), `memoryUsageNew = ${result.memoryUsageNew}`);
    assert.equal(typeof result.gcBetweenSides, 'boolean');
    assert.equal(result.statistics, undefined, 'no statistics without options');
  });

  test('time from the high-resolution clock in ms', async () => {
    const { result } = await analyzeMetered({ oldMs: 7, newMs: 3 });
    assert.equal(result.executionTimeOld, 7);
    assert.equal(result.executionTimeNew, 3);
  });

  test('heap growth in bytes', async () => {
    const { result } = await analyzeMetered({ oldMs: 1, newMs: 1, oldBytes: 4096, newBytes: 8192 });
    assert.equal(result.memoryUsageOld, 4096);
    assert.equal(result.memoryUsageNew, 8192);
  });

  test('shrinking heap reported as negative bytes', async () => {
    const { result } = await analyzeMetered({ oldMs: 1, newMs: 1, oldBytes: -50_000, newBytes: 100 });
    assert.equal(result.memoryUsageOld, -50_000);
    assert.equal(result.memoryUsageNew, 100);
  });

  // Bun's heapUsed is JavaScriptCore's heap size, which moves in
  // collection-sized steps and often reads the same before and after a call.
  test('real heap growth of a large allocation', { skip: process.versions.bun && 'heapUsed is coarse under Bun' }, async () => {
    const retained = [];
    const harness = new ParallelTestHarness();
    harness.registerImplementations(
      { make: () => 1 },
      {
        make: () => {
          // About 16 MB of objects that stay reachable after the call.
          for (let i = 0; i < 500_000; i++) retained.push({ i, label: `item-${i}` });
          return 1;
        },
      },
    );
    const result = await harness.executeParallel('make', []);
    assert.ok(result.memoryUsageNew > 4 * 1024 * 1024, `heap grew by ${result.memoryUsageNew} bytes`);
    assert.equal(retained.length, 500_000);
  });

  test('missing method in old implementation', async () => {
    const calls = [];
    const harness = new ParallelTestHarness();
    harness.registerImplementations({}, { run: () => calls.push('new') });
    const result = await harness.executeParallel('run', [], 'missing-old');
    assert.equal(result.error, 'Method run not found in old implementation');
    assert.equal(result.isEqual, false);
    assert.equal(result.failedImplementation, 'old');
    assert.deepEqual(calls, []);
    for (const field of ['executionTimeOld', 'executionTimeNew', 'memoryUsageOld', 'memoryUsageNew']) {
      assert.equal(result[field], 0, field);
    }
  });

  test('missing method in new implementation', async () => {
    const calls = [];
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ run: () => calls.push('old') }, {});
    const result = await harness.executeParallel('run', [], 'missing-new');
    assert.equal(result.error, 'Method run not found in new implementation');
    assert.equal(result.isEqual, false);
    assert.deepEqual(calls, [], 'the old side must not run when the new side cannot');
    assert.equal(result.executionTimeOld, 0);
    assert.equal(result.memoryUsageNew, 0);
  });

  test('property that is no function counts as missing', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ run: 42 }, { run: () => 1 });
    const result = await harness.executeParallel('run', []);
    assert.match(result.error, /^Method run not found in old implementation \(the property is number 42/);
  });

  test('no implementations registered', async () => {
    const harness = new ParallelTestHarness();
    const result = await harness.executeParallel('run', []);
    assert.match(result.error, /^Method run not found in old implementation/);
    assert.match(result.error, /registerImplementations/);
    assert.equal(result.isEqual, false);
  });

  test('throw on old side skips new side', async () => {
    const calls = [];
    const harness = new ParallelTestHarness();
    harness.registerImplementations(
      {
        run() {
          throw new Error('old broke');
        },
      },
      { run: () => calls.push('new') },
    );
    const result = await harness.executeParallel('run', [], 'old-throws');
    assert.equal(result.error, 'old broke');
    assert.equal(result.failedImplementation, 'old');
    assert.equal(result.isEqual, false);
    assert.deepEqual(calls, []);
    assert.equal(result.executionTimeOld, 0);
    assert.equal(result.executionTimeNew, 0);
  });

  test('rejection on new side', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ run: async () => 'fine' }, { run: async () => Promise.reject(new Error('new broke')) });
    const result = await harness.executeParallel('run', [], 'new-rejects');
    assert.equal(result.error, 'new broke');
    assert.equal(result.failedImplementation, 'new');
    assert.equal(result.oldResult, 'fine');
    assert.equal(result.newResult, undefined);
    assert.equal(result.isEqual, false);
    assert.equal(result.memoryUsageOld, 0);
  });

  test('thrown non-Error values become text', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations(
      {
        run() {
          throw 'plain text'; // eslint-disable-line no-throw-literal
        },
      },
      { run: () => 1 },
    );
    const result = await harness.executeParallel('run', []);
    assert.equal(result.error, 'plain text');
  });

  test('Error with an empty message still sets error', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations(
      {
        run() {
          throw new RangeError('');
        },
      },
      { run: () => 1 },
    );
    const result = await harness.executeParallel('run', []);
    assert.equal(result.error, 'RangeError');
  });

  test('unequal results carry the difference', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ run: () => ({ user: { name: 'a' } }) }, { run: () => ({ user: { name: 'b' } }) });
    const result = await harness.executeParallel('run', []);
    assert.equal(result.isEqual, false);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.difference, { path: '.user.name', reason: 'values differ: "a" vs "b"' });
  });

  test('throwing getter in a result makes it unequal', async () => {
    const broken = {
      get value() {
        throw new Error('getter failed');
      },
    };
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ run: () => broken }, { run: () => ({ value: 1 }) });
    const result = await harness.executeParallel('run', [], 'getter');
    assert.equal(result.isEqual, false);
    assert.equal(result.error, undefined);
    assert.match(result.difference.reason, /comparison failed: getter failed/);
  });

  test('default testId is test_ and a number', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
    const before = Date.now();
    const result = await harness.executeParallel('f', [1]);
    assert.match(result.testId, /^test_\d+$/);
    assert.ok(Number(result.testId.slice(5)) >= before);
  });

  test('default testIds unique within one millisecond', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
    const results = await Promise.all(Array.from({ length: 50 }, () => harness.executeParallel('f', [])));
    const ids = new Set(results.map((result) => result.testId));
    assert.equal(ids.size, 50);
    assert.equal(harness.getAllResults().length, 50);
  });

  test('explicit testId reused replaces the result', async () => {
    const harness = new ParallelTestHarness();
    let counter = 0;
    harness.registerImplementations({ f: () => counter }, { f: () => counter++ });
    await harness.executeParallel('f', [], 'same');
    await harness.executeParallel('f', [], 'same');
    const results = harness.getAllResults();
    assert.equal(results.length, 1);
    assert.equal(results[0].oldResult, 1);
  });

  test('emits testCompleted after storing', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => 1 }, { f: () => 2 });
    const seen = [];
    harness.on('testCompleted', (result) => {
      seen.push({ result, analysis: harness.analyzeResults(result.testId) });
    });
    const result = await harness.executeParallel('f', [], 'evented');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].result, result);
    assert.notEqual(seen[0].analysis, null);
  });

  test('emits testCompleted for failures too', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({}, {});
    const seen = [];
    harness.on('testCompleted', (result) => seen.push(result.error));
    await harness.executeParallel('f', []);
    assert.deepEqual(seen, ['Method f not found in old implementation']);
  });

  test('throwing testCompleted listener rejects the call', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
    harness.on('testCompleted', () => {
      throw new Error('listener broke');
    });
    await assert.rejects(harness.executeParallel('f', [], 'listener'), /listener broke/);
    assert.notEqual(harness.analyzeResults('listener'), null, 'the result is stored before the event');
  });

  test('methodName must be a non-empty string', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
    await assert.rejects(harness.executeParallel('', []), {
      name: 'TypeError',
      message: 'methodName must be a non-empty string, received ""',
    });
    await assert.rejects(harness.executeParallel(42, []), { name: 'TypeError', message: /^methodName/ });
    await assert.rejects(harness.executeParallel(undefined, []), { name: 'TypeError', message: /^methodName/ });
  });

  test('args must be an array or undefined', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: (...args) => args.length }, { f: (...args) => args.length });
    await assert.rejects(harness.executeParallel('f', 'x'), {
      name: 'TypeError',
      message: 'args must be an array of arguments, received "x"',
    });
    await assert.rejects(harness.executeParallel('f', { 0: 1 }), { name: 'TypeError', message: /^args/ });
    const result = await harness.executeParallel('f', undefined, 'no-args');
    assert.equal(result.oldResult, 0);
  });

  test('testId must be a non-empty string', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
    await assert.rejects(harness.executeParallel('f', [], ''), { name: 'TypeError', message: /^testId/ });
    await assert.rejects(harness.executeParallel('f', [], 7), { name: 'TypeError', message: /^testId/ });
  });

  test('options without statistics keys run once each', async () => {
    const calls = [];
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => calls.push('old') }, { f: () => calls.push('new') });
    const result = await harness.executeParallel('f', [], 'with-options', { gc: false });
    assert.equal(result.testId, 'with-options');
    assert.deepEqual(calls, ['old', 'new']);
    assert.equal(result.gcBetweenSides, false);
    assert.equal(result.statistics, undefined);
  });

  test('options must be an object', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
    await assert.rejects(harness.executeParallel('f', [], 'x', 5), {
      name: 'TypeError',
      message: 'options must be an object, received 5',
    });
    await assert.rejects(harness.executeParallel('f', [], 'x', { gc: 'yes' }), {
      name: 'TypeError',
      message: 'options.gc must be a boolean, received "yes"',
    });
  });

  test('maxResults drops the oldest result', async () => {
    const harness = new ParallelTestHarness({ maxResults: 3 });
    harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
    for (const id of ['a', 'b', 'c', 'd']) await harness.executeParallel('f', [], id);
    assert.deepEqual(
      harness.getAllResults().map((result) => result.testId),
      ['b', 'c', 'd'],
    );
    assert.equal(harness.analyzeResults('a'), null);
  });
});

describe('ParallelTestHarness analyzeResults', () => {
  test('null for an unknown testId', () => {
    assert.equal(new ParallelTestHarness().analyzeResults('nope'), null);
  });

  test('equal and equally fast passes', async () => {
    const { analysis } = await analyzeMetered({ oldMs: 10, newMs: 10, oldBytes: 100, newBytes: 100 });
    assert.deepEqual(analysis, { passed: true, differences: [], performanceRatio: 1, memoryRatio: 1 });
  });

  test('slower by 20 percent', async () => {
    const { analysis } = await analyzeMetered({ oldMs: 10, newMs: 12 });
    assert.equal(analysis.performanceRatio, 1.2);
    assert.deepEqual(analysis.differences, ['Performance degradation: 20.00% slower']);
    assert.equal(analysis.passed, false);
  });

  test('faster by 50 percent', async () => {
    const { analysis } = await analyzeMetered({ oldMs: 10, newMs: 5 });
    assert.equal(analysis.performanceRatio, 0.5);
    assert.deepEqual(analysis.differences, ['Performance improvement: 50.00% faster']);
    assert.equal(analysis.passed, true);
  });

  test('ratio of exactly 1.1 still passes', async () => {
    const { analysis } = await analyzeMetered({ oldMs: 10, newMs: 11, oldBytes: 10, newBytes: 11 });
    assert.equal(analysis.performanceRatio, 1.1);
    assert.equal(analysis.memoryRatio, 1.1);
    assert.deepEqual(analysis.differences, []);
    assert.equal(analysis.passed, true);
  });

  test('ratio of exactly 0.9 is no improvement', async () => {
    const { analysis } = await analyzeMetered({ oldMs: 10, newMs: 9 });
    assert.deepEqual(analysis.differences, []);
  });

  test('memory increase and decrease', async () => {
    const more = await analyzeMetered({ oldMs: 1, newMs: 1, oldBytes: 1000, newBytes: 2000 });
    assert.equal(more.analysis.memoryRatio, 2);
    assert.deepEqual(more.analysis.differences, ['Memory usage increase: 100.00% more memory']);
    assert.equal(more.analysis.passed, false);

    const less = await analyzeMetered({ oldMs: 1, newMs: 1, oldBytes: 1000, newBytes: 250 });
    assert.equal(less.analysis.memoryRatio, 0.25);
    assert.deepEqual(less.analysis.differences, ['Memory usage decrease: 75.00% less memory']);
    assert.equal(less.analysis.passed, true);
  });

  test('shrinking new heap counts as 0 in the ratio', async () => {
    const { result, analysis } = await analyzeMetered({ oldMs: 1, newMs: 1, oldBytes: 1000, newBytes: -500 });
    assert.equal(result.memoryUsageNew, -500);
    assert.equal(analysis.memoryRatio, 0);
    assert.deepEqual(analysis.differences, ['Memory usage decrease: 100.00% less memory']);
    assert.equal(analysis.passed, true);
  });

  test('shrinking old heap gives a ratio of 1', async () => {
    const { analysis } = await analyzeMetered({ oldMs: 1, newMs: 1, oldBytes: -1000, newBytes: 5000 });
    assert.equal(analysis.memoryRatio, 1);
  });

  test('ratios are 1 when old is 0', async () => {
    const { analysis } = await analyzeMetered({ oldMs: 0, newMs: 5, oldBytes: 0, newBytes: 5000 });
    assert.equal(analysis.performanceRatio, 1);
    assert.equal(analysis.memoryRatio, 1);
    assert.equal(analysis.passed, true);
  });

  test('unequal results name the path', async () => {
    const { analysis } = await analyzeMetered({ oldMs: 1, newMs: 1, oldValue: [0, { a: 1 }], newValue: [0, { a: 2 }] });
    assert.equal(analysis.passed, false);
    assert.equal(analysis.differences[0], 'Results are not equal at [1].a (values differ: 1 vs 2)');
    assert.equal(analysis.differences[1], "Old result: [ 0, { a: 1 } ]");
    assert.equal(analysis.differences[2], "New result: [ 0, { a: 2 } ]");
  });

  test('difference at the root', async () => {
    const { analysis } = await analyzeMetered({ oldMs: 1, newMs: 1, oldValue: 1, newValue: 2 });
    assert.equal(analysis.differences[0], 'Results are not equal at <root> (values differ: 1 vs 2)');
  });

  test('error fails with the message', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({}, {});
    await harness.executeParallel('gone', [], 'failed');
    const analysis = harness.analyzeResults('failed');
    assert.equal(analysis.passed, false);
    assert.deepEqual(analysis.differences, [
      'Results are not equal: execution failed: Method gone not found in old implementation',
    ]);
    assert.equal(analysis.performanceRatio, 1);
    assert.equal(analysis.memoryRatio, 1);
  });

  test('long results are cut in the lines', async () => {
    const big = 'x'.repeat(10_000);
    const { analysis } = await analyzeMetered({ oldMs: 1, newMs: 1, oldValue: big, newValue: big + 'y' });
    for (const line of analysis.differences) assert.ok(line.length <= 600, `line of ${line.length} characters`);
  });
});

describe('ParallelTestHarness garbage collection', () => {
  // Replaces the runtime's collection hook (Bun.gc under Bun, globalThis.gc
  // under Node) with a spy that logs into `events`.
  function installGcSpy(events) {
    if (process.versions.bun) {
      const original = Bun.gc;
      Bun.gc = (sync) => events.push(`gc ${sync ? 'full' : 'async'}`);
      return () => {
        Bun.gc = original;
      };
    }
    const original = globalThis.gc;
    globalThis.gc = (options) => events.push(`gc ${options && options.type === 'minor' ? 'minor' : 'full'}`);
    return () => {
      if (original === undefined) delete globalThis.gc;
      else globalThis.gc = original;
    };
  }

  function loggingImplementations(events) {
    return [{ f: () => events.push('old') }, { f: () => events.push('new') }];
  }

  test('full collection before each side', async () => {
    const events = [];
    const restore = installGcSpy(events);
    try {
      const harness = new ParallelTestHarness();
      harness.registerImplementations(...loggingImplementations(events));
      const result = await harness.executeParallel('f', []);
      assert.deepEqual(events, ['gc full', 'old', 'gc full', 'new']);
      assert.equal(result.gcBetweenSides, true);
    } finally {
      restore();
    }
  });

  test('gc false skips the collections', async () => {
    const events = [];
    const restore = installGcSpy(events);
    try {
      const harness = new ParallelTestHarness();
      harness.registerImplementations(...loggingImplementations(events));
      const result = await harness.executeParallel('f', [], 'no-gc', { gc: false });
      assert.deepEqual(events, ['old', 'new']);
      assert.equal(result.gcBetweenSides, false);
    } finally {
      restore();
    }
  });

  test('no collection hook means gcBetweenSides false', { skip: process.versions.bun && 'Bun always has Bun.gc' }, async () => {
    const original = globalThis.gc;
    delete globalThis.gc;
    try {
      const harness = new ParallelTestHarness();
      harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
      const result = await harness.executeParallel('f', []);
      assert.equal(result.gcBetweenSides, false);
    } finally {
      if (original !== undefined) globalThis.gc = original;
    }
  });

  test('Node with --expose-gc collects between sides', { skip: process.versions.bun && 'Node flag' }, () => {
    const { spawnSync } = require('node:child_process');
    const harnessPath = require.resolve('../lib/harness');
    const source = `
      const { ParallelTestHarness } = require(${JSON.stringify(harnessPath)});
      const harness = new ParallelTestHarness();
      harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
      harness.executeParallel('f', []).then((result) => console.log(JSON.stringify(result.gcBetweenSides)));
    `;
    const child = spawnSync(process.execPath, ['--expose-gc', '-e', source], { timeout: 30_000, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'true');
  });
});

describe('ParallelTestHarness results and report', () => {
  test('getAllResults in insertion order, clearResults empties', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => 1 }, { f: () => 1 });
    await harness.executeParallel('f', [], 'one');
    await harness.executeParallel('f', [], 'two');
    const results = harness.getAllResults();
    assert.ok(Array.isArray(results));
    assert.deepEqual(
      results.map((result) => result.testId),
      ['one', 'two'],
    );
    harness.clearResults();
    assert.deepEqual(harness.getAllResults(), []);
    assert.equal(harness.analyzeResults('one'), null);
  });

  test('empty report has averages of 1', () => {
    assert.deepEqual(new ParallelTestHarness().generateReport(), {
      totalTests: 0,
      passedTests: 0,
      failedTests: 0,
      averagePerformanceRatio: 1,
      averageMemoryRatio: 1,
      results: [],
    });
  });

  test('report counts and averages', async () => {
    const meters = installFakeMeters();
    const harness = new ParallelTestHarness();
    // 'fast': ratio 0.5 and passes. 'slow': ratio 2 and fails. 'broken': error, ratios 1.
    harness.registerImplementations(
      {
        fast: () => {
          meters.now += 10n * MS;
          meters.heapUsed += 100;
          return 1;
        },
        slow: () => {
          meters.now += 10n * MS;
          meters.heapUsed += 100;
          return 1;
        },
      },
      {
        fast: () => {
          meters.now += 5n * MS;
          meters.heapUsed += 100;
          return 1;
        },
        slow: () => {
          meters.now += 20n * MS;
          meters.heapUsed += 300;
          return 1;
        },
      },
    );
    await harness.executeParallel('fast', [], 'fast');
    await harness.executeParallel('slow', [], 'slow');
    await harness.executeParallel('broken', [], 'broken');
    restoreMeters();

    const report = harness.generateReport();
    assert.equal(report.totalTests, 3);
    assert.equal(report.passedTests, 1);
    assert.equal(report.failedTests, 2);
    assert.equal(report.averagePerformanceRatio, (0.5 + 2 + 1) / 3);
    assert.equal(report.averageMemoryRatio, (1 + 3 + 1) / 3);
    assert.deepEqual(
      report.results.map((result) => result.testId),
      ['fast', 'slow', 'broken'],
    );
  });
});
