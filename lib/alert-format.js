'use strict';

// Human-readable alert text, shared by the console channel and the `message`
// and `text` fields that the native channels send.

function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** Returns a one-line description of an alert of the given type. */
function formatAlertMessage(alert, type) {
  const severity = String(alert.severity ?? 'warning').toUpperCase();
  const percent = `${alert.regressionPercentage >= 0 ? '+' : ''}${formatNumber(alert.regressionPercentage)}%`;
  // Threshold alerts report the limit as both previousValue and threshold;
  // the detector re-routes them as 'regression_test', so the fields decide.
  const reference = alert.previousValue === alert.threshold
    ? `threshold ${formatNumber(alert.threshold)}`
    : `baseline mean ${formatNumber(alert.previousValue)}, expected at most ${formatNumber(alert.threshold)}`;
  return `[perf-sentinel] ${severity} ${type} alert: ${alert.metricName} = ${formatNumber(alert.currentValue)} (${reference}, ${percent})`;
}

const LEVEL_RANK = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * Prints an alert on the console: critical alerts with console.error,
 * warnings with console.warn. `logLevel` 'error' prints critical alerts only.
 */
function logAlert(settings, alert, message) {
  if (!settings || settings.enabled === false) return;
  const rank = LEVEL_RANK[settings.logLevel] ?? LEVEL_RANK.warn;
  if (alert.severity === 'critical') {
    console.error(message);
  } else if (rank >= LEVEL_RANK.warn) {
    console.warn(message);
  }
}

module.exports = { formatAlertMessage, logAlert };
