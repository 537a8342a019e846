'use strict';

// ParallelTestHarness.executeParallel with statistics options: repeated runs
// in a seeded random order, warm-up, the time budget, the samples, the
// native comparison (median ratio, bootstrap interval, Mann-Whitney U
// p-value, verdict) and the analyzeResults line.
//
// Most tests replace process.hrtime.bigint and process.memoryUsage with a
// fake clock and heap that the implementations advance by seeded amounts,
// so the samples, and with them every statistic, are exact and repeatable.

const { describe, test, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { ParallelTestHarness } = require('../lib/harness');
const { createRandom } = require('../lib/harness-statistics');

const realHrtimeBigint = process.hrtime.bigint;
const realMemoryUsage = process.memoryUsage;

function installFakeMeters() {
  const meters = { now: 0n, heapUsed: 10_000_000 };
  process.hrtime.bigint = () => meters.now;
  process.memoryUsage = () => ({ rss: 0, heapTotal: 0, heapUsed: meters.heapUsed, external: 0, arrayBuffers: 0 });
  return meters;
}

function restoreMeters() {
  process.hrtime.bigint = realHrtimeBigint;
  process.memoryUsage = realMemoryUsage;
}

afterEach(restoreMeters);

/**
 * An implementation whose `run` takes `ms` fake milliseconds times a seeded
 * factor in [1 - jitter, 1 + jitter], grows the fake heap by `bytes` and
 * logs its side into `log`.
 */
function fakeSide(meters, { side, ms, jitter = 0.1, bytes = 0, seed = 1, value = 'same', log = [] }) {
  const random = createRandom(seed);
  return {
    calls: 0,
    run() {
      this.calls++;
      log.push(side);
      const factor = 1 + jitter * (2 * random() - 1);
      meters.now += BigInt(Math.round(ms * factor * 1e6));
      meters.heapUsed += bytes;
      return typeof value === 'function' ? value(this.calls) : value;
    },
  };
}

async function runFake({ oldMs = 10, newMs = 10, options, oldBytes = 0, newBytes = 0, oldValue, newValue } = {}) {
  const meters = installFakeMeters();
  const log = [];
  const oldImpl = fakeSide(meters, { side: 'old', ms: oldMs, bytes: oldBytes, seed: 11, value: oldValue, log });
  const newImpl = fakeSide(meters, { side: 'new', ms: newMs, bytes: newBytes, seed: 22, value: newValue, log });
  const harness = new ParallelTestHarness();
  harness.registerImplementations(oldImpl, newImpl);
  const result = await harness.executeParallel('run', [], 'stats', { gc: false, seed: 7, ...options });
  restoreMeters();
  return { harness, result, log, oldImpl, newImpl, analysis: harness.analyzeResults('stats') };
}

describe('harness statistics runs', () => {
  test('warmup plus iterations per side', async () => {
    const { result, oldImpl, newImpl } = await runFake({ options: { iterations: 30, warmup: 4 } });
    assert.equal(oldImpl.calls, 34);
    assert.equal(newImpl.calls, 34);
    assert.equal(result.statistics.iterations, 30);
    assert.equal(result.statistics.warmup, 4);
    assert.equal(result.statistics.oldSamples.length, 30);
    assert.equal(result.statistics.newSamples.length, 30);
    assert.equal(result.statistics.stoppedBy, 'iterations');
  });

  test('default of 100 iterations and 10 warmup', async () => {
    const { result, oldImpl } = await runFake({ options: { seed: 3 } });
    assert.equal(result.statistics.iterations, 100);
    assert.equal(result.statistics.warmup, 10);
    assert.equal(oldImpl.calls, 110);
  });

  test('order is random per iteration and seeded', async () => {
    const first = await runFake({ options: { iterations: 200, warmup: 0, seed: 42 } });
    const again = await runFake({ options: { iterations: 200, warmup: 0, seed: 42 } });
    const other = await runFake({ options: { iterations: 200, warmup: 0, seed: 43 } });

    const firstSides = [];
    for (let i = 0; i < first.log.length; i += 2) firstSides.push(first.log[i]);
    // Blocks of two iterations with opposite orders: the block's first order is random.
    const blockStarts = firstSides.filter((_, i) => i % 2 === 0);
    const oldStarts = blockStarts.filter((side) => side === 'old').length;
    // 100 fair coin flips land within 30..70 with probability above 0.9999.
    assert.ok(oldStarts > 30, `old ran first in ${oldStarts} of 100 blocks`);
    assert.ok(oldStarts < 70, `old ran first in ${oldStarts} of 100 blocks`);
    assert.deepEqual(again.log, first.log);
    assert.notDeepEqual(other.log, first.log);
  });

  test('each side runs first equally often', async () => {
    const { log } = await runFake({ options: { iterations: 200, warmup: 0, seed: 8 } });
    const firstSides = [];
    for (let i = 0; i < log.length; i += 2) firstSides.push(log[i]);
    for (let i = 0; i < firstSides.length; i += 2) {
      assert.notEqual(firstSides[i], firstSides[i + 1], `iterations ${i} and ${i + 1} have opposite orders`);
    }
    assert.equal(firstSides.filter((side) => side === 'old').length, 100);
  });

  test('each iteration runs both sides once', async () => {
    const { log } = await runFake({ options: { iterations: 50, warmup: 0 } });
    for (let i = 0; i < log.length; i += 2) {
      assert.deepEqual([log[i], log[i + 1]].sort(), ['new', 'old'], `iteration ${i / 2}`);
    }
  });

  test('samples are the measured times', async () => {
    const { result } = await runFake({ oldMs: 10, newMs: 20, options: { iterations: 40, warmup: 0 } });
    for (const sample of result.statistics.oldSamples) assert.ok(sample >= 9 && sample <= 11, `old ${sample}`);
    for (const sample of result.statistics.newSamples) assert.ok(sample >= 18 && sample <= 22, `new ${sample}`);
    const sorted = [...result.statistics.oldSamples].sort((a, b) => a - b);
    assert.equal(result.statistics.oldMedian, (sorted[19] + sorted[20]) / 2);
    assert.equal(result.executionTimeOld, result.statistics.oldMedian);
    assert.equal(result.executionTimeNew, result.statistics.newMedian);
  });

  test('budget stops the run', async () => {
    // Each iteration takes exactly 2 fake ms, so a 50 ms budget allows 5 warm-up and 20 measured iterations.
    const meters = installFakeMeters();
    const harness = new ParallelTestHarness();
    harness.registerImplementations(
      fakeSide(meters, { side: 'old', ms: 1, jitter: 0 }),
      fakeSide(meters, { side: 'new', ms: 1, jitter: 0 }),
    );
    const result = await harness.executeParallel('run', [], 'budget', { budgetMs: 50, warmup: 5, gc: false, seed: 1 });
    restoreMeters();
    assert.equal(result.statistics.warmup, 5);
    assert.equal(result.statistics.iterations, 20);
    assert.equal(result.statistics.stoppedBy, 'budget');
    assert.equal(result.statistics.elapsedMs, 50);
  });

  test('budget still measures 2 iterations', async () => {
    const { result } = await runFake({ options: { budgetMs: 1, warmup: 3 } });
    // The budget is checked before each iteration, so one warm-up iteration starts.
    assert.equal(result.statistics.warmup, 1, 'warm-up stops when the budget is spent');
    assert.equal(result.statistics.iterations, 2);
    assert.equal(result.statistics.stoppedBy, 'budget');
  });

  test('iterations cap a budgeted run', async () => {
    const { result } = await runFake({ options: { budgetMs: 1e9, iterations: 12, warmup: 0 } });
    assert.equal(result.statistics.iterations, 12);
    assert.equal(result.statistics.stoppedBy, 'iterations');
  });

  test('heap medians are signed', async () => {
    const { result } = await runFake({ oldBytes: 4096, newBytes: -2048, options: { iterations: 9, warmup: 0 } });
    assert.equal(result.memoryUsageOld, 4096);
    assert.equal(result.memoryUsageNew, -2048);
    assert.equal(result.statistics.oldHeapMedian, 4096);
  });
});

describe('harness statistics verdicts', () => {
  test('20 percent slower is regressed', async () => {
    const { result, analysis } = await runFake({ oldMs: 10, newMs: 12, options: { iterations: 200 } });
    const statistics = result.statistics;
    assert.equal(statistics.verdict, 'regressed');
    assert.ok(Math.abs(statistics.ratio - 1.2) < 0.03, `ratio ${statistics.ratio}`);
    assert.ok(statistics.ratioCI95[0] > 1.01, `interval ${statistics.ratioCI95}`);
    assert.ok(statistics.ratioCI95[0] <= statistics.ratio, 'the interval contains the ratio');
    assert.ok(statistics.ratio <= statistics.ratioCI95[1], 'the interval contains the ratio');
    assert.ok(statistics.pValue < 1e-6, `p ${statistics.pValue}`);
    assert.equal(statistics.test, 'mann-whitney-u');
    assert.equal(analysis.statistics, statistics);
    assert.match(analysis.differences.at(-1), /^Statistical verdict: regressed \(ratio 1\.\d{3}, 95% CI 1\.\d{3}–1\.\d{3}, p<0\.001, 200 iterations\)$/);
  });

  test('same cost is equivalent', async () => {
    const { result, analysis } = await runFake({ oldMs: 10, newMs: 10, options: { iterations: 400 } });
    assert.equal(result.statistics.verdict, 'equivalent');
    const [low, high] = result.statistics.ratioCI95;
    assert.ok(low >= 1 / 1.03, `interval ${low}..${high}`);
    assert.ok(high <= 1.03, `interval ${low}..${high}`);
    assert.ok(result.statistics.pValue > 0.001, `p ${result.statistics.pValue}`);
    assert.match(analysis.differences.at(-1), /^Statistical verdict: equivalent \(ratio /);
    assert.equal(analysis.passed, true);
  });

  test('faster is improved', async () => {
    const { result } = await runFake({ oldMs: 10, newMs: 8, options: { iterations: 100 } });
    assert.equal(result.statistics.verdict, 'improved');
    assert.ok(result.statistics.ratioCI95[1] < 1 / 1.01);
  });

  test('few noisy samples are inconclusive', async () => {
    const { result } = await runFake({ oldMs: 10, newMs: 10.5, options: { iterations: 4, warmup: 0 } });
    assert.equal(result.statistics.verdict, 'inconclusive');
  });

  test('one iteration has no interval', async () => {
    const { result, analysis } = await runFake({ options: { iterations: 1, warmup: 0 } });
    assert.equal(result.statistics.iterations, 1);
    assert.equal(result.statistics.ratioCI95, null);
    assert.equal(result.statistics.pValue, null);
    assert.equal(result.statistics.verdict, 'inconclusive');
    assert.equal(analysis.differences.at(-1), 'Statistical verdict: inconclusive (fewer than 2 samples per side after 1 iterations)');
  });

  test('same seed gives the same statistics', async () => {
    const first = await runFake({ oldMs: 10, newMs: 10.3, options: { iterations: 150, seed: 5 } });
    const second = await runFake({ oldMs: 10, newMs: 10.3, options: { iterations: 150, seed: 5 } });
    assert.deepEqual(second.result.statistics, first.result.statistics);
  });

  test('custom rule changes the verdict', async () => {
    // A 2 % slowdown is regressed with the default 1 % minimum effect and not with 5 %.
    const strict = await runFake({ oldMs: 10, newMs: 10.2, options: { iterations: 2000, warmup: 0 } });
    const lenient = await runFake({ oldMs: 10, newMs: 10.2, options: { iterations: 2000, warmup: 0, minEffect: 0.05 } });
    assert.equal(strict.result.statistics.verdict, 'regressed');
    assert.notEqual(lenient.result.statistics.verdict, 'regressed');
    assert.equal(lenient.result.statistics.rule.minEffect, 0.05);
  });
});

describe('harness statistics failures', () => {
  test('throw on a later iteration', async () => {
    const meters = installFakeMeters();
    const harness = new ParallelTestHarness();
    const oldImpl = fakeSide(meters, { side: 'old', ms: 1 });
    const newImpl = {
      calls: 0,
      run() {
        this.calls++;
        meters.now += 1_000_000n;
        if (this.calls === 8) throw new Error('new broke on call 8');
        return 'same';
      },
    };
    harness.registerImplementations(oldImpl, newImpl);
    const result = await harness.executeParallel('run', [], 'throws', { iterations: 20, warmup: 2, gc: false, seed: 1 });
    restoreMeters();

    assert.equal(result.error, 'new broke on call 8');
    assert.equal(result.failedImplementation, 'new');
    assert.equal(result.isEqual, false);
    assert.equal(result.executionTimeOld, 0);
    assert.equal(result.statistics.iterations, 5);
    assert.equal(result.statistics.stoppedBy, 'error');
    assert.equal(result.statistics.verdict, 'inconclusive');
    assert.equal(result.statistics.ratioCI95, null);
    assert.match(harness.analyzeResults('throws').differences.at(-1), /execution failed after 5 iterations/);
  });

  test('missing method runs nothing', async () => {
    const calls = [];
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ run: () => calls.push('old') }, {});
    const result = await harness.executeParallel('run', [], 'missing', { iterations: 10 });
    assert.equal(result.error, 'Method run not found in new implementation');
    assert.deepEqual(calls, []);
    assert.equal(result.statistics.iterations, 0);
    assert.equal(result.statistics.verdict, 'inconclusive');
  });

  test('first unequal pair is kept', async () => {
    const { result } = await runFake({
      oldValue: (call) => ({ call: call > 6 ? 'late' : 'early' }),
      newValue: () => ({ call: 'early' }),
      options: { iterations: 10, warmup: 0 },
    });
    assert.equal(result.isEqual, false);
    assert.deepEqual(result.difference, { path: '.call', reason: 'values differ: "late" vs "early"' });
    assert.deepEqual(result.oldResult, { call: 'late' });
    assert.deepEqual(result.newResult, { call: 'early' });
  });

  test('equal results keep the first pair', async () => {
    const { result } = await runFake({ oldValue: (call) => call % 1, newValue: () => 0, options: { iterations: 5 } });
    assert.equal(result.isEqual, true);
    assert.equal(result.oldResult, 0);
    assert.equal(result.difference, undefined);
  });

  test('invalid options are rejected before running', async () => {
    let calls = 0;
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: () => calls++ }, { f: () => calls++ });
    const cases = [
      [{ iterations: 0 }, 'options.iterations must be an integer from 1 to 100000, received 0'],
      [{ iterations: 1.5 }, 'options.iterations must be an integer from 1 to 100000, received 1.5'],
      [{ warmup: -1 }, 'options.warmup must be an integer from 0 to 100000, received -1'],
      [{ budgetMs: 0 }, 'options.budgetMs must be a positive number of milliseconds, received 0'],
      [{ budgetMs: NaN }, 'options.budgetMs must be a positive number of milliseconds, received NaN'],
      [{ seed: -1 }, 'options.seed must be an integer from 0 to 4294967295, received -1'],
      [{ seed: 1, resamples: 0 }, 'options.resamples must be an integer from 1 to 100000, received 0'],
      [{ seed: 1, alpha: 1 }, 'options.alpha must be a number greater than 0 and less than 1, received 1'],
      [{ seed: 1, minEffect: -0.1 }, 'options.minEffect must be a number from 0 to 10, received -0.1'],
      [{ seed: 1, equivalenceMargin: NaN }, 'options.equivalenceMargin must be a number from 0 to 10, received NaN'],
    ];
    for (const [options, message] of cases) {
      await assert.rejects(harness.executeParallel('f', [], 'bad', options), { name: 'RangeError', message }, JSON.stringify(options));
    }
    await assert.rejects(harness.executeParallel('f', [], 'bad', { iterations: '10' }), {
      name: 'TypeError',
      message: 'options.iterations must be an integer from 1 to 100000, received "10"',
    });
    await assert.rejects(harness.executeParallel('f', [], 'bad', { budgetMs: '2s' }), {
      name: 'TypeError',
      message: 'options.budgetMs must be a number of milliseconds, received "2s"',
    });
    assert.equal(calls, 0);
  });
});

