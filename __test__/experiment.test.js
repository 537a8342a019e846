'use strict';

// ParallelTestHarness.experiment: shadow runs of a candidate on live calls.
// Each guarantee has its own test. The caller gets exactly the control's
// outcome (sync stays sync, the same promise, the same error). The candidate
// runs after the caller has its result. Candidate errors, rejections and
// timeouts never reach the caller. Sampling, metrics and events follow.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');

const { ParallelTestHarness } = require('../lib/harness');

/** Returns a monitor stand-in that keeps every recordMetric call. */
function recordingMonitor() {
  const records = [];
  return {
    records,
    recordMetric(name, value, unit, context) {
      records.push({ name, value, unit, context });
    },
    named(name) {
      return records.filter((record) => record.name === name);
    },
  };
}

function setup(options = {}) {
  const monitor = recordingMonitor();
  const harness = new ParallelTestHarness({ monitor });
  const events = { mismatch: [], candidateError: [] };
  harness.on('mismatch', (event) => events.mismatch.push(event));
  harness.on('candidateError', (event) => events.candidateError.push(event));
  const run = harness.experiment({ name: 'lookup', seed: 1, ...options });
  return { harness, monitor, events, run };
}

const never = () => new Promise(() => {});

describe('experiment control outcome', () => {
  test('sync use stays sync', async () => {
    const result = { id: 1 };
    const { run } = setup({ use: () => result, try: () => ({ id: 1 }) });
    const value = run();
    assert.equal(value, result, 'the very object use returned');
    await run.settled();
  });

  test('async use returns the same promise', async () => {
    const promise = Promise.resolve(42);
    const { run } = setup({ use: () => promise, try: async () => 42 });
    const value = run();
    assert.equal(value, promise);
    assert.equal(await value, 42);
    await run.settled();
  });

  test('use throws the same error', async () => {
    const error = new TypeError('control broke');
    const { run, events } = setup({
      use: () => {
        throw error;
      },
      try: () => 'fine',
    });
    assert.throws(() => run(), (thrown) => thrown === error);
    await run.settled();
    assert.equal(events.mismatch.length, 1, 'control threw but candidate returned');
    assert.match(events.mismatch[0].reason, /^control threw TypeError: control broke but candidate returned 'fine'$/);
  });

  test('use rejection reaches the caller', async () => {
    const error = new Error('control rejected');
    const { run } = setup({ use: () => Promise.reject(error), try: async () => 1 });
    await assert.rejects(run(), (thrown) => thrown === error);
    await run.settled();
  });

  test('arguments and this pass to both', async () => {
    const seen = [];
    const service = {
      prefix: 'p',
      lookup: null,
    };
    const harness = new ParallelTestHarness();
    service.lookup = harness.experiment({
      name: 'bound',
      use(a, b) {
        seen.push(['use', this.prefix, a, b]);
        return a + b;
      },
      try(a, b) {
        seen.push(['try', this.prefix, a, b]);
        return a + b;
      },
    });
    assert.equal(service.lookup(2, 3), 5);
    await service.lookup.settled();
    assert.deepEqual(seen, [
      ['use', 'p', 2, 3],
      ['try', 'p', 2, 3],
    ]);
  });
});

