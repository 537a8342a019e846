'use strict';

const { EventEmitter } = require('node:events');
const { performance } = require('node:perf_hooks');
const { isMainThread } = require('node:worker_threads');

const { binding, fromNative } = require('./native');
const {
  MAX_ABS_VALUE,
  describe,
  requireName,
  requireFiniteNumber,
  requireSampleValue,
  normalizeUnit,
  serializeContext,
  normalizeLimit,
} = require('./validate');

// The per-sample native functions, bound once: they are plain Node-API
// functions that take a slot from NativeMonitor#slot (see napi/src/recording.rs).
// Each returns undefined when no alert was raised.
const { recordValue, recordValueAt, recordValueWithContext, recordManyInSlot, takeRaisedAlerts } = binding;

const RAISED_THRESHOLD = 1;
const RAISED_REGRESSION = 2;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Distinct metric names kept by default; the native core enforces the limit. */
const DEFAULT_MAX_METRIC_NAMES = 10000;
/** The series that receives samples of names beyond maxMetricNames. */
const OVERFLOW_METRIC = 'perf_sentinel_overflow';
/**
 * Metric names with a cached recording slot beyond which the cache starts
 * over, so callers that keep inventing names (even ones folded into the
 * overflow series) cannot grow it without bound.
 */
const MAX_CACHED_SLOTS = 50000;
/** Open startMetric handles kept before the oldest is forgotten. */
const MAX_OPEN_TIMINGS = 10000;

/** Option names accepted for the two history sizes, first name preferred. */
const SAMPLE_OPTION_NAMES = ['maxSamples', 'maxMetricsHistory', 'maxMetricsPerName', 'historySize'];
const ALERT_OPTION_NAMES = ['maxAlerts', 'maxAlertsHistory', 'maxAlertHistory'];

function firstDefined(options, names) {
  for (const name of names) {
    if (options[name] !== undefined && options[name] !== null) return options[name];
  }
  return undefined;
}

const DETECTION_METHODS = ['classic', 'robust'];
const ROBUST_OPTION_NAMES = ['minSamples', 'allowance', 'decisionInterval', 'clip'];

function requireDetection(method, detection) {
  if (!DETECTION_METHODS.includes(detection)) {
    throw new RangeError(`${method}: detection must be 'classic' or 'robust', received ${describe(detection)}`);
  }
}

/** Checks robust detection options; the native side checks their ranges. */
function requireRobustOptions(method, argument, robust) {
  if (robust === undefined || robust === null) return undefined;
  if (typeof robust !== 'object') {
    throw new TypeError(`${method}: ${argument} must be an object, received ${describe(robust)}`);
  }
  for (const name of ROBUST_OPTION_NAMES) {
    const value = robust[name];
    if (value !== undefined && typeof value !== 'number') {
      throw new TypeError(`${method}: ${argument}.${name} must be a number, received ${describe(value)}`);
    }
  }
  return robust;
}

/**
 * Converts the constructor options. `detection` is 'classic' (default) or
 * 'robust'; `robust` holds the robust method's minSamples, allowance,
 * decisionInterval and clip, which setDetection options override.
 */
function toNativeOptions(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') {
    throw new TypeError(`PerformanceMonitor: options must be an object, received ${describe(options)}`);
  }
  const detection = options.detection ?? 'classic';
  requireDetection('PerformanceMonitor', detection);
  const robust = requireRobustOptions('PerformanceMonitor', 'robust', options.robust);
  const native = {
    maxSamples: firstDefined(options, SAMPLE_OPTION_NAMES),
    maxAlerts: firstDefined(options, ALERT_OPTION_NAMES),
    defaultThresholds: options.defaultThresholds,
    regression: options.regression,
    maxMetricNames: options.maxMetricNames,
  };
  for (const [name, value] of Object.entries(native)) {
    if (value !== undefined && name !== 'regression' && name !== 'defaultThresholds' && typeof value !== 'number') {
      throw new TypeError(`PerformanceMonitor: ${name} must be a number, received ${describe(value)}`);
    }
  }
  native.detection = detection;
  native.robust = robust;
  return native;
}

/**
 * Returns the JSON text of an object context, or undefined when
 * JSON.stringify throws or yields nothing; the checked path then reports or
 * handles the case.
 */
function stringifyContext(context) {
  try {
    return JSON.stringify(context);
  } catch {
    return undefined;
  }
}

