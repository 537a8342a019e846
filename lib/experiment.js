'use strict';

// Shadow experiments on live calls, after GitHub's Scientist. The control
// (`use`) serves every caller. The candidate (`try`) runs afterwards on a
// sampled share of calls, so its result, errors and timing can be compared
// without the caller seeing them.

const { types, inspect } = require('node:util');
const { deepCompare } = require('./equality');
const { describe } = require('./validate');
const { createRandom, validateSeed } = require('./harness-statistics');

const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_MAX_PENDING = 100;
const METRIC_NAME = /^[A-Za-z0-9_.:-]+$/;

/**
 * Returns a function with the behaviour of `use` that also runs `try` as a
 * shadow on a sampled share of calls.
 *
 * Guarantees to the caller: the function returns exactly what `use` returns
 * (the same promise object when `use` returns a promise) or throws what
 * `use` throws, so a synchronous `use` stays synchronous. The candidate
 * starts in a setImmediate callback after the control has returned (for a
 * promise, after it settled), so it never delays the caller's return. Its
 * throws, rejections and slowness never reach the caller.
 *
 * For each sampled call it records `experiment_<name>_control_ms` and
 * `experiment_<name>_candidate_ms` (ms) on the monitor, and compares:
 * - both returned: `compare(control, candidate)`; unequal is a mismatch;
 * - the control threw and the candidate did not, or both threw errors of
 *   another name or message: a mismatch;
 * - the candidate threw, rejected or ran past `timeoutMs` while the control
 *   returned: a candidate error, recorded as
 *   `experiment_<name>_candidate_error` (count 1, context { message, timedOut }).
 * A mismatch is recorded as `experiment_<name>_mismatch` (count 1, context
 * { path, reason }) and emitted as `mismatch` { name, path, reason, control,
 * candidate, args }; a candidate error is emitted as `candidateError`
 * { name, error, timedOut, args }. Both events are emitted on `emitter`.
 *
 * @param {import('node:events').EventEmitter} emitter
 * @param {object} options
 * @param {string} options.name used in the metric names: letters, digits, `_ . : -`
 * @param {Function} options.use the control, whose outcome the caller gets
 * @param {Function} options.try the candidate
 * @param {number} [options.sampleRate=1] share of calls that run the candidate, 0 to 1
 * @param {(control, candidate) => boolean | { equal: boolean, path?: string, reason?: string }} [options.compare]
 *   default: deepCompare
 * @param {number} [options.timeoutMs=1000] longest candidate run that is compared
 * @param {object} [options.monitor] where metrics go; default `defaultMonitor`; none records nothing
 * @param {number} [options.seed] integer 0 to 2^32 - 1 for the sampling; default Math.random
 * @param {number} [options.maxPending=100] candidates running at once; further sampled calls skip the candidate
 * @param {object | null} defaultMonitor
 * @returns {Function} the experiment, with `settled()` (a promise that resolves
 *   once no candidate is running, and keeps the process alive until then) and
 *   `stats()` (counters)
 */
function createExperiment(emitter, options, defaultMonitor) {
  const settings = parseExperimentOptions(options, defaultMonitor);
  const state = {
    settings,
    emitter,
    pending: new Set(),
    warned: new Set(),
    counters: { calls: 0, sampled: 0, skipped: 0, compared: 0, mismatches: 0, candidateErrors: 0, timeouts: 0 },
  };
  const random = settings.seed === undefined ? Math.random : createRandom(settings.seed);

  function experiment(...args) {
    state.counters.calls++;
    const sampled = settings.sampleRate >= 1 || (settings.sampleRate > 0 && random() < settings.sampleRate);
    if (!sampled) return settings.use.apply(this, args);
    state.counters.sampled++;
    if (state.pending.size >= settings.maxPending) {
      state.counters.skipped++;
      return settings.use.apply(this, args);
    }

    const start = process.hrtime.bigint();
    let value;
    try {
      value = settings.use.apply(this, args);
    } catch (error) {
      scheduleCandidate(state, this, args, { threw: true, error, milliseconds: elapsedMs(start) });
      throw error;
    }

    if (types.isPromise(value)) {
      // NOTE: this handler marks the promise as handled, so if the caller ignores a rejection, Node reports no unhandled rejection for it.
      value.then(
        (resolved) => scheduleCandidate(state, this, args, { threw: false, value: resolved, milliseconds: elapsedMs(start) }),
        (error) => scheduleCandidate(state, this, args, { threw: true, error, milliseconds: elapsedMs(start) }),
      );
    } else if (isThenable(value)) {
      // NOTE: another thenable (a lazy query builder, say) may start work when then() is called, so it is not observed.
      state.counters.skipped++;
    } else {
      scheduleCandidate(state, this, args, { threw: false, value, milliseconds: elapsedMs(start) });
    }
    return value;
  }

  Object.defineProperty(experiment, 'name', { value: `experiment_${settings.name}` });
  experiment.stats = () => ({ ...state.counters, pending: state.pending.size });
  experiment.settled = async () => {
    // The candidate timeout timers are unref'd, so hold the event loop open
    // while someone waits; every candidate ends within timeoutMs.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      while (state.pending.size > 0) await Promise.allSettled([...state.pending]);
    } finally {
      clearInterval(keepAlive);
    }
  };
  return experiment;
}

