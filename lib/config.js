'use strict';

// Defaults and merging of the service configuration. Every default lives here.

const { describe } = require('./validate');

const MIB = 1024 * 1024;

/** Returns a fresh copy of the default configuration. */
function defaultConfig() {
  return {
    performanceThresholds: {
      responseTime: 100, // ms
      memoryUsage: 50, // MB
      cpuUsage: 80, // %
      websocketLatency: 50, // ms
      webrtcConnectionTime: 2000, // ms
    },
    regressionThresholds: {
      performanceRegression: 20, // % over the baseline mean that counts as a regression
      memoryRegression: 30, // the same for memory metrics
      criticalRegressionThreshold: 50, // % over the mean that makes a regression critical
    },
    alerting: {
      console: { enabled: true, logLevel: 'warn' },
      file: { enabled: true, logPath: './logs/performance-alerts.log', maxFileSize: 10 * MIB },
    },
    monitoring: {
      enabled: true,
      metricsRetentionDays: 7,
      baselineUpdateInterval: 60000, // ms between runs of the periodic task
      alertCooldownPeriod: 300000, // ms during which a repeated alert key is dropped
      shutdownTimeoutMs: 30000, // maximum wait of stop() and cleanup() for alert delivery
      // 'classic' (the original rule) or 'robust'; fixed when the service is created.
      detection: 'classic',
      // Record event loop delay, event loop utilisation, heap, RSS and CPU on every periodic run.
      runtimeMetrics: false,
    },
  };
}

/** Maps each performance threshold key to the monitor metric it limits. */
const THRESHOLD_METRICS = {
  responseTime: ['response_time', 'ms'],
  memoryUsage: ['memory_usage', 'MB'],
  cpuUsage: ['cpu_usage', '%'],
  websocketLatency: ['websocket_latency', 'ms'],
  webrtcConnectionTime: ['webrtc_connection_time', 'ms'],
};

const SECTIONS = ['performanceThresholds', 'regressionThresholds', 'alerting', 'monitoring'];

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Merges `partial` over `base` one section deep: each section's keys replace
 * the base's keys of that section, as in the TypeScript original. Within
 * `alerting`, each channel object is merged one level further so that
 * `{ file: { enabled: false } }` keeps the default path. Unknown sections are kept.
 */
function mergeConfig(base, partial) {
  if (partial === undefined || partial === null) return structuredClone(base);
  if (!isPlainObject(partial)) {
    throw new TypeError(`PerformanceMonitoringService: config must be an object, received ${describe(partial)}`);
  }
  const merged = structuredClone(base);
  for (const [section, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    if (!SECTIONS.includes(section)) {
      merged[section] = structuredClone(value);
      continue;
    }
    if (!isPlainObject(value)) {
      throw new TypeError(`PerformanceMonitoringService: config.${section} must be an object, received ${describe(value)}`);
    }
    if (section === 'alerting') {
      for (const [channel, settings] of Object.entries(value)) {
        merged.alerting[channel] = isPlainObject(settings) && isPlainObject(merged.alerting[channel])
          ? { ...merged.alerting[channel], ...structuredClone(settings) }
          : structuredClone(settings);
      }
    } else {
      Object.assign(merged[section], structuredClone(value));
    }
  }
  validateConfig(merged);
  return merged;
}

function requireNumber(path, value, { min = 0 } = {}) {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`PerformanceMonitoringService: ${path} must be a number, received ${describe(value)}`);
  }
  if (!(value >= min)) {
    throw new RangeError(`PerformanceMonitoringService: ${path} must be at least ${min}, received ${value}`);
  }
}

function validateConfig(config) {
  for (const [key, value] of Object.entries(config.performanceThresholds)) {
    requireNumber(`performanceThresholds.${key}`, value, { min: -Number.MAX_VALUE });
    if (!Number.isFinite(value)) {
      throw new RangeError(`PerformanceMonitoringService: performanceThresholds.${key} must be finite, received ${value}`);
    }
  }
  for (const [key, value] of Object.entries(config.regressionThresholds)) {
    requireNumber(`regressionThresholds.${key}`, value);
  }
  const monitoring = config.monitoring;
  requireNumber('monitoring.metricsRetentionDays', monitoring.metricsRetentionDays);
  requireNumber('monitoring.baselineUpdateInterval', monitoring.baselineUpdateInterval, { min: 1 });
  requireNumber('monitoring.alertCooldownPeriod', monitoring.alertCooldownPeriod);
  requireNumber('monitoring.shutdownTimeoutMs', monitoring.shutdownTimeoutMs);
  if (typeof monitoring.runtimeMetrics !== 'boolean') {
    throw new TypeError(
      `PerformanceMonitoringService: monitoring.runtimeMetrics must be a boolean, received ${describe(monitoring.runtimeMetrics)}`,
    );
  }
  const levels = ['error', 'warn', 'info', 'debug'];
  const console = config.alerting.console;
  if (console && console.enabled && !levels.includes(console.logLevel)) {
    throw new RangeError(
      `PerformanceMonitoringService: alerting.console.logLevel must be one of ${levels.join(', ')}, received ${describe(console.logLevel)}`,
    );
  }
}

module.exports = { defaultConfig, mergeConfig, THRESHOLD_METRICS };
