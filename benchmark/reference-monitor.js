'use strict';

// A pure-JavaScript monitor with the algorithm of the TypeScript
// PerformanceMonitor that perf-sentinel replaces, written only for the
// side-by-side benchmark. Each name keeps its newest samples as objects in an
// array; every record recomputes mean, min, max and population standard
// deviation over all of them, then runs the threshold and regression checks.

const { EventEmitter } = require('node:events');

class ReferenceMonitor extends EventEmitter {
  /** @param {number} [maxMetricsHistory=1000] samples kept per metric name */
  constructor(maxMetricsHistory = 1000) {
    super();
    this.metrics = new Map();
    this.thresholds = new Map();
    this.baselines = new Map();
    this.alerts = [];
    this.maxMetricsHistory = maxMetricsHistory;
    this.maxAlertsHistory = 100;
    this.setThreshold('response_time', 100, 'ms');
    this.setThreshold('memory_usage', 50, 'MB');
    this.setThreshold('cpu_usage', 80, '%');
    this.setThreshold('websocket_latency', 50, 'ms');
    this.setThreshold('webrtc_connection_time', 2000, 'ms');
  }

  setThreshold(name, maxValue, unit, enabled = true) {
    this.thresholds.set(name, { name, maxValue, unit, enabled });
  }

  recordMetric(name, value, unit, context) {
    const metric = { name, value, unit, timestamp: Date.now(), context };
    if (!this.metrics.has(name)) this.metrics.set(name, []);
    const metrics = this.metrics.get(name);
    metrics.push(metric);
    if (metrics.length > this.maxMetricsHistory) metrics.shift();

    this.updateBaseline(name);
    this.checkThresholds(metric);
    this.detectRegression(metric);
    this.emit('metricRecorded', metric);
  }

  updateBaseline(name) {
    const metrics = this.metrics.get(name);
    if (!metrics || metrics.length === 0) return;
    const values = metrics.map((m) => m.value);
    const averageValue = values.reduce((sum, v) => sum + v, 0) / values.length;
    const minValue = Math.min(...values);
    const maxValue = Math.max(...values);
    const variance = values.reduce((sum, v) => sum + Math.pow(v - averageValue, 2), 0) / values.length;
    this.baselines.set(name, {
      metricName: name,
      averageValue,
      minValue,
      maxValue,
      standardDeviation: Math.sqrt(variance),
      sampleCount: values.length,
      lastUpdated: Date.now(),
    });
  }

  checkThresholds(metric) {
    const threshold = this.thresholds.get(metric.name);
    if (!threshold || !threshold.enabled) return;
    if (metric.value > threshold.maxValue) {
      const alert = {
        metricName: metric.name,
        currentValue: metric.value,
        previousValue: threshold.maxValue,
        threshold: threshold.maxValue,
        regressionPercentage: ((metric.value - threshold.maxValue) / threshold.maxValue) * 100,
        timestamp: metric.timestamp,
        severity: metric.value > threshold.maxValue * 1.5 ? 'critical' : 'warning',
      };
      this.addAlert(alert);
      this.emit('thresholdViolation', alert);
    }
  }

  detectRegression(metric) {
    const baseline = this.baselines.get(metric.name);
    if (!baseline || baseline.sampleCount < 10) return;
    const expectedMax = baseline.averageValue + 2 * baseline.standardDeviation;
    if (metric.value > expectedMax) {
      const regressionPercentage = ((metric.value - baseline.averageValue) / baseline.averageValue) * 100;
      if (regressionPercentage > 20) {
        const alert = {
          metricName: metric.name,
          currentValue: metric.value,
          previousValue: baseline.averageValue,
          threshold: expectedMax,
          regressionPercentage,
          timestamp: metric.timestamp,
          severity: regressionPercentage > 50 ? 'critical' : 'warning',
        };
        this.addAlert(alert);
        this.emit('regressionDetected', alert);
      }
    }
  }

  addAlert(alert) {
    this.alerts.push(alert);
    if (this.alerts.length > this.maxAlertsHistory) this.alerts.shift();
  }

  getMetrics(name, limit) {
    const metrics = this.metrics.get(name) || [];
    return limit ? metrics.slice(-limit) : [...metrics];
  }

  getBaseline(name) {
    return this.baselines.get(name);
  }

  exportMetrics() {
    return {
      metrics: Object.fromEntries(this.metrics),
      baselines: Object.fromEntries(this.baselines),
      alerts: this.alerts,
      thresholds: Object.fromEntries(this.thresholds),
    };
  }
}

module.exports = { ReferenceMonitor };
