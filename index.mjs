// ES module entry point over the CommonJS implementation.

import cjs from './index.js';

export const {
  PerformanceMonitor,
  ParallelTestHarness,
  RegressionDetector,
  PerformanceMonitoringService,
  createPerformanceMiddleware,
  createMetricsHandler,
  PROMETHEUS_CONTENT_TYPE,
  renderHtmlReport,
  setupMigrationPerformanceMonitoring,
  runMigrationRegressionTests,
} = cjs;

/** The service installed by initializeGlobalMonitoring, or null. Updated by the two functions below. */
export let globalMonitoringService = cjs.globalMonitoringService;

export function initializeGlobalMonitoring(config) {
  const service = cjs.initializeGlobalMonitoring(config);
  globalMonitoringService = cjs.globalMonitoringService;
  return service;
}

export function cleanupGlobalMonitoring() {
  const result = cjs.cleanupGlobalMonitoring();
  globalMonitoringService = cjs.globalMonitoringService;
  return result;
}

export default cjs;