function parseExperimentOptions(options, defaultMonitor) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`experiment: options must be an object, received ${describe(options)}`);
  }
  const { name, use, sampleRate = 1, compare, timeoutMs = DEFAULT_TIMEOUT_MS, seed, maxPending = DEFAULT_MAX_PENDING } = options;
  const candidate = options.try;
  const monitor = options.monitor ?? defaultMonitor ?? null;

  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new TypeError(`experiment: name must be a non-empty string of letters, digits, _ . : or -, received ${describe(name)}`);
  }
  if (typeof use !== 'function') throw new TypeError(`experiment: use must be a function, received ${describe(use)}`);
  if (typeof candidate !== 'function') throw new TypeError(`experiment: try must be a function, received ${describe(candidate)}`);
  if (compare !== undefined && typeof compare !== 'function') {
    throw new TypeError(`experiment: compare must be a function, received ${describe(compare)}`);
  }
  if (typeof sampleRate !== 'number' || !(sampleRate >= 0 && sampleRate <= 1)) {
    throw new RangeError(`experiment: sampleRate must be a number from 0 to 1, received ${describe(sampleRate)}`);
  }
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new RangeError(`experiment: timeoutMs must be a positive number of milliseconds, received ${describe(timeoutMs)}`);
  }
  if (!Number.isInteger(maxPending) || maxPending < 1) {
    throw new RangeError(`experiment: maxPending must be a positive integer, received ${describe(maxPending)}`);
  }
  if (monitor !== null && typeof monitor.recordMetric !== 'function') {
    throw new TypeError(`experiment: monitor must have a recordMetric method, received ${describe(monitor)}`);
  }
  if (seed !== undefined) validateSeed(seed, 'experiment: seed');

  return {
    name,
    use,
    candidate,
    sampleRate,
    compare: compare ?? defaultCompare,
    timeoutMs,
    seed,
    maxPending,
    monitor,
    metrics: {
      control: `experiment_${name}_control_ms`,
      candidate: `experiment_${name}_candidate_ms`,
      mismatch: `experiment_${name}_mismatch`,
      candidateError: `experiment_${name}_candidate_error`,
    },
  };
}

function defaultCompare(control, candidate) {
  return deepCompare(control, candidate, { leftName: 'control', rightName: 'candidate' });
}

/**
 * Runs the candidate in a later turn of the event loop and reports the pair;
 * never throws or rejects.
 */
// NOTE: the candidate gets the caller's argument objects after the caller has resumed, so a caller that mutates them in between changes the candidate's input.
// Limitation: a synchronous candidate still blocks the event loop while it runs, because JavaScript cannot pre-empt it; timeoutMs only discards its result.
function scheduleCandidate(state, self, args, control) {
  const observation = new Promise((resolve) => setImmediate(resolve))
    .then(() => runCandidate(state.settings, self, args))
    .then((candidate) => report(state, args, control, candidate))
    .catch((error) => warnOnce(state, 'internal', `the experiment failed internally: ${describeError(error)}`));
  state.pending.add(observation);
  observation.then(() => state.pending.delete(observation));
}

async function runCandidate(settings, self, args) {
  const start = process.hrtime.bigint();
  let value;
  try {
    value = settings.candidate.apply(self, args);
  } catch (error) {
    return finishCandidate(settings, start, { threw: true, error });
  }
  if (!isThenable(value)) return finishCandidate(settings, start, { threw: false, value });

  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, settings.timeoutMs, { timedOut: true });
    // An abandoned candidate must not keep the process alive.
    if (typeof timer.unref === 'function') timer.unref();
  });
  const settled = Promise.resolve(value).then(
    (resolved) => ({ threw: false, value: resolved }),
    (error) => ({ threw: true, error }),
  );
  const outcome = await Promise.race([settled, timeout]);
  clearTimeout(timer);
  if (outcome.timedOut) return { timedOut: true, milliseconds: elapsedMs(start) };
  return finishCandidate(settings, start, outcome);
}

