'use strict';

const { EventEmitter } = require('node:events');
const { performance } = require('node:perf_hooks');

const { binding, fromNative } = require('./native');
const {
  describe,
  requireName,
  requireFiniteNumber,
  requireSampleValue,
  normalizeUnit,
  serializeContext,
  normalizeLimit,
} = require('./validate');

const RAISED_THRESHOLD = 1;
const RAISED_REGRESSION = 2;
const DAY_MS = 24 * 60 * 60 * 1000;
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

function toNativeOptions(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') {
    throw new TypeError(`PerformanceMonitor: options must be an object, received ${describe(options)}`);
  }
  const detection = options.detection ?? 'classic';
  if (detection !== 'classic') {
    throw new RangeError(`PerformanceMonitor: detection must be 'classic', received ${describe(detection)}`);
  }
  const native = {
    maxSamples: firstDefined(options, SAMPLE_OPTION_NAMES),
    maxAlerts: firstDefined(options, ALERT_OPTION_NAMES),
    defaultThresholds: options.defaultThresholds,
    regression: options.regression,
  };
  for (const [name, value] of Object.entries(native)) {
    if (value !== undefined && name !== 'regression' && name !== 'defaultThresholds' && typeof value !== 'number') {
      throw new TypeError(`PerformanceMonitor: ${name} must be a number, received ${describe(value)}`);
    }
  }
  return native;
}

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
   */
  constructor(options) {
    super();
    try {
      this._native = new binding.NativeMonitor(toNativeOptions(options));
    } catch (error) {
      throw fromNative(error, 'PerformanceMonitor');
    }
    this._openTimings = new Map();
    this._timingSequence = 0;
  }

  /**
   * Stores a sample, updates its baseline and runs the threshold and
   * regression checks. Throws a TypeError for an empty or non-string name, a
   * non-number value, a non-string unit or a context that is not a
   * JSON-serialisable object, and a RangeError for NaN, ±Infinity or a value
   * beyond ±1e150 (which keeps every variance finite); nothing is stored then. An undefined or null unit is stored as ''.
   */
  recordMetric(name, value, unit, context) {
    requireName('recordMetric', name);
    requireSampleValue('recordMetric', value);
    const unitText = normalizeUnit('recordMetric', unit);
    const contextText = serializeContext('recordMetric', context);
    const timestamp = Date.now();

    let raised;
    try {
      raised = this._native.record(name, value, unitText, timestamp, contextText);
    } catch (error) {
      throw fromNative(error, 'recordMetric');
    }

    if (raised !== 0) this._emitAlerts(this._native.takeAlerts());
    if (this.listenerCount('metricRecorded') > 0) {
      const metric = { name, value, unit: unitText, timestamp };
      if (context !== undefined && context !== null) metric.context = context;
      this.emit('metricRecorded', metric);
    }
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
    let alerts;
    try {
      alerts = this._native.recordMany(name, array, unitText, Date.now());
    } catch (error) {
      throw fromNative(error, 'recordMany');
    }
    if (alerts.length > 0) this._emitAlerts(alerts);
    return array.length;
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
    this._openTimings.clear();
  }

  /** Drops samples older than `cutoff` (epoch ms). Returns how many were dropped. */
  dropSamplesOlderThan(cutoff) {
    requireFiniteNumber('dropSamplesOlderThan', cutoff, 'cutoff');
    return this._native.dropOlderThan(cutoff);
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

module.exports = { PerformanceMonitor, RAISED_THRESHOLD, RAISED_REGRESSION };
