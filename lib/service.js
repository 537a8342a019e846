'use strict';

const { EventEmitter } = require('node:events');
const { randomUUID } = require('node:crypto');

const { binding, fromNative } = require('./native');
const { PerformanceMonitor } = require('./monitor');
const { ParallelTestHarness } = require('./harness');
const { RegressionDetector } = require('./detector');
const { defaultConfig, mergeConfig, THRESHOLD_METRICS } = require('./config');
const { formatAlertMessage, logAlert } = require('./alert-format');
const { RuntimeSampler } = require('./runtime-metrics');

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often a pending delivery is checked for expiry while the loop is held. */
const PENDING_POLL_MS = 250;
const NATIVE_CHANNELS = ['file', 'webhook', 'email', 'alertmanager'];
/** Distinct listener error messages reported with process.emitWarning; later ones are only counted. */
const MAX_WARNED_MESSAGES = 100;

/**
 * Runs a monitor, a regression detector and a test harness together and
 * applies the configuration to them. Every alert passes a cooldown and then
 * goes to the console and to the native delivery channels (file, webhook,
 * email, Alertmanager), which run on Rust threads.
 *
 * Events: 'started', 'stopped', 'alert' ({ alert, type }, after the alert was
 * handed to every channel; asynchronous), 'deliveryError' ({ channel, error,
 * attempts, alertId, alert, type }, only emitted when someone listens),
 * 'metricRejected' ({ name, value, unit, error }, only when someone listens).
 */
class PerformanceMonitoringService extends EventEmitter {
  constructor(partialConfig) {
    super();
    this.config = mergeConfig(defaultConfig(), partialConfig);
    this._validateChannels(this.config);
    this.isRunning = false;
    // monitoring.detection: 'classic' (the original rule) or 'robust' (a CUSUM of
    // log values against the window median, described in STATISTICS.md).
    this.monitor = new PerformanceMonitor({ defaultThresholds: true, detection: this.config.monitoring.detection });
    this.harness = new ParallelTestHarness({ monitor: this.monitor });
    this.detector = new RegressionDetector(this.monitor, this.harness);
    this._cooldown = new binding.NativeCooldown();
    this._dispatcher = null;
    this._pending = new Map();
    this._keepAlive = null;
    this._intervalId = null;
    this._runtimeSampler = null;
    this._counters = { suppressed: 0, rejectedMetrics: 0, listenerErrors: 0, routed: 0, prunedSamples: 0 };
    this._warnedMessages = new Set();

    // Bound so that `const { start, stop } = service` keeps working.
    this.start = this.start.bind(this);
    this.stop = this.stop.bind(this);

    this._applyConfiguration();
    this._connectComponents();
  }

  _connectComponents() {
    this.monitor.on('thresholdViolation', (alert) => this._routeAlert(alert, 'threshold'));
    this.monitor.on('regressionDetected', (alert) => this._routeAlert(alert, 'regression'));
    this.detector.onAlert((alert) => this._routeAlert(alert, 'regression_test'));
    this.harness.on('testCompleted', (result) => this._recordTestResult(result));
  }

  _applyConfiguration() {
    for (const [key, [metric, unit]] of Object.entries(THRESHOLD_METRICS)) {
      const limit = this.config.performanceThresholds[key];
      if (limit !== undefined) this.monitor.setThreshold(metric, limit, unit, true);
    }
    const regression = this.config.regressionThresholds;
    this.monitor.setRegressionRule({
      warningPercent: regression.performanceRegression,
      memoryWarningPercent: regression.memoryRegression,
      criticalPercent: regression.criticalRegressionThreshold,
    });
  }

  /** Starts the periodic task. Does nothing when already running or when monitoring.enabled is false. */
  start() {
    if (this.isRunning) {
      console.warn('Performance monitoring service is already running');
      return;
    }
    if (!this.config.monitoring.enabled) return;
    this.isRunning = true;
    if (this.config.monitoring.runtimeMetrics) {
      this._runtimeSampler = new RuntimeSampler();
      this._runtimeSampler.start();
    }
    // Limitation: this timer keeps the process alive until stop(), as the original's did.
    this._intervalId = setInterval(() => this._runPeriodicTask(), this.config.monitoring.baselineUpdateInterval);
    this.emit('started');
  }

