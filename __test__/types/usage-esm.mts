// Compiled with `tsc -p __test__/types` as an ES module (module nodenext), never
// run. It checks what an ES module user of the package sees: the types that
// the "import" side of package.json "exports" resolves to, named imports, and
// the default import, which is the whole CommonJS exports object as in index.mjs.

import { EventEmitter } from 'node:events';

import perfSentinel, {
  PerformanceMonitor,
  PerformanceMonitoringService,
  cleanupGlobalMonitoring,
  globalMonitoringService,
  initializeGlobalMonitoring,
} from 'perf-sentinel';
import type { PerformanceBaseline, RegressionAlert } from 'perf-sentinel';

const monitor = new PerformanceMonitor();
monitor.on('regressionDetected', (alert: RegressionAlert) => void alert.regressionPercentage);
// @ts-expect-error: a regressionDetected listener receives an alert, not a number.
monitor.on('regressionDetected', (percent: number) => void percent);
monitor.recordMetric('lat', 1, 'ms');
const baseline: PerformanceBaseline | undefined = monitor.getBaseline('lat');

const service = new perfSentinel.PerformanceMonitoringService({ alerting: { file: { enabled: false } } });
const sameClass: typeof PerformanceMonitoringService = perfSentinel.PerformanceMonitoringService;
const isEmitter: boolean = service instanceof EventEmitter;
const ownMonitor: PerformanceMonitor = service.getPerformanceMonitor();
const drained: boolean = await service.stop();

const global: PerformanceMonitoringService = initializeGlobalMonitoring({ enableAutomatedAlerts: false });
const current: PerformanceMonitoringService | null = globalMonitoringService;
const throughDefault: PerformanceMonitoringService | null = perfSentinel.globalMonitoringService;
await cleanupGlobalMonitoring();

// @ts-expect-error: the package has no export with this name.
void perfSentinel.PerformanceMonitorService;

void [baseline, sameClass, isEmitter, ownMonitor, drained, global, current, throughDefault];