/** Marks the options of the internal constructor call made by PerformanceMonitor.shared. */
const SHARED_NATIVE = Symbol('sharedNative');
/** Monitors returned by PerformanceMonitor.shared on this thread, by name. */
const sharedMonitors = new Map();

/**
 * Collects metric samples, keeps a sliding-window baseline per metric name and
 * raises threshold and regression alerts. The samples and statistics live in
 * the native core; this class owns the native handle and emits the events.
 *
 * Events, all emitted synchronously inside recordMetric, in this order:
 * 'thresholdViolation' (alert), 'regressionDetected' (alert), 'metricRecorded' (metric).
 */
class PerformanceMonitor extends EventEmitter {
  /**
   * @param {object} [options]
   * @param {number} [options.maxSamples=1000] samples kept per metric name (alias maxMetricsHistory)
   * @param {number} [options.maxAlerts=100] alerts kept in the history (alias maxAlertsHistory)
   * @param {object} [options.regression] classic rule: minSamples 10, sigma 2, warningPercent 20,
   *   criticalPercent 50, memoryWarningPercent (defaults to warningPercent)
   * @param {boolean} [options.defaultThresholds=true] install the five default thresholds
   * @param {number} [options.maxMetricNames=10000] distinct names kept; samples of further
   *   names go to the series 'perf_sentinel_overflow' and 'cardinalityLimit' is emitted once
   * @param {'classic'|'robust'} [options.detection='classic'] regression detection method
   * @param {object} [options.robust] robust detection parameters, see setDetection
   */
  constructor(options) {
    super();
    const shared = options?.[SHARED_NATIVE];
    if (shared !== undefined) {
      this._native = shared;
    } else {
      try {
        this._native = new binding.NativeMonitor(toNativeOptions(options));
      } catch (error) {
        throw fromNative(error, 'PerformanceMonitor');
      }
    }
    /** Recording slots by metric name: `{ id, unit, live }`, see _slotFor. */
    this._slots = new Map();
    this._maxMetricNames = options?.maxMetricNames ?? DEFAULT_MAX_METRIC_NAMES;
    this._cardinalityWarned = false;
    this._openTimings = new Map();
    this._timingSequence = 0;
  }

  /**
   * Returns the monitor shared under `name` by every thread of the process
   * (the main thread and each `worker_threads` worker). Every call, on any
   * thread, returns a monitor over one native collector, and repeated calls
   * on one thread return the same object. `options` apply when the
   * collector is created. Later calls pass none or equal ones, else they
   * throw a RangeError.
   *
   * Events fire synchronously on the thread that recorded, as on any
   * monitor. The owning thread (the main thread once it has called
   * shared(name), else the first thread that did) also receives, on its own
   * event loop, the 'thresholdViolation' and 'regressionDetected' events of
   * alerts raised on other threads. The delivery never keeps the process alive.
   */
  static shared(name, options) {
    requireName('PerformanceMonitor.shared', name);
    const existing = sharedMonitors.get(name);
    if (existing !== undefined) {
      // Without a callback this only checks that the options match the collector's.
      if (options !== undefined && options !== null) PerformanceMonitor._openShared(name, options, undefined);
      return existing;
    }
    let monitor;
    const native = PerformanceMonitor._openShared(name, options, (alerts) => monitor._emitRemoteAlerts(alerts));
    monitor = new PerformanceMonitor({ [SHARED_NATIVE]: native });
    sharedMonitors.set(name, monitor);
    return monitor;
  }

  static _openShared(name, options, onAlerts) {
    try {
      return binding.NativeMonitor.shared(name, toNativeOptions(options), isMainThread, onAlerts);
    } catch (error) {
      throw fromNative(error, 'PerformanceMonitor.shared');
    }
  }

  /**
   * Stores a sample, updates its baseline and runs the threshold and
   * regression checks. Throws a TypeError for an empty or non-string name, a
   * non-number value, a non-string unit or a context that is not a
   * JSON-serialisable object. Throws a RangeError for NaN, ±Infinity or a
   * value beyond ±1e150, a bound that keeps every variance finite. Nothing is
   * stored when an argument is rejected; a listener that throws does so after
   * the sample was stored. An undefined or null unit is stored as ''.
   */
  recordMetric(name, value, unit, context) {
    // Fast path: a name and unit recorded before, a plain number, and no
    // 'metricRecorded' listener. A name that is not a non-empty string never
    // has a slot, so it always takes the checked path.
    const slot = this._slots.get(name);
    if (
      slot !== undefined &&
      (slot.unit === unit || ((unit === undefined || unit === null) && slot.unit === '')) &&
      typeof value === 'number' &&
      value <= MAX_ABS_VALUE &&
      value >= -MAX_ABS_VALUE &&
      this.listenerCount('metricRecorded') === 0
    ) {
      if (context === undefined) {
        if (recordValue(slot.id, value) !== undefined) this._emitAlerts(takeRaisedAlerts());
        return;
      }
      if (typeof context === 'object' && context !== null) {
        const contextText = stringifyContext(context);
        if (contextText !== undefined) {
          if (recordValueWithContext(slot.id, value, contextText) !== undefined) {
            this._emitAlerts(takeRaisedAlerts());
          }
          return;
        }
      }
    }
    this._recordChecked('recordMetric', name, value, unit, context);
  }