  /**
   * Stops the periodic task and waits until the alerts already handed to the
   * delivery channels are delivered or the shutdown deadline
   * (monitoring.shutdownTimeoutMs) passes. Resolves to true when every queue drained.
   */
  stop() {
    if (this.isRunning) {
      clearInterval(this._intervalId);
      this._intervalId = null;
      this._runtimeSampler?.stop();
      this.isRunning = false;
      this.emit('stopped');
    }
    return this._flushDeliveries();
  }

  async _flushDeliveries() {
    if (this._dispatcher === null) return true;
    const drained = await this._dispatcher.flush(this.config.monitoring.shutdownTimeoutMs);
    this._releasePending(drained);
    return drained;
  }

  /**
   * Drops samples past the retention period and, when runtimeMetrics is on,
   * records the runtime measurements. Runs every baselineUpdateInterval while started.
   */
  _runPeriodicTask() {
    const retentionMs = this.config.monitoring.metricsRetentionDays * DAY_MS;
    this._counters.prunedSamples += this.monitor.dropSamplesOlderThan(Date.now() - retentionMs);
    if (this._runtimeSampler !== null && this.isRunning) {
      for (const { name, value, unit } of this._runtimeSampler.sample()) this.recordMetric(name, value, unit);
    }
  }

  /**
   * Returns which runtime measurements this runtime provides, as
   * `{ eventLoopDelay, eventLoopUtilization, heapUsed, rss, cpuUsage }`, each
   * `{ available, reason? }`; null until a service with runtimeMetrics started.
   */
  getRuntimeMetricsAvailability() {
    return this._runtimeSampler === null ? null : structuredClone(this._runtimeSampler.availability);
  }

  /**
   * Records a metric on the monitor. Never throws: invalid arguments are
   * counted and reported through 'metricRejected', and an exception thrown by
   * an event listener is re-emitted as 'error' when someone listens, else
   * reported with process.emitWarning once per distinct message.
   */
  recordMetric(name, value, unit, context) {
    try {
      this.monitor.recordMetric(name, value, unit, context);
    } catch (error) {
      this._reportRecordError(error, { name, value, unit });
    }
  }

  _reportRecordError(error, sample) {
    const isValidation = (error instanceof TypeError || error instanceof RangeError) &&
      /^(recordMetric|PerformanceMonitor):/.test(error.message);
    if (isValidation) {
      this._counters.rejectedMetrics++;
      if (this.listenerCount('metricRejected') > 0) this.emit('metricRejected', { ...sample, error });
      return;
    }
    this._counters.listenerErrors++;
    if (this.listenerCount('error') > 0) {
      this.emit('error', error);
      return;
    }
    // Warn once per distinct message; repeats are only counted.
    if (!this._warnedMessages.has(error.message) && this._warnedMessages.size < MAX_WARNED_MESSAGES) {
      this._warnedMessages.add(error.message);
      process.emitWarning(error);
    }
  }

  _recordTestResult(result) {
    const context = { testId: result.testId };
    this.recordMetric('test_execution_time_old', result.executionTimeOld, 'ms', context);
    this.recordMetric('test_execution_time_new', result.executionTimeNew, 'ms', context);
    this.recordMetric('test_memory_usage_old', result.memoryUsageOld, 'bytes', context);
    this.recordMetric('test_memory_usage_new', result.memoryUsageNew, 'bytes', context);

    // The harness stores the result before emitting, so its analysis defines the ratios.
    const comparison = this.harness.analyzeResults(result.testId);
    if (comparison === null) return;
    this.recordMetric('performance_ratio', comparison.performanceRatio, 'ratio', context);
    this.recordMetric('memory_ratio', comparison.memoryRatio, 'ratio', context);
  }

  _routeAlert(alert, type) {
    const period = this.config.monitoring.alertCooldownPeriod;
    if (!this._cooldown.admit(`${alert.metricName}_${type}`, Date.now(), period)) {
      this._counters.suppressed++;
      return;
    }
    const message = formatAlertMessage(alert, type);
    logAlert(this.config.alerting.console, alert, message);

    const dispatcher = this._ensureDispatcher();
    const id = randomUUID();
    this._pending.set(id, {
      alert,
      type,
      unsettled: this._nativeChannelCount,
      expiresAt: Date.now() + this.config.monitoring.shutdownTimeoutMs,
    });
    this._holdLoop();
    dispatcher.submit(id, type, JSON.stringify(alert), message);
    this._counters.routed++;
  }