describe('experiment candidate isolation', () => {
  test('candidate runs after the caller continues', async () => {
    const log = [];
    const { run } = setup({
      use: () => log.push('use'),
      try: () => log.push('try'),
    });
    run();
    log.push('caller continues');
    await Promise.resolve();
    log.push('caller after a microtask');
    await run.settled();
    assert.deepEqual(log, ['use', 'caller continues', 'caller after a microtask', 'try']);
  });

  test('async candidate starts after control settles', async () => {
    const log = [];
    let finishControl;
    const { run } = setup({
      use: () =>
        new Promise((resolve) => {
          finishControl = resolve;
        }).then(() => log.push('control settled')),
      try: async () => log.push('try'),
    });
    const pending = run();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(log, [], 'the candidate waits for the control');
    finishControl();
    await pending;
    await run.settled();
    assert.deepEqual(log, ['control settled', 'try']);
  });

  test('candidate throw stays inside', async () => {
    const { run, events, monitor } = setup({
      use: () => 'ok',
      try: () => {
        throw new RangeError('candidate broke');
      },
    });
    assert.equal(run('a'), 'ok');
    await run.settled();
    assert.equal(events.candidateError.length, 1);
    assert.equal(events.candidateError[0].error.message, 'candidate broke');
    assert.equal(events.candidateError[0].timedOut, false);
    assert.deepEqual(events.candidateError[0].args, ['a']);
    assert.equal(events.mismatch.length, 0);
    const errors = monitor.named('experiment_lookup_candidate_error');
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0].context, { message: 'RangeError: candidate broke', timedOut: false });
  });

  test('candidate rejection stays inside', async () => {
    const { run, events } = setup({ use: async () => 'ok', try: () => Promise.reject(new Error('rejected')) });
    assert.equal(await run(), 'ok');
    await run.settled();
    assert.equal(events.candidateError.length, 1);
    assert.equal(events.candidateError[0].error.message, 'rejected');
  });

  test('slow async candidate times out', async () => {
    const { run, events, monitor } = setup({ use: async () => 'ok', try: never, timeoutMs: 20 });
    assert.equal(await run(), 'ok', 'the caller does not wait for the candidate');
    assert.equal(events.candidateError.length, 0, 'the timeout has not fired yet');
    await run.settled();
    assert.equal(events.candidateError.length, 1);
    assert.equal(events.candidateError[0].timedOut, true);
    assert.equal(events.candidateError[0].error.code, 'PERF_SENTINEL_EXPERIMENT_TIMEOUT');
    assert.equal(run.stats().timeouts, 1);
    assert.equal(monitor.named('experiment_lookup_candidate_ms').length, 0, 'no timing for a timed-out candidate');
    assert.equal(monitor.named('experiment_lookup_control_ms').length, 1);
  });

  test('slow sync candidate counts as timed out', async () => {
    const { run, events } = setup({
      use: () => 1,
      try: () => {
        const end = Date.now() + 30;
        while (Date.now() < end);
        return 1;
      },
      timeoutMs: 5,
    });
    run();
    await run.settled();
    assert.equal(events.candidateError.length, 1);
    assert.equal(events.candidateError[0].timedOut, true);
    assert.equal(events.mismatch.length, 0);
  });

  test('pending candidate does not hold the process', () => {
    const harnessPath = require.resolve('../lib/harness');
    const source = `
      const { ParallelTestHarness } = require(${JSON.stringify(harnessPath)});
      const run = new ParallelTestHarness().experiment({
        name: 'hang', use: () => 1, try: () => new Promise(() => {}), timeoutMs: 60000,
      });
      run();
      console.log('returned');
    `;
    const child = spawnSync(process.execPath, ['-e', source], { timeout: 20_000, encoding: 'utf8' });
    assert.equal(child.signal, null, 'the process exited on its own');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'returned');
  });

  test('throwing listener is contained', async () => {
    const { harness, run } = setup({ use: () => 1, try: () => 2 });
    harness.on('mismatch', () => {
      throw new Error('listener broke');
    });
    const warnings = [];
    const onWarning = (warning) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      assert.equal(run(), 1);
      assert.equal(run(), 1);
      await run.settled();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    const ours = warnings.filter((warning) => warning.code === 'PERF_SENTINEL_EXPERIMENT_FAILED');
    assert.equal(ours.length, 1, 'one warning per kind of failure');
    assert.match(ours[0].message, /'mismatch' listener threw: Error: listener broke/);
    assert.equal(run.stats().mismatches, 2);
  });

  test('throwing monitor is contained', async () => {
    const harness = new ParallelTestHarness();
    const monitor = {
      recordMetric() {
        throw new Error('monitor down');
      },
    };
    const run = harness.experiment({ name: 'x', use: () => 1, try: () => 1, monitor });
    const onWarning = () => {};
    process.on('warning', onWarning);
    try {
      assert.equal(run(), 1);
      await run.settled();
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(run.stats().compared, 1);
  });

  test('candidates beyond maxPending are skipped', async () => {
    let started = 0;
    const { run } = setup({
      use: () => 1,
      try: () => {
        started++;
        return never();
      },
      maxPending: 2,
      timeoutMs: 30,
    });
    for (let i = 0; i < 5; i++) run();
    await run.settled();
    assert.equal(started, 2);
    assert.equal(run.stats().skipped, 3);
    assert.equal(run.stats().calls, 5);
  });

  test('other thenables are not observed', async () => {
    let thenCalls = 0;
    const lazy = {
      then(resolve) {
        thenCalls++;
        resolve('rows');
      },
    };
    const { run } = setup({ use: () => lazy, try: async () => 'rows' });
    assert.equal(run(), lazy);
    await run.settled();
    assert.equal(thenCalls, 0, 'then() may start work, so the experiment never calls it');
    assert.equal(run.stats().skipped, 1);
  });
});