describe('harness statistics on real timings', () => {
  test('result shape with the real clock', async () => {
    const busy = (ms) => {
      const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
      while (process.hrtime.bigint() < end);
      return ms;
    };
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ work: () => busy(0.2) }, { work: () => busy(0.2) });
    const result = await harness.executeParallel('work', [], 'real', { iterations: 30, warmup: 3, seed: 9 });
    const statistics = result.statistics;

    assert.equal(result.isEqual, true);
    assert.equal(typeof result.gcBetweenSides, 'boolean');
    assert.equal(statistics.iterations, 30);
    assert.equal(statistics.seed, 9);
    assert.ok(statistics.oldSamples.every((sample) => sample >= 0.2), 'busy-wait never ends early');
    assert.ok(['regressed', 'improved', 'equivalent', 'inconclusive'].includes(statistics.verdict));
    assert.ok(statistics.pValue >= 0, `p ${statistics.pValue}`);
    assert.ok(statistics.pValue <= 1, `p ${statistics.pValue}`);
    assert.ok(statistics.ratioCI95[0] <= statistics.ratioCI95[1]);
    assert.ok(Number.isFinite(statistics.elapsedMs));
  });

  test('random seed reported when none given', async () => {
    const harness = new ParallelTestHarness();
    harness.registerImplementations({ f: async () => 1 }, { f: async () => 1 });
    const result = await harness.executeParallel('f', [], 'seeded', { iterations: 3, warmup: 0 });
    assert.ok(Number.isInteger(result.statistics.seed), `seed ${result.statistics.seed}`);
    assert.ok(result.statistics.seed >= 0, `seed ${result.statistics.seed}`);
  });

  test('collections between sides when available', async () => {
    const events = [];
    const restore = installGcSpy(events);
    try {
      const harness = new ParallelTestHarness();
      harness.registerImplementations({ f: () => events.push('old') }, { f: () => events.push('new') });
      const result = await harness.executeParallel('f', [], 'gc', { iterations: 3, warmup: 0, seed: 1 });
      assert.equal(result.gcBetweenSides, true);
      const between = process.versions.bun ? 'gc full' : 'gc minor';
      assert.equal(events[0], 'gc full', 'a full collection starts the run');
      for (let i = 1; i < events.length; i += 2) {
        assert.equal(events[i], between, `event ${i}: ${events.join(', ')}`);
        assert.match(events[i + 1], /^(old|new)$/);
      }
      assert.equal(events.length, 1 + 3 * 2 * 2);
    } finally {
      restore();
    }
  });
});

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