  /**
   * Validates every argument, records and emits; the general path of
   * recordMetric. Returns the slot record used.
   */
  _recordChecked(method, name, value, unit, context) {
    requireName(method, name);
    requireSampleValue(method, value);
    const unitText = normalizeUnit(method, unit);
    const contextText = serializeContext(method, context);
    const slot = this._slotFor(name, unitText);
    const listened = this.listenerCount('metricRecorded') > 0;
    const timestamp = listened ? Date.now() : undefined;

    let raised;
    try {
      if (contextText !== undefined) raised = recordValueWithContext(slot.id, value, contextText, timestamp);
      else if (timestamp !== undefined) raised = recordValueAt(slot.id, value, timestamp);
      else raised = recordValue(slot.id, value);
    } catch (error) {
      throw fromNative(error, method);
    }

    if (raised !== undefined) this._emitAlerts(takeRaisedAlerts());
    if (listened) {
      const metric = { name, value, unit: unitText, timestamp };
      if (context !== undefined && context !== null) metric.context = context;
      this.emit('metricRecorded', metric);
    }
    return slot;
  }

  /**
   * Returns the slot record of `name` and `unitText`, resolving it natively
   * once. The map keeps one slot per name, the one of the unit used last.
   */
  _slotFor(name, unitText) {
    let slot = this._slots.get(name);
    if (slot === undefined || slot.unit !== unitText) {
      if (this._slots.size >= MAX_CACHED_SLOTS) this._releaseSlots();
      slot = { id: this._native.slot(name, unitText), unit: unitText, live: true };
      this._slots.set(name, slot);
      if (!this._cardinalityWarned && this._native.foldedNames() > 0) this._warnCardinality(name);
    }
    return slot;
  }

  /** Emits 'cardinalityLimit' once, for the first name folded into the overflow series. */
  _warnCardinality(name) {
    this._cardinalityWarned = true;
    this.emit('cardinalityLimit', {
      name,
      overflowMetric: OVERFLOW_METRIC,
      maxMetricNames: this._maxMetricNames,
    });
  }

  /**
   * Returns `{ metricNames, maxMetricNames, foldedNames, overflowMetric }`:
   * names with samples, the limit, and how many new names beyond the limit
   * were recorded into the overflow series instead.
   */
  getCardinalityStats() {
    return {
      metricNames: this._native.metricNames().length,
      maxMetricNames: this._maxMetricNames,
      foldedNames: this._native.foldedNames(),
      overflowMetric: OVERFLOW_METRIC,
    };
  }

  /** Frees every native slot; the next record of each name resolves it again. */
  _releaseSlots() {
    for (const slot of this._slots.values()) slot.live = false;
    this._slots.clear();
    this._native.releaseSlots();
  }

  /**
   * Returns a handle that records into `name` with `unit` (default '').
   * `handle.record(value)` does what `recordMetric(name, value, unit)` does,
   * with the same events and alerts, without looking the name up.
   */
  metric(name, unit) {
    requireName('metric', name);
    const unitText = normalizeUnit('metric', unit);
    return new MetricHandle(this, name, unitText);
  }

  /**
   * Records every value of `values` (a Float64Array or an array of numbers)
   * under one name, unit and timestamp, raising the same alerts in the same
   * order as one recordMetric call per value. 'metricRecorded' is not
   * emitted per value. All values are checked before any is stored.
   */
  recordMany(name, values, unit) {
    requireName('recordMany', name);
    const array = values instanceof Float64Array ? values : Float64Array.from(values ?? []);
    const unitText = normalizeUnit('recordMany', unit);
    if (array.length === 0) return 0;
    const slot = this._slotFor(name, unitText);
    let alerts;
    try {
      alerts = recordManyInSlot(slot.id, array);
    } catch (error) {
      throw fromNative(error, 'recordMany');
    }
    if (alerts.length > 0) this._emitAlerts(alerts);
    return array.length;
  }