  /** Returns the alerting sections that the native dispatcher handles. */
  _nativeChannels(config = this.config) {
    const channels = {};
    for (const name of NATIVE_CHANNELS) {
      if (config.alerting[name] !== undefined) channels[name] = config.alerting[name];
    }
    return channels;
  }

  /** Checks the native channels' options now, so a bad option fails here and not at the first alert. */
  _validateChannels(config) {
    try {
      binding.AlertDispatcher.validate(JSON.stringify(this._nativeChannels(config)));
    } catch (error) {
      throw fromNative(error, 'PerformanceMonitoringService');
    }
  }

  _ensureDispatcher() {
    if (this._dispatcher !== null) return this._dispatcher;
    const channels = this._nativeChannels();
    this._nativeChannelCount = NATIVE_CHANNELS.filter((name) => channels[name]?.enabled).length;
    try {
      this._dispatcher = new binding.AlertDispatcher(JSON.stringify(channels), (kind, id, detail) =>
        this._onDeliveryEvent(kind, id, detail),
      );
    } catch (error) {
      throw fromNative(error, 'PerformanceMonitoringService');
    }
    return this._dispatcher;
  }

  /** Handles an event from the delivery threads. Runs on the JS thread. */
  _onDeliveryEvent(kind, id, detailText) {
    const entry = this._pending.get(id);
    if (entry === undefined) return;
    let detail = {};
    try {
      detail = detailText ? JSON.parse(detailText) : {};
    } catch {
      // The detail is informational; a malformed one must not lose the event.
    }

    // Bookkeeping first, so that a throwing listener cannot leave the
    // event loop held.
    if (kind === 'routed') {
      entry.routed = true;
    } else if (kind === 'delivered' || kind === 'failed' || kind === 'dropped') {
      entry.unsettled--;
    }
    if (entry.routed && entry.unsettled <= 0) this._settle(id);

    try {
      if (kind === 'routed') {
        this.emit('alert', { alert: entry.alert, type: entry.type });
      } else if ((kind === 'failed' || kind === 'dropped') && this.listenerCount('deliveryError') > 0) {
        this.emit('deliveryError', {
          channel: detail.channel,
          error: detail.error ?? detail.reason,
          attempts: detail.attempts ?? 0,
          alertId: id,
          alert: entry.alert,
          type: entry.type,
        });
      }
    } catch (error) {
      // A throwing listener must surface as an ordinary uncaught exception,
      // not inside the native callback.
      process.nextTick(() => {
        throw error;
      });
    }
  }

  _settle(id) {
    this._pending.delete(id);
    if (this._pending.size === 0) this._releaseLoop();
  }

  /** Keeps the event loop alive while alerts are on their way to the channels. */
  _holdLoop() {
    if (this._keepAlive !== null) return;
    this._keepAlive = setInterval(() => {
      const now = Date.now();
      for (const [id, entry] of this._pending) {
        if (entry.expiresAt <= now) this._pending.delete(id);
      }
      if (this._pending.size === 0) this._releaseLoop();
    }, PENDING_POLL_MS);
  }

  _releaseLoop() {
    if (this._keepAlive === null) return;
    clearInterval(this._keepAlive);
    this._keepAlive = null;
  }

  _releasePending(drained) {
    if (!drained) return;
    for (const [id, entry] of this._pending) {
      if (entry.routed) this._pending.delete(id);
    }
    if (this._pending.size === 0) this._releaseLoop();
  }

  /**
   * Returns delivery figures for each enabled native channel: `[{ channel,
   * sent, retried, failed, dropped, queued, inFlight, attempts }]`. The
   * console channel prints synchronously and has no figures.
   */
  getDeliveryStats() {
    if (this._dispatcher === null) return [];
    return JSON.parse(this._dispatcher.stats());
  }

  /**
   * Returns counters of the service itself: suppressed (alerts dropped by the
   * cooldown), rejectedMetrics, listenerErrors, routed, prunedSamples and pendingDeliveries.
   */
  getServiceStats() {
    return { ...this._counters, pendingDeliveries: this._pending.size };
  }