describe('experiment comparison', () => {
  test('mismatch event and metric', async () => {
    const { run, events, monitor } = setup({
      use: (id) => ({ id, user: { name: 'Ada' } }),
      try: (id) => ({ id, user: { name: 'Grace' } }),
    });
    run(7);
    await run.settled();
    assert.equal(events.mismatch.length, 1);
    const mismatch = events.mismatch[0];
    assert.equal(mismatch.name, 'lookup');
    assert.equal(mismatch.path, '.user.name');
    assert.equal(mismatch.reason, 'values differ: "Ada" vs "Grace"');
    assert.deepEqual(mismatch.control, { id: 7, user: { name: 'Ada' } });
    assert.deepEqual(mismatch.candidate, { id: 7, user: { name: 'Grace' } });
    assert.deepEqual(mismatch.args, [7]);

    const recorded = monitor.named('experiment_lookup_mismatch');
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].value, 1);
    assert.equal(recorded[0].unit, 'count');
    assert.equal(recorded[0].context.path, '.user.name');
  });

  test('match records both timings only', async () => {
    const { run, events, monitor } = setup({ use: () => [1, 2], try: () => [1, 2] });
    run();
    run();
    await run.settled();
    assert.equal(events.mismatch.length, 0);
    assert.equal(events.candidateError.length, 0);
    const control = monitor.named('experiment_lookup_control_ms');
    const candidate = monitor.named('experiment_lookup_candidate_ms');
    assert.equal(control.length, 2);
    assert.equal(candidate.length, 2);
    assert.equal(control[0].unit, 'ms');
    assert.ok(control[0].value >= 0, `control took ${control[0].value} ms`);
    assert.ok(Number.isFinite(control[0].value), `control took ${control[0].value} ms`);
    assert.equal(monitor.named('experiment_lookup_mismatch').length, 0);
    assert.deepEqual(run.stats(), { calls: 2, sampled: 2, skipped: 0, compared: 2, mismatches: 0, candidateErrors: 0, timeouts: 0, pending: 0 });
  });

  test('both throwing the same error match', async () => {
    const { run, events } = setup({
      use: () => {
        throw new Error('not found');
      },
      try: () => {
        throw new Error('not found');
      },
    });
    assert.throws(() => run(), /not found/);
    await run.settled();
    assert.equal(events.mismatch.length, 0);
    assert.equal(events.candidateError.length, 0);
  });

  test('both throwing different errors mismatch', async () => {
    const { run, events } = setup({
      use: () => {
        throw new Error('not found');
      },
      try: () => {
        throw new Error('timeout');
      },
    });
    assert.throws(() => run(), /not found/);
    await run.settled();
    assert.equal(events.mismatch.length, 1);
    assert.equal(events.mismatch[0].reason, 'control threw Error: not found but candidate threw Error: timeout');
    assert.equal(events.mismatch[0].control.message, 'not found');
  });

  test('custom compare decides', async () => {
    const byId = (control, candidate) => control.id === candidate.id;
    const { run, events } = setup({ use: () => ({ id: 1, at: 1 }), try: () => ({ id: 1, at: 2 }), compare: byId });
    run();
    await run.settled();
    assert.equal(events.mismatch.length, 0);

    const detailed = setup({
      use: () => 1,
      try: () => 2,
      compare: () => ({ equal: false, path: '.total', reason: 'off by one' }),
    });
    detailed.run();
    await detailed.run.settled();
    assert.equal(detailed.events.mismatch[0].path, '.total');
    assert.equal(detailed.events.mismatch[0].reason, 'off by one');
  });

  test('throwing compare is a mismatch', async () => {
    const { run, events } = setup({
      use: () => 1,
      try: () => 1,
      compare: () => {
        throw new Error('compare broke');
      },
    });
    run();
    await run.settled();
    assert.equal(events.mismatch.length, 1);
    assert.equal(events.mismatch[0].path, null);
    assert.equal(events.mismatch[0].reason, 'comparison failed: Error: compare broke');
  });
});