  /**
   * Emits a batch of alerts raised on other threads, then re-arms delivery
   * with setImmediate, so a flood of remote alerts leaves room for this
   * thread's timers and I/O between batches (also when a listener throws).
   */
  _emitRemoteAlerts(alerts) {
    try {
      this._emitAlerts(alerts);
    } finally {
      setImmediate(() => this._native.resumeAlertDelivery());
    }
  }

  _emitAlerts(alerts) {
    for (const native of alerts) {
      const alert = {
        metricName: native.metricName,
        currentValue: native.currentValue,
        previousValue: native.previousValue,
        threshold: native.threshold,
        regressionPercentage: native.regressionPercentage,
        timestamp: native.timestamp,
        severity: native.severity,
      };
      this.emit(native.kind === 'threshold' ? 'thresholdViolation' : 'regressionDetected', alert);
    }
  }

  /** Sets or replaces the threshold of `name`: a sample above maxValue is a violation. */
  setThreshold(name, maxValue, unit, enabled = true) {
    requireName('setThreshold', name);
    requireFiniteNumber('setThreshold', maxValue, 'maxValue');
    const unitText = normalizeUnit('setThreshold', unit);
    this._native.setThreshold(name, maxValue, unitText, enabled !== false);
  }

  /**
   * Sets the regression detection of metric `name` for its current and
   * future samples: 'classic', the mean + 2σ rule, or 'robust', a CUSUM of
   * log values against the median and MAD of the window (STATISTICS.md
   * describes and measures both). `options` override, for this metric, the
   * monitor's robust options: minSamples (default 30), allowance (0.5),
   * decisionInterval (6) and clip (3). Restarts the metric's detector;
   * samples stay, and the setting outlives clearMetrics(). Throws a
   * RangeError for another detection or an option out of range.
   */
  setDetection(name, detection, options) {
    requireName('setDetection', name);
    requireDetection('setDetection', detection);
    const robust = requireRobustOptions('setDetection', 'options', options);
    try {
      this._native.setDetection(name, detection, robust);
    } catch (error) {
      throw fromNative(error, 'setDetection');
    }
  }

  /**
   * Replaces the classic regression rule of every metric. Fields: minSamples,
   * sigma, warningPercent, criticalPercent, memoryWarningPercent; absent ones
   * keep their current values.
   */
  setRegressionRule(rule) {
    if (rule === null || typeof rule !== 'object') {
      throw new TypeError(`setRegressionRule: rule must be an object, received ${describe(rule)}`);
    }
    try {
      this._native.setRegressionRule(rule);
    } catch (error) {
      throw fromNative(error, 'setRegressionRule');
    }
  }

  /** Returns every threshold as `{ name, maxValue, unit, enabled }`, sorted by name. */
  getThresholds() {
    return JSON.parse(this._native.thresholdsJson());
  }

  /**
   * Returns copies of the stored samples of `name`, newest last; `limit`
   * keeps the newest `limit` (0, null or undefined keep all). Without a name,
   * returns the samples of every metric ordered by timestamp.
   */
  getMetrics(name, limit) {
    const max = normalizeLimit('getMetrics', limit);
    if (name === undefined || name === null) {
      const all = [];
      for (const metricName of this._native.metricNames()) {
        for (const metric of JSON.parse(this._native.metricsJson(metricName))) all.push(metric);
      }
      all.sort((a, b) => a.timestamp - b.timestamp);
      return max === undefined ? all : all.slice(-max);
    }
    if (typeof name !== 'string') {
      throw new TypeError(`getMetrics: name must be a string, received ${describe(name)}`);
    }
    return JSON.parse(this._native.metricsJson(name, max));
  }

  /** Returns the names that have samples, sorted. */
  getMetricNames() {
    return this._native.metricNames();
  }

  /** Returns the baseline of `name` (with p50, p95, p99), or undefined when it has no samples. */
  getBaseline(name) {
    if (typeof name !== 'string') return undefined;
    return this._native.baseline(name) ?? undefined;
  }

  /** Returns a Map from metric name to baseline for every metric with samples. */
  getAllBaselines() {
    return new Map(this._native.baselines().map((baseline) => [baseline.metricName, baseline]));
  }

  /** Returns the newest `limit` alerts (default 10), oldest first. */
  getRecentAlerts(limit = 10) {
    const max = normalizeLimit('getRecentAlerts', limit);
    return JSON.parse(this._native.recentAlertsJson(max ?? 0xffffffff));
  }

