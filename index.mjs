// ES module entry point over the CommonJS implementation.

import cjs from './index.js';
import setup from './lib/setup.js';

export const {
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
  setupMigrationPerformanceMonitoring,
  runMigrationRegressionTests,
} = cjs;

/** The service installed by initializeGlobalMonitoring, or null; kept live however it is changed. */
export let globalMonitoringService = cjs.globalMonitoringService;
setup.observeGlobalMonitoringService((service) => {
  globalMonitoringService = service;
});

export const { initializeGlobalMonitoring, cleanupGlobalMonitoring } = cjs;

export default cjs;
