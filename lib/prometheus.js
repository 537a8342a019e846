'use strict';

// Prometheus export: PerformanceMonitor#metricsText() and an HTTP handler
// that serves it. Loading this file adds metricsText to the prototype of
// PerformanceMonitor, so every monitor, the service's included, has it.

const { binding, fromNative } = require('./native');
const { PerformanceMonitor } = require('./monitor');
const { describe } = require('./validate');

/** The Content-Type of the text exposition format 0.0.4. */
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A valid metric name; the native builder applies the same rule to the prefix. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function toNativeOptions(method, options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') {
    throw new TypeError(`${method}: options must be an object, received ${describe(options)}`);
  }
  const { prefix, includeAlerts } = options;
  if (prefix !== undefined && typeof prefix !== 'string') {
    throw new TypeError(`${method}: options.prefix must be a string, received ${describe(prefix)}`);
  }
  if (includeAlerts !== undefined && typeof includeAlerts !== 'boolean') {
    throw new TypeError(`${method}: options.includeAlerts must be a boolean, received ${describe(includeAlerts)}`);
  }
  return { prefix, includeAlerts };
}

/**
 * Resolves to the Prometheus text exposition (format 0.0.4) of `monitor`,
 * built on a worker thread. Each metric becomes a summary in base units (ms
 * as `_seconds`, bytes and MB as `_bytes`). Its quantiles 0.5, 0.9 and 0.99
 * cover the kept samples, and its `_sum` and `_count` every sample since the
 * metric was first recorded. The gauge `<prefix>recent_alerts{metric,type,severity}`
 * counts the alert history.
 *
 * @param {PerformanceMonitor} monitor
 * @param {{ prefix?: string, includeAlerts?: boolean }} [options] prefix of
 *   every family name (default 'perf_sentinel_'), include the alert gauge (default true)
 * @returns {Promise<string>} rejects with a TypeError or RangeError for invalid options
 */
function metricsText(monitor, options) {
  try {
    if (!(monitor instanceof PerformanceMonitor)) {
      throw new TypeError(`metricsText: monitor must be a PerformanceMonitor, received ${describe(monitor)}`);
    }
    return binding.prometheusText(monitor._native, toNativeOptions('metricsText', options)).catch((error) => {
      throw fromNative(error, 'metricsText');
    });
  } catch (error) {
    return Promise.reject(fromNative(error, 'metricsText'));
  }
}

Object.defineProperty(PerformanceMonitor.prototype, 'metricsText', {
  configurable: true,
  writable: true,
  enumerable: false,
  /**
   * Resolves to the Prometheus text exposition of this monitor; see
   * metricsText(monitor, options) in lib/prometheus.js.
   */
  value: function metricsTextMethod(options) {
    return metricsText(this, options);
  },
});

function monitorOf(monitorOrService) {
  if (monitorOrService instanceof PerformanceMonitor) return monitorOrService;
  if (monitorOrService !== null && typeof monitorOrService?.getPerformanceMonitor === 'function') {
    return monitorOrService.getPerformanceMonitor();
  }
  throw new TypeError(
    `createMetricsHandler: expected a PerformanceMonitor or a PerformanceMonitoringService, received ${describe(monitorOrService)}`,
  );
}

/**
 * Returns a request handler that serves the exposition of a monitor, or of a
 * service's monitor, with the format 0.0.4 Content-Type. It works as an
 * Express handler (`app.get('/metrics', handler)`) and as a plain
 * node:http handler. A failure goes to Express' `next(error)` when there is
 * one, else becomes a 500 response.
 *
 * @param {PerformanceMonitor | { getPerformanceMonitor(): PerformanceMonitor }} monitorOrService
 * @param {{ prefix?: string, includeAlerts?: boolean }} [options] as for metricsText
 */
function createMetricsHandler(monitorOrService, options) {
  // Checked once here, so that a wrong argument fails at start-up rather than on the first scrape.
  monitorOf(monitorOrService);
  const prefix = toNativeOptions('createMetricsHandler', options)?.prefix;
  if (prefix !== undefined && prefix !== '' && !METRIC_NAME.test(prefix)) {
    throw new RangeError(
      `createMetricsHandler: options.prefix must be empty or match [a-zA-Z_:][a-zA-Z0-9_:]*, received ${describe(prefix)}`,
    );
  }

  return async function metricsHandler(request, response, next) {
    let text;
    try {
      text = await metricsText(monitorOf(monitorOrService), options);
    } catch (error) {
      if (typeof next === 'function') {
        next(error);
        return;
      }
      response.statusCode = 500;
      response.setHeader('Content-Type', 'text/plain; charset=utf-8');
      response.end(`metrics exposition failed: ${error.message}\n`);
      return;
    }
    response.statusCode = 200;
    response.setHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
    response.setHeader('Cache-Control', 'no-store');
    response.end(text);
  };
}

module.exports = { metricsText, createMetricsHandler, PROMETHEUS_CONTENT_TYPE };