  /**
   * Returns `{ totalMetrics, activeThresholds, recentAlerts, baselines }`:
   * stored samples, enabled thresholds, alerts of the last 24 hours and
   * metrics with a baseline. `metricNames` adds the number of names.
   */
  getPerformanceSummary() {
    const summary = this._native.summary(Date.now() - DAY_MS);
    return {
      totalMetrics: summary.totalSamples,
      activeThresholds: summary.activeThresholds,
      recentAlerts: summary.recentAlerts,
      baselines: summary.baselines,
      metricNames: summary.totalMetrics,
    };
  }

  /** Drops samples, baselines and alerts; thresholds stay. */
  clearMetrics() {
    this._native.clear();
    this._releaseSlots();
    this._openTimings.clear();
  }

  /** Drops samples older than `cutoff` (epoch ms). Returns how many were dropped. */
  dropSamplesOlderThan(cutoff) {
    requireFiniteNumber('dropSamplesOlderThan', cutoff, 'cutoff');
    const dropped = this._native.dropOlderThan(cutoff);
    // Names left without samples leave the native store; releasing the
    // slots keeps this cache from holding names that are no longer recorded.
    this._releaseSlots();
    return dropped;
  }

  /**
   * Alerts raised on other threads that this shared monitor's owner did not
   * take in time and that were dropped (at most 10,000 wait); 0 for a
   * monitor that is not shared.
   */
  getDroppedAlertCount() {
    return this._native.droppedAlerts();
  }

  /**
   * Returns `{ metrics, baselines, alerts, thresholds }` as plain,
   * JSON-serialisable objects; metrics, baselines and thresholds are keyed by name.
   */
  exportMetrics() {
    return JSON.parse(this._native.exportJson());
  }

  /**
   * Replaces samples and alerts with those of an exportMetrics() result and
   * sets its thresholds. Baselines are recomputed from the samples and no
   * alert is raised while loading. Throws a TypeError for data of another shape.
   */
  importMetrics(data) {
    if (data === null || typeof data !== 'object') {
      throw new TypeError(`importMetrics: data must be an object from exportMetrics(), received ${describe(data)}`);
    }
    try {
      this._native.importJson(JSON.stringify(data));
    } catch (error) {
      throw fromNative(error, 'importMetrics');
    }
  }

  /** Starts timing `name`; returns a handle for endMetric. */
  startMetric(name) {
    requireName('startMetric', name);
    const handle = `${name}#${++this._timingSequence}`;
    this._openTimings.set(handle, { name, start: performance.now() });
    if (this._openTimings.size > MAX_OPEN_TIMINGS) {
      this._openTimings.delete(this._openTimings.keys().next().value);
    }
    return handle;
  }

  /**
   * Ends a timing started by startMetric, records the elapsed milliseconds
   * under its name and returns them. An unknown or already ended handle
   * records nothing and returns 0.
   */
  endMetric(handle, context) {
    const timing = this._openTimings.get(handle);
    if (timing === undefined) return 0;
    this._openTimings.delete(handle);
    const elapsed = performance.now() - timing.start;
    this.recordMetric(timing.name, elapsed, 'ms', context);
    return elapsed;
  }

  /** Drops all samples, alerts and open timings and removes every listener. */
  cleanup() {
    this.clearMetrics();
    this.removeAllListeners();
  }
}

/**
 * A metric name and unit bound to a monitor, from `monitor.metric(name, unit)`.
 * `record(value)` is the cheapest way to record one sample.
 */
class MetricHandle {
  constructor(monitor, name, unitText) {
    this.monitor = monitor;
    this.name = name;
    this.unit = unitText;
    this._slot = monitor._slotFor(name, unitText);
  }

  /** Records `value` as `monitor.recordMetric(name, value, unit)` does. */
  record(value) {
    const slot = this._slot;
    const monitor = this.monitor;
    if (
      slot.live &&
      typeof value === 'number' &&
      value <= MAX_ABS_VALUE &&
      value >= -MAX_ABS_VALUE &&
      monitor.listenerCount('metricRecorded') === 0
    ) {
      if (recordValue(slot.id, value) !== undefined) monitor._emitAlerts(takeRaisedAlerts());
      return;
    }
    this._slot = monitor._recordChecked('record', this.name, value, this.unit, undefined);
  }
}

module.exports = { PerformanceMonitor, MetricHandle, RAISED_THRESHOLD, RAISED_REGRESSION };