describe('experiment sampling and monitor', () => {
  test('sampleRate 0 never runs the candidate', async () => {
    let candidateCalls = 0;
    const { run } = setup({ use: () => 1, try: () => candidateCalls++, sampleRate: 0 });
    for (let i = 0; i < 100; i++) run();
    await run.settled();
    assert.equal(candidateCalls, 0);
    assert.equal(run.stats().sampled, 0);
  });

  test('seeded sampling is repeatable', async () => {
    const counts = [];
    for (let round = 0; round < 2; round++) {
      let candidateCalls = 0;
      const { run } = setup({ use: () => 1, try: () => candidateCalls++, sampleRate: 0.25, seed: 99, maxPending: 5000 });
      for (let i = 0; i < 2000; i++) run();
      await run.settled();
      counts.push(candidateCalls);
    }
    assert.equal(counts[0], counts[1]);
    // 2000 draws at 0.25: the count lies within 400..600 with probability above 0.9999.
    assert.ok(counts[0] > 400, `sampled ${counts[0]} of 2000`);
    assert.ok(counts[0] < 600, `sampled ${counts[0]} of 2000`);
  });

  test('options.monitor overrides the harness monitor', async () => {
    const own = recordingMonitor();
    const { run, monitor } = setup({ use: () => 1, try: () => 1, monitor: own });
    run();
    await run.settled();
    assert.equal(own.named('experiment_lookup_control_ms').length, 1);
    assert.equal(monitor.records.length, 0);
  });

  test('without a monitor events still fire', async () => {
    const harness = new ParallelTestHarness();
    const seen = [];
    harness.on('mismatch', (event) => seen.push(event.path));
    const run = harness.experiment({ name: 'bare', use: () => 1, try: () => 2 });
    run();
    await run.settled();
    assert.deepEqual(seen, ['<root>']);
  });

  test('records into a real PerformanceMonitor', async () => {
    const { PerformanceMonitor } = require('../lib/monitor');
    const monitor = new PerformanceMonitor();
    const harness = new ParallelTestHarness({ monitor });
    const run = harness.experiment({ name: 'real', use: () => 'a', try: () => 'b' });
    run();
    await run.settled();
    assert.equal(monitor.getMetrics('experiment_real_control_ms').length, 1);
    assert.equal(monitor.getMetrics('experiment_real_candidate_ms').length, 1);
    const mismatches = monitor.getMetrics('experiment_real_mismatch');
    assert.equal(mismatches.length, 1);
    assert.equal(mismatches[0].context.path, '<root>');
    monitor.cleanup();
  });

  test('invalid options are rejected', () => {
    const harness = new ParallelTestHarness();
    const base = { name: 'x', use: () => 1, try: () => 1 };
    const cases = [
      [null, TypeError, 'experiment: options must be an object, received null'],
      [{ ...base, name: '' }, TypeError, /^experiment: name must be a non-empty string/],
      [{ ...base, name: 'has space' }, TypeError, /^experiment: name must be/],
      [{ ...base, use: 1 }, TypeError, 'experiment: use must be a function, received 1'],
      [{ ...base, try: undefined }, TypeError, 'experiment: try must be a function, received undefined'],
      [{ ...base, compare: 'deep' }, TypeError, 'experiment: compare must be a function, received "deep"'],
      [{ ...base, sampleRate: 1.5 }, RangeError, 'experiment: sampleRate must be a number from 0 to 1, received 1.5'],
      [{ ...base, timeoutMs: 0 }, RangeError, 'experiment: timeoutMs must be a positive number of milliseconds, received 0'],
      [{ ...base, maxPending: 0 }, RangeError, 'experiment: maxPending must be a positive integer, received 0'],
      [{ ...base, seed: -1 }, RangeError, 'experiment: seed must be an integer from 0 to 4294967295, received -1'],
      [{ ...base, monitor: {} }, TypeError, 'experiment: monitor must have a recordMetric method, received an object'],
    ];
    for (const [options, ErrorClass, message] of cases) {
      assert.throws(() => harness.experiment(options), { name: ErrorClass.name, message }, JSON.stringify(options));
    }
    assert.throws(() => new ParallelTestHarness({ monitor: 5 }), {
      name: 'TypeError',
      message: 'options.monitor must have a recordMetric method, received number 5',
    });
  });
});