  generateReport() {
    const summary = this.monitor.getPerformanceSummary();
    const testSummary = this.detector.generateSummary();
    const harnessReport = this.harness.generateReport();
    return {
      timestamp: Date.now(),
      summary: {
        totalMetrics: summary.totalMetrics,
        activeThresholds: summary.activeThresholds,
        recentAlerts: summary.recentAlerts,
        regressionTests: testSummary.totalTests,
        criticalIssues: testSummary.criticalIssues,
      },
      metrics: {
        responseTime: this.monitor.getMetrics('response_time', 50),
        memoryUsage: this.monitor.getMetrics('memory_usage', 50),
        webrtcLatency: this.monitor.getMetrics('webrtc_connection_time', 50),
      },
      regressions: testSummary.recentReports,
      alerts: this.monitor.getRecentAlerts(20),
      recommendations: buildRecommendations(testSummary, harnessReport),
    };
  }

  getPerformanceMonitor() {
    return this.monitor;
  }

  getRegressionDetector() {
    return this.detector;
  }

  getTestHarness() {
    return this.harness;
  }

  /** Returns a deep copy of the configuration in force. */
  getConfiguration() {
    return structuredClone(this.config);
  }

  /**
   * Merges `partial` over the configuration in force (each section over the
   * defaults), re-applies thresholds and regression rule, and reconnects the
   * delivery channels when the alerting section changed.
   */
  updateConfiguration(partial) {
    const next = mergeConfig(this.config, partial);
    this._validateChannels(next);
    const alertingChanged = JSON.stringify(next.alerting) !== JSON.stringify(this.config.alerting);
    const intervalChanged = next.monitoring.baselineUpdateInterval !== this.config.monitoring.baselineUpdateInterval;
    this.config = next;
    this._applyConfiguration();
    if (alertingChanged && this._dispatcher !== null) {
      const previous = this._dispatcher;
      this._dispatcher = null;
      previous.close(this.config.monitoring.shutdownTimeoutMs).catch(() => {});
    }
    if (intervalChanged && this.isRunning) {
      clearInterval(this._intervalId);
      this._intervalId = setInterval(() => this._runPeriodicTask(), next.monitoring.baselineUpdateInterval);
    }
  }

  /**
   * Stops the service, waits for alert delivery (bounded by
   * monitoring.shutdownTimeoutMs), closes the delivery threads, clears
   * metrics, test results and history, and removes every listener.
   */
  async cleanup() {
    const stopped = this.stop();
    this.monitor.clearMetrics();
    this.harness.clearResults();
    this.detector.clearHistory();
    this._cooldown.clear();
    this.removeAllListeners();
    const drained = await stopped;
    if (this._dispatcher !== null) {
      const dispatcher = this._dispatcher;
      this._dispatcher = null;
      await dispatcher.close(this.config.monitoring.shutdownTimeoutMs);
    }
    this._pending.clear();
    this._releaseLoop();
    return drained;
  }
}

/** Describes a ratio above 1 as a percentage, or as a multiple from 3x on. */
function describeIncrease(ratio) {
  return ratio >= 3 ? `${ratio.toFixed(1)}x` : `${((ratio - 1) * 100).toFixed(1)}%`;
}

function buildRecommendations(testSummary, harnessReport) {
  const recommendations = [];
  if (testSummary.performanceRegressions > 0) {
    recommendations.push(
      `${testSummary.performanceRegressions} performance regression(s) detected: review the handlers of the failing tests before migrating.`,
    );
  }
  if (testSummary.criticalIssues > 0) {
    recommendations.push(
      `${testSummary.criticalIssues} critical issue(s) with both performance and functional regressions need immediate attention.`,
    );
  }
  if (harnessReport.totalTests > 0 && harnessReport.averagePerformanceRatio > 1.1) {
    const slower = describeIncrease(harnessReport.averagePerformanceRatio);
    recommendations.push(
      `The new implementation is ${slower} slower on average: consider performance optimization before switching over.`,
    );
  }
  if (harnessReport.totalTests > 0 && harnessReport.averageMemoryRatio > 1.2) {
    const more = describeIncrease(harnessReport.averageMemoryRatio);
    recommendations.push(
      `The new implementation uses ${more} more memory on average: check it for leaks and avoidable allocations.`,
    );
  }
  return recommendations;
}

module.exports = { PerformanceMonitoringService };
