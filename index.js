'use strict';

// Entry point: the classes and helpers of the perf-sentinel API.

const { PerformanceMonitor } = require('./lib/monitor');
const { ParallelTestHarness } = require('./lib/harness');
const { RegressionDetector } = require('./lib/detector');
const { PerformanceMonitoringService } = require('./lib/service');
const { createPerformanceMiddleware } = require('./lib/middleware');
const setup = require('./lib/setup');
const { createMetricsHandler, PROMETHEUS_CONTENT_TYPE } = require('./lib/prometheus');
const { renderHtmlReport } = require('./lib/report-html');
const { saveBaseline, loadBaseline, readBaselineFile, describeEnvironment } = require('./lib/baseline-file');

module.exports = {
  PerformanceMonitor,
  ParallelTestHarness,
  RegressionDetector,
  PerformanceMonitoringService,
  createPerformanceMiddleware,
  createMetricsHandler,
  PROMETHEUS_CONTENT_TYPE,
  renderHtmlReport,
  saveBaseline,
  loadBaseline,
  readBaselineFile,
  describeEnvironment,
  setupMigrationPerformanceMonitoring: setup.setupMigrationPerformanceMonitoring,
  runMigrationRegressionTests: setup.runMigrationRegressionTests,
  initializeGlobalMonitoring: setup.initializeGlobalMonitoring,
  cleanupGlobalMonitoring: setup.cleanupGlobalMonitoring,
};

// A getter, so that readers always see the service that
// initializeGlobalMonitoring installed most recently (null before and after cleanup).
Object.defineProperty(module.exports, 'globalMonitoringService', {
  enumerable: true,
  get: setup.getGlobalMonitoringService,
});