/** Adds the duration; a synchronous candidate past timeoutMs also counts as timed out. */
function finishCandidate(settings, start, outcome) {
  const milliseconds = elapsedMs(start);
  if (milliseconds > settings.timeoutMs) return { timedOut: true, milliseconds };
  return { ...outcome, timedOut: false, milliseconds };
}

function report(state, args, control, candidate) {
  const { settings, counters } = state;
  record(state, settings.metrics.control, control.milliseconds, 'ms');

  if (candidate.timedOut) {
    counters.timeouts++;
    const error = new Error(`candidate of experiment ${settings.name} timed out after ${settings.timeoutMs} ms`);
    error.code = 'PERF_SENTINEL_EXPERIMENT_TIMEOUT';
    reportCandidateError(state, args, error, true);
    return;
  }
  record(state, settings.metrics.candidate, candidate.milliseconds, 'ms');

  if (candidate.threw && !control.threw) {
    reportCandidateError(state, args, candidate.error, false);
    return;
  }
  counters.compared++;
  const difference = findDifference(settings, control, candidate);
  if (difference === null) return;

  counters.mismatches++;
  record(state, settings.metrics.mismatch, 1, 'count', { path: difference.path, reason: difference.reason });
  emitSafely(state, 'mismatch', {
    name: settings.name,
    path: difference.path,
    reason: difference.reason,
    control: control.threw ? control.error : control.value,
    candidate: candidate.threw ? candidate.error : candidate.value,
    args,
  });
}

/** Returns `{ path, reason }` when control and candidate differ, else null. */
function findDifference(settings, control, candidate) {
  if (control.threw && candidate.threw) {
    const controlError = describeError(control.error);
    const candidateError = describeError(candidate.error);
    if (controlError === candidateError) return null;
    return { path: '<root>', reason: `control threw ${controlError} but candidate threw ${candidateError}` };
  }
  if (control.threw) {
    return {
      path: '<root>',
      reason: `control threw ${describeError(control.error)} but candidate returned ${describeValue(candidate.value)}`,
    };
  }

  let verdict;
  try {
    verdict = settings.compare(control.value, candidate.value);
  } catch (error) {
    return { path: null, reason: `comparison failed: ${describeError(error)}` };
  }
  if (verdict === true) return null;
  if (verdict && typeof verdict === 'object') {
    if (verdict.equal === true) return null;
    return { path: verdict.path ?? null, reason: verdict.reason ?? 'compare returned unequal' };
  }
  return { path: null, reason: 'compare returned unequal' };
}

function reportCandidateError(state, args, error, timedOut) {
  const { settings } = state;
  state.counters.candidateErrors++;
  record(state, settings.metrics.candidateError, 1, 'count', { message: describeError(error), timedOut });
  emitSafely(state, 'candidateError', { name: settings.name, error, timedOut, args });
}

/** Records on the monitor; a monitor or listener that throws gets one warning per experiment. */
function record(state, name, value, unit, context) {
  const monitor = state.settings.monitor;
  if (monitor === null) return;
  try {
    monitor.recordMetric(name, value, unit, context);
  } catch (error) {
    warnOnce(state, 'record', `recording ${name} failed: ${describeError(error)}`);
  }
}

function emitSafely(state, event, payload) {
  try {
    state.emitter.emit(event, payload);
  } catch (error) {
    warnOnce(state, event, `a '${event}' listener threw: ${describeError(error)}`);
  }
}

// Limitation: only the first failure of each kind per experiment is reported, so a listener that always throws does not flood the log.
function warnOnce(state, kind, message) {
  if (state.warned.has(kind)) return;
  state.warned.add(kind);
  process.emitWarning(`Experiment ${state.settings.name}: ${message}`, {
    type: 'ExperimentWarning',
    code: 'PERF_SENTINEL_EXPERIMENT_FAILED',
  });
}

function elapsedMs(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function describeError(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return describeValue(error);
}

function describeValue(value) {
  const text = inspect(value, { depth: 1, breakLength: Infinity, maxArrayLength: 5, maxStringLength: 60 });
  return text.length > 80 ? text.slice(0, 79) + '…' : text;
}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

module.exports = { createExperiment };
