// Type declarations of perf-sentinel, written by hand for the JavaScript API
// in index.js (CommonJS) and index.mjs (ES module). Both entry points export
// the same names. An ES module default import gives the whole CommonJS
// exports object, which TypeScript models without an `export default`
// declaration (see `import perf from 'perf-sentinel'` under module nodenext).

import { EventEmitter } from 'node:events';

// ---------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------

/**
 * The plain object a caller attaches to a metric. It is stored as JSON, so it
 * must be JSON-serialisable; reading it back gives equal content, not the
 * same object.
 */
export type MetricContext = Record<string, any>;

/** One recorded sample. */
export interface PerformanceMetric {
  /** Metric name, for example `'response_time'`. */
  name: string;
  /** The sample value, a finite number within ±1e150. */
  value: number;
  /** Unit label, for example `'ms'`; `''` when the caller passed undefined or null. */
  unit: string;
  /** Epoch milliseconds (`Date.now()`) when the sample was recorded. */
  timestamp: number;
  /** The context passed to `recordMetric`; absent when none was passed. */
  context?: MetricContext;
}

/** The limit of one metric: a sample above `maxValue` is a violation. */
export interface PerformanceThreshold {
  /** Metric name the limit applies to. */
  name: string;
  /** Largest value that is not a violation, in `unit`. */
  maxValue: number;
  /** Unit label, informational. */
  unit: string;
  /** A disabled threshold raises nothing. */
  enabled: boolean;
}

/** Severity of an alert. */
export type AlertSeverity = 'warning' | 'critical';

/** An alert raised by a threshold check or a regression check. */
export interface RegressionAlert {
  /** Name of the metric whose sample raised the alert. */
  metricName: string;
  /** The sample value that raised the alert. */
  currentValue: number;
  /**
   * The threshold's `maxValue` for a threshold alert. For a regression alert,
   * the baseline mean (classic detection) or median (robust detection).
   */
  previousValue: number;
  /**
   * The limit that was crossed: `maxValue` for a threshold alert, `mean +
   * 2·σ` for a classic regression alert with the default rule, or the
   * smallest value that would have raised a robust alert.
   */
  threshold: number;
  /** How far the value is above `previousValue`, in percent of it. */
  regressionPercentage: number;
  /** Epoch milliseconds when the alert was raised. */
  timestamp: number;
  /**
   * `'critical'` above 1.5 × maxValue for a threshold alert, or above the
   * critical percentage (default 50 %) for a regression alert; else
   * `'warning'`. Robust detection compares its estimated shift, not this
   * one sample, with the critical percentage.
   */
  severity: AlertSeverity;
}

/** Statistics of one metric over its kept samples (at most 1000 by default). */
export interface PerformanceBaseline {
  /** Metric name. */
  metricName: string;
  /** Arithmetic mean of the kept samples. */
  averageValue: number;
  /** Smallest kept sample. */
  minValue: number;
  /** Largest kept sample. */
  maxValue: number;
  /** Population standard deviation of the kept samples. */
  standardDeviation: number;
  /** Number of kept samples. */
  sampleCount: number;
  /** Epoch milliseconds of the newest sample. */
  lastUpdated: number;
  /** Median, interpolated linearly between closest ranks. */
  p50: number;
  /** 95th percentile, interpolated linearly between closest ranks. */
  p95: number;
  /** 99th percentile, interpolated linearly between closest ranks. */
  p99: number;
}

/** Counts returned by `PerformanceMonitor.getPerformanceSummary()`. */
export interface PerformanceSummary {
  /** Stored samples over all metric names. */
  totalMetrics: number;
  /** Enabled thresholds. */
  activeThresholds: number;
  /** Alerts raised in the last 24 hours that are still in the alert history. */
  recentAlerts: number;
  /** Metric names that have a baseline. */
  baselines: number;
  /** Metric names that have samples. */
  metricNames: number;
}

/** Everything a monitor stores, as plain JSON-serialisable objects keyed by metric name. */
export interface MetricsExport {
  /** Samples per metric name, oldest first. */
  metrics: Record<string, PerformanceMetric[]>;
  /** Baseline per metric name. */
  baselines: Record<string, PerformanceBaseline>;
  /** The alert history, oldest first. */
  alerts: RegressionAlert[];
  /** Threshold per metric name. */
  thresholds: Record<string, PerformanceThreshold>;
}

/** The classic regression rule: a value above `mean + sigma·σ` and more than `warningPercent` above the mean. */
export interface RegressionRule {
  /** Samples a metric needs before it is checked. Default 10. */
  minSamples: number;
  /** Standard deviations above the mean that a value must exceed. Default 2, at least 0. */
  sigma: number;
  /** Percent over the mean above which a regression alert is raised. Default 20, at least 0. */
  warningPercent: number;
  /** Percent over the mean above which the alert is critical. Default 50, at least 0. */
  criticalPercent: number;
  /**
   * `warningPercent` for memory metrics (unit in bytes or a multiple, or a
   * name containing "memory"). Defaults to `warningPercent`.
   */
  memoryWarningPercent: number;
}

/** Regression detection method of a metric. */
export type DetectionMethod = 'classic' | 'robust';

/**
 * Parameters of robust detection: a one-sided CUSUM of log values,
 * standardised by the median and MAD of the window. `allowance`,
 * `decisionInterval` and `clip` are in robust standard deviations of
 * ln(value). Out-of-range values throw a RangeError.
 */
export interface RobustDetectionOptions {
  /** Samples needed before any check, at start and again after each alarm. Default 30, from 5 to maxSamples. */
  minSamples?: number;
  /** CUSUM reference value k: only shifts above k standard deviations accumulate. Default 0.5, at least 0. */
  allowance?: number;
  /** CUSUM decision interval h: an alarm is raised when the sum exceeds it. Default 6, above 0. */
  decisionInterval?: number;
  /** Huber clipping bound c, above `allowance`: one sample adds at most c − k to the sum. Default 3; Infinity turns clipping off. */
  clip?: number;
}

/** Result of one `ParallelTestHarness.executeParallel` call. */
export interface TestResult {
  /** The id the result is stored under. */
  testId: string;
  /** Epoch milliseconds when the run started. */
  timestamp: number;
  /** Return value of the old implementation (promises awaited); undefined when it failed. */
  oldResult: any;
  /** Return value of the new implementation (promises awaited); undefined when either side failed. */
  newResult: any;
  /** Deep structural equality of the two results; false when either side failed. */
  isEqual: boolean;
  /** Wall time of the old side in milliseconds; 0 when either side failed. */
  executionTimeOld: number;
  /** Wall time of the new side in milliseconds; 0 when either side failed. */
  executionTimeNew: number;
  /**
   * Change of the used heap during the old side, in bytes; negative when a
   * garbage collection shrank the heap, and 0 when either side failed.
   */
  memoryUsageOld: number;
  /** Change of the used heap during the new side, in bytes, as `memoryUsageOld`. */
  memoryUsageNew: number;
  /**
   * Set when a side threw (the thrown message) or lacks the method
   * (`Method <name> not found in old|new implementation`).
   */
  error?: string;
  /** The side that failed, when `error` is set. */
  failedImplementation?: 'old' | 'new';
  /** The first difference between the results, when both sides ran and `isEqual` is false. */
  difference?: ResultDifference;
  /**
   * Whether a garbage collection ran before each side, outside the timed
   * region. It does where the runtime allows it: Bun, or Node started with
   * `--expose-gc`, unless the `gc` option is false.
   */
  gcBetweenSides: boolean;
  /** Present when `executeParallel` ran with statistics options. */
  statistics?: ComparisonStatistics;
}

/** Outcome of a repeated comparison. */
export type ComparisonVerdict = 'regressed' | 'improved' | 'equivalent' | 'inconclusive';

/** Options of `executeParallel`. Statistics run when any of `iterations`, `warmup`, `budgetMs` or `seed` is set. */
export interface ExecuteParallelOptions {
  /** Collect garbage before each side where the runtime allows it. Default true. */
  gc?: boolean;
  /** Measured iterations, 1 to 100,000. Default 100, or 100,000 with a budget so that the budget decides. */
  iterations?: number;
  /** Iterations run first and discarded, 0 to 100,000. Default 10. */
  warmup?: number;
  /**
   * Time budget of warm-up and measurement together, in ms. Default
   * Infinity. Checked before each iteration, and at least 2 iterations (or
   * `iterations`, if fewer) are always measured.
   */
  budgetMs?: number;
  /** Integer from 0 to 2^32 − 1 for the order of the sides and the bootstrap. Default a random seed, reported back. */
  seed?: number;
  /** Bootstrap resamples, 1 to 100,000. Default 2000. */
  resamples?: number;
  /** Significance level of the Mann-Whitney U test, between 0 and 1. Default 0.05. */
  alpha?: number;
  /** Smallest relative change called regressed or improved, from 0 to 10. Default 0.01. */
  minEffect?: number;
  /** Relative change within which the sides are equivalent, from 0 to 10. Default 0.03. */
  equivalenceMargin?: number;
}

/**
 * Statistics of a repeated comparison. With [low, high] the bootstrap 95 %
 * interval of median(new) / median(old) and p the U test's p-value, the
 * verdict is `'regressed'` when low > 1 + minEffect and p < alpha,
 * `'improved'` when high < 1 / (1 + minEffect) and p < alpha,
 * `'equivalent'` when the interval lies within [1 / (1 + equivalenceMargin),
 * 1 + equivalenceMargin], else `'inconclusive'`.
 */
export interface ComparisonStatistics {
  /** Measured iterations per side. */
  iterations: number;
  /** Warm-up iterations run. */
  warmup: number;
  /** Seed of the side order and the bootstrap. */
  seed: number;
  /** Bootstrap resamples. */
  resamples: number;
  /** The verdict thresholds used. */
  rule: { alpha: number; minEffect: number; equivalenceMargin: number };
  /** Cause of the end of the run. */
  stoppedBy: 'iterations' | 'budget' | 'error';
  /** Wall time of the whole run, in ms. */
  elapsedMs: number;
  /** Times of the old side, in ms, in run order. */
  oldSamples: number[];
  /** Times of the new side, in ms, in run order. */
  newSamples: number[];
  /** Median time of the old side in ms; null without samples. */
  oldMedian: number | null;
  /** Median time of the new side in ms; null without samples. */
  newMedian: number | null;
  /** Median heap change of the old side, in bytes. */
  oldHeapMedian: number;
  /** Median heap change of the new side, in bytes. */
  newHeapMedian: number;
  /** newMedian / oldMedian: 1 when both are 0, Infinity when only the old one is; null without samples. */
  ratio: number | null;
  /** `[low, high]` of the bootstrap 95 % interval; null after an error or with fewer than 2 samples per side. */
  ratioCI95: [number, number] | null;
  /** Two-sided p-value of the Mann-Whitney U test; null when `ratioCI95` is. */
  pValue: number | null;
  /** The test used. */
  test: 'mann-whitney-u';
  /** Outcome; always `'inconclusive'` after an error or with fewer than 2 samples per side. */
  verdict: ComparisonVerdict;
}

/** The first difference between two results. */
export interface ResultDifference {
  /** Path of the difference, for example `'<root>'`, `'[1].a'` or `'.get("room-1")'`; null when the comparison itself failed. */
  path: string | null;
  /** Description of the difference there. */
  reason: string;
}

/** Verdict of `ParallelTestHarness.analyzeResults`. */
export interface TestComparison {
  /** Results equal, no error, and both ratios at most 1.1. */
  passed: boolean;
  /**
   * Explanations: "Results are not equal …", "Performance degradation: X%
   * slower" (ratio above 1.1), "Performance improvement: X% faster" (below
   * 0.9) and the memory equivalents.
   */
  differences: string[];
  /** executionTimeNew / executionTimeOld (medians with statistics); 1 when the old time is 0. */
  performanceRatio: number;
  /** memoryUsageNew / memoryUsageOld, a negative change counting as 0; 1 when the old change is 0 or less. */
  memoryRatio: number;
  /** The result's statistics, when it has them; `differences` then ends with a "Statistical verdict: …" line. */
  statistics?: ComparisonStatistics;
}

/** Summary returned by `ParallelTestHarness.generateReport()`. */
export interface HarnessReport {
  /** Stored results. */
  totalTests: number;
  /** Results whose analysis passed. */
  passedTests: number;
  /** Results whose analysis failed. */
  failedTests: number;
  /** Mean of the performance ratios; 1 when nothing is stored. */
  averagePerformanceRatio: number;
  /** Mean of the memory ratios; 1 when nothing is stored. */
  averageMemoryRatio: number;
  /** Every stored result, oldest first. */
  results: TestResult[];
}

/** Limits of a regression test, checked against the new side. */
export interface ExpectedPerformance {
  /** Largest acceptable `executionTimeNew`, in milliseconds. Absent means no limit. */
  maxResponseTime: number;
  /** Largest acceptable `memoryUsageNew`, in bytes. Absent means no limit. */
  maxMemoryIncrease: number;
}

/** A test the `RegressionDetector` runs. */
export interface RegressionTest {
  /** Unique name; registering another test with this name replaces it in place. */
  name: string;
  /** Free text; `''` in `exportData()` when absent. */
  description?: string;
  /**
   * Produces the TestResult to judge, usually via
   * `harness.executeParallel(...)`. A throw, a rejection, or a value
   * without finite measurements yields a failed report.
   */
  testFunction: () => TestResult | PromiseLike<TestResult>;
  /** Limits on the new side; each missing limit means no limit. */
  expectedPerformance?: Partial<ExpectedPerformance>;
  /** A disabled test is skipped by `runAllTests`. Default true. */
  enabled?: boolean;
}

/** Old and new figures of one measurement in a report. */
export interface RegressionMeasurement {
  /** Old side: ms for response time, bytes for memory. */
  old: number;
  /** New side, in the same unit. */
  new: number;
  /** `(new - old) / old * 100`; 100 when old is 0 and new is above 0, else 0 when old is 0. */
  regression: number;
}

/** The verdict on one regression test run. */
export interface RegressionReport {
  /** The test's name. */
  testName: string;
  /** Neither kind of regression. */
  passed: boolean;
  /**
   * Time grew more than 10 %, memory more than 20 % (the detector's
   * options), or the new side exceeded `expectedPerformance`. True when the
   * test function failed.
   */
  performanceRegression: boolean;
  /** The results differ, a side failed, or the test function failed. */
  functionalRegression: boolean;
  /** Figures behind the verdict. */
  details: {
    /** Execution times in milliseconds. */
    responseTime: RegressionMeasurement;
    /** Heap growth in bytes. */
    memoryUsage: RegressionMeasurement;
    /** Why the results differ, or "Test execution failed: …". Empty when equal. */
    functionalDifferences: string[];
  };
  /** Epoch milliseconds when the report was made. */
  timestamp: number;
}

/** Counts returned by `RegressionDetector.generateSummary()`, over the kept reports. */
export interface RegressionSummary {
  /** Kept reports. */
  totalTests: number;
  /** Reports that passed. */
  passedTests: number;
  /** Reports that failed. */
  failedTests: number;
  /** Reports with a performance regression. */
  performanceRegressions: number;
  /** Reports with a functional regression. */
  functionalRegressions: number;
  /** Reports with both kinds of regression. */
  criticalIssues: number;
  /** The newest 10 reports, oldest first. */
  recentReports: RegressionReport[];
}

/** JSON-serialisable snapshot returned by `RegressionDetector.exportData()`. */
export interface RegressionExport {
  /** Registered tests keyed by name, without their functions. */
  tests: Record<
    string,
    { name: string; description: string; expectedPerformance: Partial<ExpectedPerformance>; enabled: boolean }
  >;
  /** Kept reports, oldest first. */
  reports: RegressionReport[];
  /** `generateSummary()` at the time of the export. */
  summary: RegressionSummary;
  /** The monitor's `exportMetrics()`, when the monitor has that method. */
  performanceData?: MetricsExport;
}

// ---------------------------------------------------------------------------
// Typed events
// ---------------------------------------------------------------------------

/**
 * An event name that is not a key of `Events`. The untyped fallback overload
 * of `on` and friends uses it, so that a known event name with a listener of
 * the wrong type is rejected rather than accepted by the fallback.
 */
export type OtherEvent<Events, E extends string | symbol> = E extends keyof Events ? never : E;

/** Events of `PerformanceMonitor`, all emitted synchronously inside `recordMetric`. */
export interface PerformanceMonitorEvents {
  /** A sample was stored; emitted after the alert events of the same call. */
  metricRecorded: (metric: PerformanceMetric) => void;
  /** A sample exceeded its enabled threshold. */
  thresholdViolation: (alert: RegressionAlert) => void;
  /** A sample exceeded its baseline by the regression rule. */
  regressionDetected: (alert: RegressionAlert) => void;
  /**
   * Emitted once, for the first new name recorded while `maxMetricNames`
   * names exist; its samples and those of later new names go to `overflowMetric`.
   */
  cardinalityLimit: (event: CardinalityLimitEvent) => void;
}

/** Payload of the monitor's 'cardinalityLimit' event. */
export interface CardinalityLimitEvent {
  /** The first name folded into the overflow series. */
  name: string;
  /** 'perf_sentinel_overflow'. */
  overflowMetric: string;
  maxMetricNames: number;
}

/** Result of `PerformanceMonitor.getCardinalityStats()`. */
export interface CardinalityStats {
  /** Names with samples, the overflow series included. */
  metricNames: number;
  maxMetricNames: number;
  /** New names beyond the limit whose samples went to the overflow series. */
  foldedNames: number;
  overflowMetric: string;
}

/** Payload of the harness's 'mismatch' event: an experiment's control and candidate disagreed. */
export interface ExperimentMismatchEvent {
  /** The experiment's name. */
  name: string;
  /** Path of the first difference, for example `'<root>'` or `'.items[2]'`; null when unknown. */
  path: string | null;
  /** Description of the difference there. */
  reason: string;
  /** Return value of the control, or the error it threw. */
  control: unknown;
  /** Return value of the candidate, or the error it threw. */
  candidate: unknown;
  /** The arguments of the call. */
  args: unknown[];
}

/** Payload of the harness's 'candidateError' event: the candidate failed while the control returned. */
export interface ExperimentCandidateErrorEvent {
  /** The experiment's name. */
  name: string;
  /** The candidate's thrown value or rejection reason, or an Error with code `PERF_SENTINEL_EXPERIMENT_TIMEOUT`. */
  error: unknown;
  /** The candidate ran past `timeoutMs`. */
  timedOut: boolean;
  /** The arguments of the call. */
  args: unknown[];
}

/** Events of `ParallelTestHarness`. */
export interface ParallelTestHarnessEvents {
  /** A result was stored; a throwing listener makes `executeParallel` reject. */
  testCompleted: (result: TestResult) => void;
  /** An experiment's candidate disagreed with its control. A throwing listener is reported once with `process.emitWarning`. */
  mismatch: (event: ExperimentMismatchEvent) => void;
  /** An experiment's candidate threw, rejected or timed out while the control returned. */
  candidateError: (event: ExperimentCandidateErrorEvent) => void;
}

/** Route of an alert into the service. */
export type ServiceAlertType = 'threshold' | 'regression' | 'regression_test';

/** Payload of the service's 'alert' event. */
export interface ServiceAlertEvent {
  /** The alert. */
  alert: RegressionAlert;
  /** `'threshold'`, `'regression'`, or `'regression_test'` for a detector callback alert. */
  type: ServiceAlertType;
}

/** Names of the native delivery channels. */
export type DeliveryChannelName = 'file' | 'webhook' | 'email' | 'alertmanager';

/** Payload of the service's 'deliveryError' event: one channel gave up on, or never tried, one alert. */
export interface DeliveryErrorEvent {
  /** The channel that failed. */
  channel: DeliveryChannelName;
  /** Cause of the failure as text, for example a connection error or the reason the alert was dropped. */
  error: string;
  /** Tries the channel made; 0 when the alert was dropped without a try. */
  attempts: number;
  /** Id the service gave the alert when it routed it. */
  alertId: string;
  /** The alert. */
  alert: RegressionAlert;
  /** The route the alert took into the service. */
  type: ServiceAlertType;
}

/** Payload of the service's 'metricRejected' event: `recordMetric` arguments that failed validation. */
export interface MetricRejectedEvent {
  /** The name argument as passed. */
  name: unknown;
  /** The value argument as passed. */
  value: unknown;
  /** The unit argument as passed. */
  unit: unknown;
  /** The TypeError or RangeError the monitor raised, naming the bad argument. */
  error: TypeError | RangeError;
}

/** Events of `PerformanceMonitoringService`. */
export interface PerformanceMonitoringServiceEvents {
  /** `start()` started the periodic task. */
  started: () => void;
  /** `stop()` stopped a running service. */
  stopped: () => void;
  /** An alert passed the cooldown and was handed to every enabled channel. Arrives asynchronously. */
  alert: (event: ServiceAlertEvent) => void;
  /** A delivery channel gave up on an alert. Only emitted while someone listens. */
  deliveryError: (event: DeliveryErrorEvent) => void;
  /** `recordMetric` rejected its arguments. Only emitted while someone listens. */
  metricRejected: (event: MetricRejectedEvent) => void;
  /**
   * An exception that is not a validation error, for example one thrown by a
   * monitor listener during `recordMetric`. Without an 'error' listener it is
   * reported with `process.emitWarning` instead, once per distinct message.
   */
  error: (error: Error) => void;
}

// ---------------------------------------------------------------------------
// PerformanceMonitor
// ---------------------------------------------------------------------------

/** Options of `new PerformanceMonitor(options)`. Every field is optional. */
export interface PerformanceMonitorOptions {
  /** Samples kept per metric name; the oldest is dropped beyond it. Default 1000, range 1 to 10,000,000. */
  maxSamples?: number;
  /**
   * Distinct metric names kept. Samples of further new names go to the series
   * 'perf_sentinel_overflow' and 'cardinalityLimit' is emitted once. Default 10,000.
   */
  maxMetricNames?: number;
  /** Alias of `maxSamples`, used when `maxSamples` is absent. */
  maxMetricsHistory?: number;
  /** Alias of `maxSamples`. */
  maxMetricsPerName?: number;
  /** Alias of `maxSamples`. */
  historySize?: number;
  /** Alerts kept in the history; the oldest is dropped beyond it. Default 100, range 1 to 1,000,000. */
  maxAlerts?: number;
  /** Alias of `maxAlerts`, used when `maxAlerts` is absent. */
  maxAlertsHistory?: number;
  /** Alias of `maxAlerts`. */
  maxAlertHistory?: number;
  /** Install the five default thresholds. Default true. */
  defaultThresholds?: boolean;
  /** The classic regression rule; absent fields keep their defaults. */
  regression?: Partial<RegressionRule>;
  /**
   * Regression detection of metrics without their own `setDetection`:
   * `'classic'` (default, the mean + 2σ rule, alert for alert as the
   * TypeScript original) or `'robust'`. Anything else throws a RangeError.
   */
  detection?: DetectionMethod;
  /** Robust detection parameters, also the base that `setDetection` options override. */
  robust?: RobustDetectionOptions;
}

/** Options of the Prometheus exposition. */
export interface MetricsTextOptions {
  /** Prefix of every metric family name, empty or matching `[a-zA-Z_:][a-zA-Z0-9_:]*`. Default `'perf_sentinel_'`. */
  prefix?: string;
  /** Include the gauge `<prefix>recent_alerts{metric,type,severity}`, which counts the alert history. Default true. */
  includeAlerts?: boolean;
}

/** A metric name and unit bound to a monitor, from `monitor.metric(name, unit)`. */
export interface MetricHandle {
  /** The monitor the handle records into. */
  readonly monitor: PerformanceMonitor;
  /** The metric name. */
  readonly name: string;
  /** The unit, `''` when none was given. */
  readonly unit: string;
  /**
   * Records `value` as `monitor.recordMetric(name, value, unit)` does, with
   * the same events, alerts and errors, without looking the name up.
   */
  record(value: number): void;
}

/**
 * Collects metric samples, keeps a sliding-window baseline per metric name
 * and raises threshold and regression alerts. Samples and statistics live in
 * the native core.
 *
 * The constructor installs the default thresholds `response_time` 100 ms,
 * `memory_usage` 50 MB, `cpu_usage` 80 %, `websocket_latency` 50 ms and
 * `webrtc_connection_time` 2000 ms. It throws a TypeError or RangeError
 * naming the option when `options` is invalid.
 *
 * Events (see `PerformanceMonitorEvents`) fire synchronously inside
 * `recordMetric` in this order: 'thresholdViolation', 'regressionDetected',
 * 'metricRecorded'.
 */
export declare class PerformanceMonitor extends EventEmitter {
  constructor(options?: PerformanceMonitorOptions | null);

  /**
   * Returns the monitor shared under `name` by every thread of the process
   * (the main thread and each `worker_threads` worker): all of them record
   * into one native collector, and repeated calls on one thread return the
   * same object. `options` apply when the collector is created; a later
   * call with different options throws a RangeError.
   *
   * Events fire on the thread that recorded. The owning thread is the main
   * thread once it has called `shared(name)`, else the first thread that
   * did. It also receives the alert events of other threads on its own
   * event loop, and that delivery never keeps the process alive.
   */
  static shared(name: string, options?: PerformanceMonitorOptions | null): PerformanceMonitor;

  /**
   * Stores a sample (at most 1000 per name by default, oldest dropped),
   * updates the name's baseline, checks the threshold and the regression
   * rule, then emits 'metricRecorded'.
   *
   * Throws a TypeError for an empty or non-string name, a non-number value,
   * a non-string unit, or a context that is not a JSON-serialisable object,
   * and a RangeError for NaN, ±Infinity or a value beyond ±1e150. Nothing is
   * stored then. An undefined or null unit is stored as `''`.
   *
   * @param name metric name
   * @param value sample value, for example milliseconds or megabytes
   * @param unit unit label, for example `'ms'`
   * @param context plain object stored with the sample
   */
  recordMetric(name: string, value: number, unit?: string | null, context?: MetricContext | null): void;

  /**
   * Records every value under one name, unit and timestamp, raising the same
   * alerts in the same order as one `recordMetric` call per value, but
   * without a 'metricRecorded' event per value. Every value is checked before
   * any is stored. Returns the number of values recorded.
   */
  recordMany(name: string, values: Float64Array | ArrayLike<number> | Iterable<number>, unit?: string | null): number;

  /**
   * Returns a handle whose `record(value)` records into `name` with `unit`,
   * the cheapest way to record repeatedly. Throws a TypeError for an empty
   * name or a non-string unit.
   */
  metric(name: string, unit?: string | null): MetricHandle;

  /**
   * Sets or replaces the threshold of `name`. Throws a TypeError for an empty
   * name or a non-number `maxValue` and a RangeError for a non-finite one.
   *
   * @param maxValue largest value that is not a violation
   * @param enabled default true; only an explicit `false` disables
   */
  setThreshold(name: string, maxValue: number, unit?: string | null, enabled?: boolean): void;

  /**
   * Sets the regression detection of metric `name` for its current and
   * future samples and restarts its detector. Samples stay, and the setting
   * outlives `clearMetrics()`. `options` override the monitor's robust
   * options for this metric. Throws a RangeError for another method or an
   * option out of range.
   */
  setDetection(name: string, detection: DetectionMethod, options?: RobustDetectionOptions | null): void;

  /**
   * Replaces the classic regression rule of every metric; absent fields
   * keep their current values. Throws a TypeError for a non-object and a
   * RangeError for a negative or non-finite field.
   */
  setRegressionRule(rule: Partial<RegressionRule>): void;

  /** Returns every threshold, sorted by name. */
  getThresholds(): PerformanceThreshold[];

  /**
   * Returns copies of the samples of `name`, newest last. `limit` keeps the
   * newest `limit`; 0, null or undefined keep all, and a negative or
   * fractional limit throws a RangeError. Without a name (undefined or null),
   * returns the samples of every metric ordered by timestamp.
   */
  getMetrics(name?: string | null, limit?: number | null): PerformanceMetric[];

  /** Returns the names that have samples, sorted. */
  getMetricNames(): string[];

  /** Returns the baseline of `name`, or undefined when it has no samples or `name` is not a string. */
  getBaseline(name: string): PerformanceBaseline | undefined;

  /** Returns a Map from metric name to baseline, for every metric with samples. */
  getAllBaselines(): Map<string, PerformanceBaseline>;

  /**
   * Returns the newest `limit` alerts (default 10), oldest first. A limit of
   * 0 returns the whole history (at most 100 alerts by default).
   */
  getRecentAlerts(limit?: number): RegressionAlert[];

  /** Returns sample, threshold, alert and baseline counts; `recentAlerts` covers the last 24 hours. */
  getPerformanceSummary(): PerformanceSummary;
  /** Returns the number of names, the limit and how many new names were folded into the overflow series. */
  getCardinalityStats(): CardinalityStats;

  /** Drops samples, baselines, alerts and open `startMetric` timings. Thresholds stay. */
  clearMetrics(): void;

  /**
   * Drops samples older than `cutoff` (epoch milliseconds) and returns how
   * many were dropped. Throws for a non-finite cutoff.
   */
  dropSamplesOlderThan(cutoff: number): number;

  /**
   * Returns how many alerts raised on other threads this shared monitor's
   * owner did not take in time and dropped (at most 10,000 wait); 0 for a
   * monitor that is not shared.
   */
  getDroppedAlertCount(): number;

  /** Returns everything stored as plain, JSON-serialisable objects. */
  exportMetrics(): MetricsExport;

  /**
   * Resolves to the Prometheus text exposition (format 0.0.4) of this
   * monitor, built on a worker thread. Each metric becomes a summary in
   * base units (ms as `_seconds`, bytes and MB as `_bytes`) whose quantiles
   * 0.5, 0.9 and 0.99 cover the kept samples and whose `_sum` and `_count`
   * cover every sample since the metric was first recorded. Rejects with a
   * TypeError or RangeError for invalid options.
   */
  metricsText(options?: MetricsTextOptions | null): Promise<string>;

  /**
   * Replaces samples and alerts with those of an `exportMetrics()` result
   * (possibly from another monitor, possibly through JSON) and sets its
   * thresholds. Baselines are recomputed and no alert is raised while
   * loading. Throws a TypeError for data of another shape.
   */
  importMetrics(data: Partial<MetricsExport>): void;

  /**
   * Starts timing `name` with a monotonic clock and returns a handle for
   * `endMetric`. At most 10,000 timings stay open; beyond that the oldest is
   * forgotten. Throws a TypeError for an empty name.
   */
  startMetric(name: string): string;

  /**
   * Ends a timing started by `startMetric`, records the elapsed milliseconds
   * under its name (unit `'ms'`) and returns them. An unknown or already
   * ended handle records nothing and returns 0.
   */
  endMetric(handle: string, context?: MetricContext | null): number;

  /** Drops samples, baselines, alerts and open timings, and removes every listener. */
  cleanup(): void;

  /** Adds a listener for a monitor event. */
  on<K extends keyof PerformanceMonitorEvents>(event: K, listener: PerformanceMonitorEvents[K]): this;
  /** Adds a listener for any other event. */
  on<E extends string | symbol>(event: OtherEvent<PerformanceMonitorEvents, E>, listener: (...args: any[]) => void): this;
  /** Adds a one-time listener for a monitor event. */
  once<K extends keyof PerformanceMonitorEvents>(event: K, listener: PerformanceMonitorEvents[K]): this;
  /** Adds a one-time listener for any other event. */
  once<E extends string | symbol>(event: OtherEvent<PerformanceMonitorEvents, E>, listener: (...args: any[]) => void): this;
  /** Removes a listener of a monitor event. */
  off<K extends keyof PerformanceMonitorEvents>(event: K, listener: PerformanceMonitorEvents[K]): this;
  /** Removes a listener of any other event. */
  off<E extends string | symbol>(event: OtherEvent<PerformanceMonitorEvents, E>, listener: (...args: any[]) => void): this;
  /** Adds a listener for a monitor event (alias of `on`). */
  addListener<K extends keyof PerformanceMonitorEvents>(event: K, listener: PerformanceMonitorEvents[K]): this;
  /** Adds a listener for any other event (alias of `on`). */
  addListener<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitorEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Removes a listener of a monitor event (alias of `off`). */
  removeListener<K extends keyof PerformanceMonitorEvents>(event: K, listener: PerformanceMonitorEvents[K]): this;
  /** Removes a listener of any other event (alias of `off`). */
  removeListener<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitorEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Adds a listener for a monitor event at the front of the listener list. */
  prependListener<K extends keyof PerformanceMonitorEvents>(event: K, listener: PerformanceMonitorEvents[K]): this;
  /** Adds a listener for any other event at the front of the listener list. */
  prependListener<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitorEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Adds a one-time listener for a monitor event at the front of the listener list. */
  prependOnceListener<K extends keyof PerformanceMonitorEvents>(event: K, listener: PerformanceMonitorEvents[K]): this;
  /** Adds a one-time listener for any other event at the front of the listener list. */
  prependOnceListener<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitorEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Calls the listeners of a monitor event synchronously; returns whether there were any. */
  emit<K extends keyof PerformanceMonitorEvents>(event: K, ...args: Parameters<PerformanceMonitorEvents[K]>): boolean;
  /** Calls the listeners of any other event synchronously; returns whether there were any. */
  emit<E extends string | symbol>(event: OtherEvent<PerformanceMonitorEvents, E>, ...args: any[]): boolean;
}

// ---------------------------------------------------------------------------
// ParallelTestHarness
// ---------------------------------------------------------------------------

/** Anything with `recordMetric`, such as a PerformanceMonitor or a PerformanceMonitoringService. */
export interface MetricRecorder {
  /** Records one sample. */
  recordMetric(name: string, value: number, unit: string, context?: MetricContext): void;
}

/** Options of `new ParallelTestHarness(options)`. */
export interface ParallelTestHarnessOptions {
  /** Results kept; the oldest is dropped beyond it. Default 10,000; a positive integer, else RangeError. */
  maxResults?: number;
  /** Recorder of experiment metrics for experiments that name no monitor of their own. Default none. */
  monitor?: MetricRecorder | null;
}

/** Result of an experiment's `compare`: true when equal, or a verdict with the path and reason of the difference. */
export type ExperimentVerdict = boolean | { equal: boolean; path?: string; reason?: string };

/** Options of `ParallelTestHarness.experiment`. */
export interface ExperimentOptions<Args extends unknown[], Result, CandidateResult = Result> {
  /** Used in the metric names `experiment_<name>_…`: letters, digits, `_ . : -`. */
  name: string;
  /** The control: every caller gets its outcome. */
  use: (...args: Args) => Result;
  /** The candidate, run on a sampled share of calls after the control has returned or settled. */
  try: (...args: Args) => CandidateResult;
  /** Share of calls that run the candidate, from 0 to 1. Default 1. */
  sampleRate?: number;
  /** Compares the settled outcomes. Default a deep structural comparison. */
  compare?: (control: Awaited<Result>, candidate: Awaited<CandidateResult>) => ExperimentVerdict;
  /** Maximum candidate run time that is compared, in ms; a slower run is a candidate error. Default 1000. */
  timeoutMs?: number;
  /** Recorder of the experiment's metrics. Default the harness's `monitor` option; with neither, nothing is recorded. */
  monitor?: MetricRecorder | null;
  /** Integer from 0 to 2^32 − 1 that makes the sampling repeatable. Default Math.random. */
  seed?: number;
  /** Candidates running at once; further sampled calls skip the candidate. Default 100. */
  maxPending?: number;
}

/** Counters of an experiment. */
export interface ExperimentStats {
  /** Calls of the experiment function. */
  calls: number;
  /** Calls chosen by the sample rate. */
  sampled: number;
  /** Sampled calls that skipped the candidate (too many pending, or a non-promise thenable). */
  skipped: number;
  /** Outcomes compared. */
  compared: number;
  /** Comparisons that found a difference. */
  mismatches: number;
  /** Candidate throws, rejections and timeouts. */
  candidateErrors: number;
  /** Candidate runs past `timeoutMs`. */
  timeouts: number;
  /** Candidates running now. */
  pending: number;
}

/**
 * A function with the behaviour of the control that also runs the candidate
 * as a shadow. It returns exactly what `use` returns (the same promise
 * object for a promise) or throws what `use` throws.
 */
export interface Experiment<Args extends unknown[], Result> {
  /** Calls the control, and the candidate afterwards on a sampled share of calls. */
  (...args: Args): Result;
  /** Returns the counters. */
  stats(): ExperimentStats;
  /** Resolves once no candidate is running. */
  settled(): Promise<void>;
}

/**
 * Runs the same method on an old and a new implementation, one after the
 * other, and compares results, wall time and heap growth.
 *
 * Event (see `ParallelTestHarnessEvents`): 'testCompleted' with the stored
 * TestResult.
 */
export declare class ParallelTestHarness extends EventEmitter {
  constructor(options?: ParallelTestHarnessOptions);

  /** Upper bound of stored results. */
  readonly maxResults: number;
  /** The `monitor` option, or null. */
  readonly monitor: MetricRecorder | null;
  /** The old implementation given to `registerImplementations`, or null before. */
  oldImplementation: object | null;
  /** The new implementation given to `registerImplementations`, or null before. */
  newImplementation: object | null;

  /**
   * Stores the two implementations whose methods `executeParallel` calls.
   * Throws a TypeError when either is not an object or a function.
   */
  registerImplementations(oldImpl: object, newImpl: object): void;

  /**
   * Calls `methodName` on the old and the new implementation with the same
   * `args` (promises awaited), stores the TestResult under `testId`, emits
   * 'testCompleted' and resolves to it.
   *
   * Without statistics options each side runs once, old then new. With any
   * of `iterations`, `warmup`, `budgetMs` or `seed`, both sides run
   * repeatedly in a seeded random order, the four measurements are medians
   * and the result gains `statistics`.
   *
   * A missing method or a throw on either side does not reject: it sets
   * `error`, zeroes the four measurements and makes `isEqual` false. A
   * missing method is detected before either side runs, and a throw on the
   * old side skips the new side. Rejects with a TypeError or RangeError for
   * an empty `methodName`, non-array `args`, an empty `testId` or an invalid option.
   *
   * @param args arguments for both calls; `[]` when undefined
   * @param testId default `'test_' + Date.now()`, raised to the next free
   *   number when that id is taken; an explicit id that is already stored
   *   replaces that result
   */
  executeParallel(
    methodName: string,
    args?: readonly unknown[],
    testId?: string,
    options?: ExecuteParallelOptions | null,
  ): Promise<TestResult>;

  /**
   * Compares the stored result `testId`: ratios new/old and difference
   * lines. Returns null for an unknown id.
   */
  analyzeResults(testId: string): TestComparison | null;

  /** Returns the stored results, oldest first. */
  getAllResults(): TestResult[];

  /** Drops every stored result. */
  clearResults(): void;

  /** Summarises the stored results; both averages are 1 when nothing is stored. */
  generateReport(): HarnessReport;

  /**
   * Returns a function that runs a shadow experiment on live calls. Callers
   * always get the outcome of `use`. `try` runs afterwards on a sampled
   * share of calls, off the caller's path, so its errors and slowness never
   * reach the caller. Each sampled call records
   * `experiment_<name>_control_ms` and `experiment_<name>_candidate_ms`,
   * plus `experiment_<name>_mismatch` or `experiment_<name>_candidate_error`
   * (count 1), and emits 'mismatch' or 'candidateError' on this harness.
   * Throws a TypeError or RangeError for invalid options.
   */
  experiment<Args extends unknown[], Result, CandidateResult = Result>(
    options: ExperimentOptions<Args, Result, CandidateResult>,
  ): Experiment<Args, Result>;

  /** Adds a listener for a harness event. */
  on<K extends keyof ParallelTestHarnessEvents>(event: K, listener: ParallelTestHarnessEvents[K]): this;
  /** Adds a listener for any other event. */
  on<E extends string | symbol>(event: OtherEvent<ParallelTestHarnessEvents, E>, listener: (...args: any[]) => void): this;
  /** Adds a one-time listener for a harness event. */
  once<K extends keyof ParallelTestHarnessEvents>(event: K, listener: ParallelTestHarnessEvents[K]): this;
  /** Adds a one-time listener for any other event. */
  once<E extends string | symbol>(
    event: OtherEvent<ParallelTestHarnessEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Removes a listener of a harness event. */
  off<K extends keyof ParallelTestHarnessEvents>(event: K, listener: ParallelTestHarnessEvents[K]): this;
  /** Removes a listener of any other event. */
  off<E extends string | symbol>(event: OtherEvent<ParallelTestHarnessEvents, E>, listener: (...args: any[]) => void): this;
  /** Adds a listener for a harness event (alias of `on`). */
  addListener<K extends keyof ParallelTestHarnessEvents>(event: K, listener: ParallelTestHarnessEvents[K]): this;
  /** Adds a listener for any other event (alias of `on`). */
  addListener<E extends string | symbol>(
    event: OtherEvent<ParallelTestHarnessEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Removes a listener of a harness event (alias of `off`). */
  removeListener<K extends keyof ParallelTestHarnessEvents>(event: K, listener: ParallelTestHarnessEvents[K]): this;
  /** Removes a listener of any other event (alias of `off`). */
  removeListener<E extends string | symbol>(
    event: OtherEvent<ParallelTestHarnessEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Adds a listener for a harness event at the front of the listener list. */
  prependListener<K extends keyof ParallelTestHarnessEvents>(event: K, listener: ParallelTestHarnessEvents[K]): this;
  /** Adds a listener for any other event at the front of the listener list. */
  prependListener<E extends string | symbol>(
    event: OtherEvent<ParallelTestHarnessEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Adds a one-time listener for a harness event at the front of the listener list. */
  prependOnceListener<K extends keyof ParallelTestHarnessEvents>(
    event: K,
    listener: ParallelTestHarnessEvents[K],
  ): this;
  /** Adds a one-time listener for any other event at the front of the listener list. */
  prependOnceListener<E extends string | symbol>(
    event: OtherEvent<ParallelTestHarnessEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Calls the listeners of a harness event synchronously; returns whether there were any. */
  emit<K extends keyof ParallelTestHarnessEvents>(event: K, ...args: Parameters<ParallelTestHarnessEvents[K]>): boolean;
  /** Calls the listeners of any other event synchronously; returns whether there were any. */
  emit<E extends string | symbol>(event: OtherEvent<ParallelTestHarnessEvents, E>, ...args: any[]): boolean;
}

// ---------------------------------------------------------------------------
// RegressionDetector
// ---------------------------------------------------------------------------

/**
 * The monitor of a `RegressionDetector`: an EventEmitter of the alert events
 * with `recordMetric`, which receives `<test>_response_time` (ms) and
 * `<test>_memory_usage` (bytes) after each test.
 */
export interface RegressionDetectorMonitor extends EventEmitter, MetricRecorder {
  /** Included in `exportData()` as `performanceData` when present. */
  exportMetrics?(): MetricsExport;
}

/** Options of `new RegressionDetector(monitor, harness, options)`. */
export interface RegressionDetectorOptions {
  /** Reports kept; the oldest is dropped beyond it. Default 1000, a positive integer. */
  maxReports?: number;
  /** Time growth over the old side, in percent, above which a report is a performance regression. Default 10. */
  responseTimeRegressionPercent?: number;
  /** Heap growth over the old side, in percent, above which a report is a performance regression. Default 20. */
  memoryRegressionPercent?: number;
}

/** A callback added with `RegressionDetector.onAlert`. A returned promise that rejects is reported like a throw. */
export type AlertCallback = (alert: RegressionAlert) => void | PromiseLike<void>;

/**
 * Runs registered regression tests, turns their TestResults into
 * RegressionReports, records their measurements on the monitor, and passes
 * the monitor's 'thresholdViolation' and 'regressionDetected' alerts to the
 * callbacks added with `onAlert`.
 *
 * The constructor throws a TypeError when `monitor` is not an EventEmitter
 * with `recordMetric`, or `harness` is not an object, and a RangeError for an
 * invalid option.
 */
export declare class RegressionDetector {
  constructor(
    monitor: PerformanceMonitor | RegressionDetectorMonitor,
    harness?: ParallelTestHarness | null,
    options?: RegressionDetectorOptions,
  );

  /** The monitor given to the constructor. */
  readonly performanceMonitor: PerformanceMonitor | RegressionDetectorMonitor;
  /** The harness given to the constructor, or null. */
  readonly testHarness: ParallelTestHarness | null;
  /** Upper bound of kept reports. */
  readonly maxReports: number;
  /** Time growth threshold in percent. */
  readonly responseTimeRegressionPercent: number;
  /** Heap growth threshold in percent. */
  readonly memoryRegressionPercent: number;

  /**
   * Adds a callback that receives every alert of the monitor. A callback
   * that throws, or returns a promise that rejects, does not stop the others;
   * its first failure is reported with `process.emitWarning`. Throws a
   * TypeError for a non-function.
   */
  onAlert(callback: AlertCallback): void;

  /** Removes a callback added with `onAlert`; returns whether it was found. */
  offAlert(callback: AlertCallback): boolean;

  /** Stops listening to the monitor. Tests, reports and callbacks stay. */
  dispose(): void;

  /**
   * Registers a test under its name, replacing a test of the same name in
   * place. The object itself is kept, so changing `enabled` later takes
   * effect. Throws a TypeError or RangeError naming the invalid field.
   */
  registerTest(test: RegressionTest): void;

  /** Runs the enabled tests one after another, in registration order, and resolves to their reports. */
  runAllTests(): Promise<RegressionReport[]>;

  /**
   * Runs one test, stores its report and resolves to it. A failing test
   * function yields a failed report with both regression flags and a
   * "Test execution failed: …" difference; it never rejects for that.
   * Rejects with a TypeError when `test` has no `testFunction`.
   */
  runSingleTest(test: RegressionTest): Promise<RegressionReport>;

  /**
   * Returns a copy of the kept reports, oldest first; `limit` keeps the
   * newest `limit` (0 returns none). A negative or fractional limit throws a RangeError.
   */
  getTestReports(limit?: number): RegressionReport[];

  /** Returns the kept reports that did not pass. */
  getFailedTests(): RegressionReport[];

  /** Returns the kept reports with a performance regression. */
  getPerformanceRegressions(): RegressionReport[];

  /** Returns the kept reports with a functional regression. */
  getFunctionalRegressions(): RegressionReport[];

  /** Counts the kept reports. */
  generateSummary(): RegressionSummary;

  /** Drops the kept reports; registered tests stay. */
  clearHistory(): void;

  /** Returns a JSON-serialisable snapshot of tests, reports, summary and the monitor's data. */
  exportData(): RegressionExport;

  /**
   * Adds an alert callback that prints critical alerts with `console.error`
   * and warnings with `console.warn`, once: calling again returns the same
   * callback. `offAlert` removes it.
   */
  setupAutomatedAlerts(): AlertCallback;
}

// ---------------------------------------------------------------------------
// PerformanceMonitoringService
// ---------------------------------------------------------------------------

/** Limits applied to the monitor's five default metrics. */
export interface PerformanceThresholdsConfig {
  /** Limit of `response_time`, in ms. Default 100. */
  responseTime: number;
  /** Limit of `memory_usage`, in MB. Default 50. */
  memoryUsage: number;
  /** Limit of `cpu_usage`, in percent. Default 80. */
  cpuUsage: number;
  /** Limit of `websocket_latency`, in ms. Default 50. */
  websocketLatency: number;
  /** Limit of `webrtc_connection_time`, in ms. Default 2000. */
  webrtcConnectionTime: number;
}

/** The regression rule of the service's monitor, in percent over the baseline mean. */
export interface RegressionThresholdsConfig {
  /** Growth that raises a regression alert. Default 20, at least 0. */
  performanceRegression: number;
  /** The same for memory metrics. Default 30, at least 0. */
  memoryRegression: number;
  /** Growth that makes a regression alert critical. Default 50, at least 0. */
  criticalRegressionThreshold: number;
}

/** The console channel. */
export interface ConsoleAlertingConfig {
  /** Default true. */
  enabled: boolean;
  /**
   * Default `'warn'`. Critical alerts print with `console.error`, warnings
   * with `console.warn`; `'error'` prints critical alerts only. Another value
   * throws a RangeError while the channel is enabled.
   */
  logLevel: 'error' | 'warn' | 'info' | 'debug';
}

/** The file channel: one JSON object per line, rotated by size, written off the JS thread. */
export interface FileAlertingConfig {
  /** Default true. */
  enabled: boolean;
  /** Path of the live log. Default `'./logs/performance-alerts.log'`. */
  logPath: string;
  /** Size in bytes at which the file is rotated to `<logPath>.1`. Default 10 MiB. */
  maxFileSize: number;
  /** Rotated files kept besides the live one. Default 5. */
  maxFiles?: number;
}

/** Retry, timeout and queue options shared by the network channels. All durations are in milliseconds. */
export interface NetworkChannelOptions {
  /** Time limit of one try. Default 5000. */
  timeoutMs?: number;
  /** Tries after the first one. Default 3, at most 1000. */
  retries?: number;
  /** Base of the exponential backoff, with full jitter. Default 500. */
  backoffMs?: number;
  /** Upper bound of one backoff delay. Default 30,000. */
  maxBackoffMs?: number;
  /** Time limit of all tries of one alert, delays included. Default 60,000. */
  deadlineMs?: number;
  /** Upper bound applied to a server's `Retry-After`. Default 60,000. */
  retryAfterCapMs?: number;
  /** Alerts waiting in the channel's queue before new ones are dropped. Default 1000. */
  queueSize?: number;
}

/** The webhook channel: HTTP POST of JSON. */
export interface WebhookAlertingConfig extends NetworkChannelOptions {
  /** The channel runs only when true. */
  enabled: boolean;
  /** Absolute http:// or https:// URL; required when enabled. */
  url: string;
  /** Extra request headers. */
  headers?: Record<string, string | number | boolean>;
  /**
   * Body layout: `'generic'` (default) sends `{ id, type, severity, message,
   * text, alert, timestamp }`, `'slack'` the Slack incoming-webhook layout.
   */
  format?: 'generic' | 'slack';
  /** Token bucket; default 5 messages back to back, then 1 per second. `enabled: false` turns it off. */
  rateLimit?: { enabled?: boolean; perSecond?: number; burst?: number };
  /** Alerts merged into one message at most. Default 100. */
  maxAlertsPerMessage?: number;
}

/** The email channel: SMTP submission. */
export interface EmailAlertingConfig extends NetworkChannelOptions {
  /** The channel runs only when true. */
  enabled: boolean;
  /** SMTP server host name; required when enabled. */
  host: string;
  /** Default 465 when `secure`, else 587. */
  port?: number;
  /** Implicit TLS from the first byte. Default false. */
  secure?: boolean;
  /** STARTTLS when not `secure`. Default `'required'`; `'never'` is for trusted local relays only. */
  starttls?: 'required' | 'opportunistic' | 'never';
  /** Require a server certificate that chains to a trusted root. Default true. */
  rejectUnauthorized?: boolean;
  /** SMTP credentials. */
  auth?: { user: string; pass: string };
  /** Sender address; required when enabled. */
  from: string;
  /** One or more recipient addresses; at least one is required when enabled. */
  to: string | string[];
  /** Subject prefix. Default `'[perf-sentinel]'`. */
  subjectPrefix?: string;
}

/** The Prometheus Alertmanager channel: `POST {url}/api/v2/alerts`. */
export interface AlertmanagerAlertingConfig extends NetworkChannelOptions {
  /** The channel runs only when true. */
  enabled: boolean;
  /** Base URL of Alertmanager; required when enabled. */
  url: string;
  /** `instance` label. Default the host name. */
  instance?: string;
  /** Extra labels. */
  labels?: Record<string, string | number | boolean>;
  /** Extra annotations. */
  annotations?: Record<string, string | number | boolean>;
  /** `endsAt` is the send time plus this, in ms. Default 300,000. */
  resolveTimeoutMs?: number;
}

/** Alert channels of the service. */
export interface AlertingConfig {
  /** Console output on the JS thread. */
  console: ConsoleAlertingConfig;
  /** Alert log file. */
  file: FileAlertingConfig;
  /** Off unless given with `enabled: true`. */
  webhook?: WebhookAlertingConfig;
  /** Off unless given with `enabled: true`. */
  email?: EmailAlertingConfig;
  /** Off unless given with `enabled: true`. */
  alertmanager?: AlertmanagerAlertingConfig;
}

/** Timing of the service. */
export interface MonitoringConfig {
  /** When false, `start()` does nothing. Default true. */
  enabled: boolean;
  /** Samples older than this many days are dropped by the periodic task. Default 7. */
  metricsRetentionDays: number;
  /** Period of the periodic task, in ms. Default 60,000, at least 1. */
  baselineUpdateInterval: number;
  /** An alert with the same `metricName + '_' + type` as one routed less than this many ms ago is dropped. Default 300,000. */
  alertCooldownPeriod: number;
  /** Maximum wait of `stop()` and `cleanup()` for alert delivery, in ms. Default 30,000. */
  shutdownTimeoutMs: number;
  /**
   * Record runtime metrics on every periodic run while started:
   * `event_loop_delay_p50` and `event_loop_delay_p99` (ms),
   * `event_loop_utilization` (ratio), `heap_used` and `rss` (bytes) and
   * `cpu_usage` (% of one core). Default false.
   */
  runtimeMetrics: boolean;
  /**
   * Regression detection of the service's monitor: 'classic' (default, the
   * original rule) or 'robust'. Fixed when the service is created.
   */
  detection: DetectionMethod;
}

/** The whole service configuration, as `getConfiguration()` returns it. */
export interface PerformanceMonitoringConfig {
  /** Limits of the five default metrics. */
  performanceThresholds: PerformanceThresholdsConfig;
  /** The regression rule. */
  regressionThresholds: RegressionThresholdsConfig;
  /** Alert channels. */
  alerting: AlertingConfig;
  /** Timing. */
  monitoring: MonitoringConfig;
}

/**
 * Configuration input, in which every section and field is optional. Each
 * section given replaces the keys it names and keeps the others. Each
 * alerting channel is merged one level further, so `{ file: { enabled:
 * false } }` keeps the default path.
 */
export interface PerformanceMonitoringConfigInput {
  /** Merged over the current thresholds. */
  performanceThresholds?: Partial<PerformanceThresholdsConfig>;
  /** Merged over the current regression thresholds. */
  regressionThresholds?: Partial<RegressionThresholdsConfig>;
  /** Each channel merged over the current channel settings. */
  alerting?: {
    console?: Partial<ConsoleAlertingConfig>;
    file?: Partial<FileAlertingConfig>;
    webhook?: Partial<WebhookAlertingConfig>;
    email?: Partial<EmailAlertingConfig>;
    alertmanager?: Partial<AlertmanagerAlertingConfig>;
  };
  /** Merged over the current timing. */
  monitoring?: Partial<MonitoringConfig>;
}

/**
 * Delivery figures of one native channel. `sent`, `failed`, `dropped`,
 * `queued` and `inFlight` count alerts; `attempts` and `retried` count tries.
 */
export interface DeliveryStats {
  /** The channel. */
  channel: DeliveryChannelName;
  /** Alerts delivered. */
  sent: number;
  /** Tries that were scheduled again after a failure. */
  retried: number;
  /** Alerts the channel gave up on. */
  failed: number;
  /** Alerts never tried: queue full, invalid, or dispatcher closed. */
  dropped: number;
  /** Alerts waiting in the queue. */
  queued: number;
  /** Alerts taken from the queue whose delivery has not ended. */
  inFlight: number;
  /** Tries made. */
  attempts: number;
}

/** Counters of the service itself. */
export interface ServiceStats {
  /** Alerts dropped by the cooldown. */
  suppressed: number;
  /** `recordMetric` calls whose arguments were rejected. */
  rejectedMetrics: number;
  /** Exceptions thrown by monitor listeners during `recordMetric`. */
  listenerErrors: number;
  /** Alerts handed to the channels. */
  routed: number;
  /** Samples dropped by the retention period. */
  prunedSamples: number;
  /** Alerts whose delivery has not settled. */
  pendingDeliveries: number;
}

/** Whether the runtime provides one runtime measurement. */
export interface RuntimeMetricAvailability {
  /** False when the measurement is never recorded on this runtime. */
  available: boolean;
  /** Reason it is unavailable. */
  reason?: string;
}

/** Returned by `PerformanceMonitoringService.getRuntimeMetricsAvailability()`. */
export interface RuntimeMetricsAvailability {
  /** `event_loop_delay_p50` and `event_loop_delay_p99`. */
  eventLoopDelay: RuntimeMetricAvailability;
  /** `event_loop_utilization`; unavailable under Bun 1.4, which reports no event loop activity. */
  eventLoopUtilization: RuntimeMetricAvailability;
  /** `heap_used`. */
  heapUsed: RuntimeMetricAvailability;
  /** `rss`. */
  rss: RuntimeMetricAvailability;
  /** `cpu_usage`. */
  cpuUsage: RuntimeMetricAvailability;
}

/** Returned by `PerformanceMonitoringService.generateReport()`. */
export interface PerformanceReport {
  /** Epoch milliseconds of the report. */
  timestamp: number;
  /** Counts. */
  summary: {
    /** Stored samples. */
    totalMetrics: number;
    /** Enabled thresholds. */
    activeThresholds: number;
    /** Alerts of the last 24 hours. */
    recentAlerts: number;
    /** Kept regression test reports. */
    regressionTests: number;
    /** Reports with both performance and functional regressions. */
    criticalIssues: number;
  };
  /** The newest 50 samples of three default metrics. */
  metrics: {
    /** `response_time`. */
    responseTime: PerformanceMetric[];
    /** `memory_usage`. */
    memoryUsage: PerformanceMetric[];
    /** `webrtc_connection_time`. */
    webrtcLatency: PerformanceMetric[];
  };
  /** The detector's newest 10 reports. */
  regressions: RegressionReport[];
  /** The newest 20 alerts of the monitor. */
  alerts: RegressionAlert[];
  /** Sentences about regressions, critical issues, slowdowns and memory growth. */
  recommendations: string[];
}

/**
 * Runs a monitor, a regression detector and a test harness together and
 * routes every alert through a cooldown to the console and to the native
 * delivery channels (file, webhook, email, Alertmanager), which run on Rust
 * threads.
 *
 * The constructor throws a TypeError or RangeError naming the invalid
 * configuration key, the options of the enabled delivery channels included
 * (a webhook without `url`, say). Events: see
 * `PerformanceMonitoringServiceEvents`.
 */
export declare class PerformanceMonitoringService extends EventEmitter {
  constructor(config?: PerformanceMonitoringConfigInput | null);

  /** True between `start()` and `stop()`. */
  readonly isRunning: boolean;

  /**
   * Starts the periodic task (every `monitoring.baselineUpdateInterval` ms)
   * and emits 'started'. When already running, prints a warning with
   * `console.warn` and does nothing; when `monitoring.enabled` is false,
   * does nothing. Works when detached from the instance. A started service
   * keeps the process alive until `stop()`.
   */
  start(): void;

  /**
   * Stops the periodic task (emitting 'stopped' when it ran) and waits until
   * the alerts already handed to the channels are delivered or
   * `monitoring.shutdownTimeoutMs` passes. Resolves to true when every queue
   * drained. Works when detached from the instance.
   */
  stop(): Promise<boolean>;

  /**
   * Records a metric on the monitor. Invalid arguments do not throw: they
   * are counted and emitted as 'metricRejected'. An exception from a monitor
   * listener does not throw either: it is counted and emitted as 'error'
   * when someone listens, else reported with `process.emitWarning` once per
   * distinct message. Only an exception thrown by a 'metricRejected' or
   * 'error' listener itself reaches the caller.
   */
  recordMetric(name: string, value: number, unit?: string | null, context?: MetricContext | null): void;

  /** Returns per-channel delivery figures; empty before the first alert. */
  getDeliveryStats(): DeliveryStats[];

  /** Returns counters of the service itself. */
  getServiceStats(): ServiceStats;

  /**
   * Returns which runtime measurements this runtime provides; null until
   * the service started with `monitoring.runtimeMetrics`.
   */
  getRuntimeMetricsAvailability(): RuntimeMetricsAvailability | null;

  /** Builds a report of metrics, alerts, regression tests and recommendations. */
  generateReport(): PerformanceReport;

  /** Returns the service's monitor. */
  getPerformanceMonitor(): PerformanceMonitor;

  /** Returns the service's regression detector. */
  getRegressionDetector(): RegressionDetector;

  /** Returns the service's test harness. */
  getTestHarness(): ParallelTestHarness;

  /** Returns a deep copy of the configuration in force. */
  getConfiguration(): PerformanceMonitoringConfig;

  /**
   * Merges `config` over the configuration in force, re-applies thresholds
   * and regression rule, reconnects the delivery channels when `alerting`
   * changed and restarts the periodic task when its interval changed.
   * Throws like the constructor, and then keeps the configuration in force.
   */
  updateConfiguration(config: PerformanceMonitoringConfigInput): void;

  /**
   * Stops the service, waits for alert delivery (at most
   * `monitoring.shutdownTimeoutMs`), closes the delivery threads, clears
   * metrics, test results and reports, and removes every listener. Resolves
   * to true when every queue drained.
   */
  cleanup(): Promise<boolean>;

  /** Adds a listener for a service event. */
  on<K extends keyof PerformanceMonitoringServiceEvents>(event: K, listener: PerformanceMonitoringServiceEvents[K]): this;
  /** Adds a listener for any other event. */
  on<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitoringServiceEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Adds a one-time listener for a service event. */
  once<K extends keyof PerformanceMonitoringServiceEvents>(
    event: K,
    listener: PerformanceMonitoringServiceEvents[K],
  ): this;
  /** Adds a one-time listener for any other event. */
  once<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitoringServiceEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Removes a listener of a service event. */
  off<K extends keyof PerformanceMonitoringServiceEvents>(
    event: K,
    listener: PerformanceMonitoringServiceEvents[K],
  ): this;
  /** Removes a listener of any other event. */
  off<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitoringServiceEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Adds a listener for a service event (alias of `on`). */
  addListener<K extends keyof PerformanceMonitoringServiceEvents>(
    event: K,
    listener: PerformanceMonitoringServiceEvents[K],
  ): this;
  /** Adds a listener for any other event (alias of `on`). */
  addListener<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitoringServiceEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Removes a listener of a service event (alias of `off`). */
  removeListener<K extends keyof PerformanceMonitoringServiceEvents>(
    event: K,
    listener: PerformanceMonitoringServiceEvents[K],
  ): this;
  /** Removes a listener of any other event (alias of `off`). */
  removeListener<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitoringServiceEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Adds a listener for a service event at the front of the listener list. */
  prependListener<K extends keyof PerformanceMonitoringServiceEvents>(
    event: K,
    listener: PerformanceMonitoringServiceEvents[K],
  ): this;
  /** Adds a listener for any other event at the front of the listener list. */
  prependListener<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitoringServiceEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Adds a one-time listener for a service event at the front of the listener list. */
  prependOnceListener<K extends keyof PerformanceMonitoringServiceEvents>(
    event: K,
    listener: PerformanceMonitoringServiceEvents[K],
  ): this;
  /** Adds a one-time listener for any other event at the front of the listener list. */
  prependOnceListener<E extends string | symbol>(
    event: OtherEvent<PerformanceMonitoringServiceEvents, E>,
    listener: (...args: any[]) => void,
  ): this;
  /** Calls the listeners of a service event synchronously; returns whether there were any. */
  emit<K extends keyof PerformanceMonitoringServiceEvents>(
    event: K,
    ...args: Parameters<PerformanceMonitoringServiceEvents[K]>
  ): boolean;
  /** Calls the listeners of any other event synchronously; returns whether there were any. */
  emit<E extends string | symbol>(event: OtherEvent<PerformanceMonitoringServiceEvents, E>, ...args: any[]): boolean;
}

// ---------------------------------------------------------------------------
// Middleware and setup helpers
// ---------------------------------------------------------------------------

/** The request fields `httpMiddleware` reads (an Express or `node:http` request). */
export interface MiddlewareRequest {
  /** HTTP method, recorded in the context. */
  method?: string;
  /** Mount path of the Express router, prefixed to `route.path`. */
  baseUrl?: string;
  /** The matched Express route; without it, `path` is recorded as `'<unmatched>'`. */
  route?: { path?: unknown };
}

/** The response fields `httpMiddleware` uses (an Express or `node:http` response). */
export interface MiddlewareResponse {
  /** Status code, recorded in the context. */
  statusCode: number;
  /** True once the response finished; a 'close' before that marks the request `aborted`. */
  writableFinished?: boolean;
  /** Used to listen for 'finish' and 'close'. */
  on(event: 'finish' | 'close', listener: () => void): unknown;
  /** Used to stop listening once recorded. */
  removeListener(event: 'finish' | 'close', listener: () => void): unknown;
}

/** The socket fields `socketMiddleware` uses (a Socket.IO server socket). */
export interface MiddlewareSocket {
  /** Socket id, recorded in the context. */
  id?: string;
  /** Wrapped once to time each call. */
  emit(event: string, ...args: any[]): any;
}

/** The two middleware functions returned by `createPerformanceMiddleware`. */
export interface PerformanceMiddleware {
  /**
   * Express middleware: records `http_response_time` (ms) with `{ method,
   * path, statusCode }` once per request when the response finishes, or with
   * `aborted: true` when the client went away first. `path` is the route
   * pattern (`req.baseUrl + req.route.path`), never the raw URL. Calls
   * `next()`. A request object it cannot watch, or a failure to record, is
   * not thrown into the request: the request goes on, and a recording
   * failure is reported once with `process.emitWarning`.
   */
  httpMiddleware(req: MiddlewareRequest, res: MiddlewareResponse, next?: (error?: unknown) => void): void;
  /**
   * Socket.IO middleware (`io.use(...)`): wraps `socket.emit` once and
   * records `websocket_emit_time` (ms) with `{ event, socketId }` after each
   * emit. The time covers the synchronous part of `emit`, not delivery.
   * Calls `next()`.
   */
  socketMiddleware(socket: MiddlewareSocket, next?: (error?: Error) => void): void;
}

/**
 * Creates HTTP and Socket.IO middleware that record timings on `service`.
 * A failure to record is reported once with `process.emitWarning`. Throws a
 * TypeError when `service` has no `recordMetric` method.
 */
export declare function createPerformanceMiddleware(service: PerformanceMonitoringService | MetricRecorder): PerformanceMiddleware;

/** The Content-Type of the Prometheus text exposition format 0.0.4. */
export declare const PROMETHEUS_CONTENT_TYPE: 'text/plain; version=0.0.4; charset=utf-8';

/** The response fields a metrics handler uses (an Express or `node:http` response). */
export interface MetricsResponse {
  /** Set to 200, or 500 when the exposition failed and there is no `next`. */
  statusCode: number;
  /** Sets Content-Type and Cache-Control. */
  setHeader(name: string, value: string): unknown;
  /** Sends the body. */
  end(body: string): unknown;
}

/**
 * A request handler for Express (`app.get('/metrics', handler)`) or
 * `node:http`. A failure goes to `next(error)` when there is one, else it
 * becomes a 500 response. The promise never rejects.
 */
export type MetricsHandler = (request: unknown, response: MetricsResponse, next?: (error: unknown) => void) => Promise<void>;

/**
 * Returns a handler that serves `monitor.metricsText(options)` of a monitor,
 * or of a service's monitor, with `PROMETHEUS_CONTENT_TYPE`. Throws a
 * TypeError for another source and a RangeError for an invalid prefix, at
 * creation rather than on the first scrape.
 */
export declare function createMetricsHandler(
  monitorOrService: PerformanceMonitor | { getPerformanceMonitor(): PerformanceMonitor },
  options?: MetricsTextOptions | null,
): MetricsHandler;

/** Options of `renderHtmlReport`. */
export interface HtmlReportOptions {
  /** Page title. Default `'perf-sentinel report'`. */
  title?: string;
  /** Generation time shown in the header, in epoch ms. Default `Date.now()`. */
  now?: number;
  /** Points drawn per chart, at least 2; more samples are reduced to each bucket's minimum and maximum. Default 600. */
  maxPoints?: number;
  /** Newest implementation comparisons listed, at least 0. Default 200. */
  maxComparisons?: number;
}

/**
 * Returns one self-contained HTML page: summary cards, an SVG chart per
 * metric (values over time, threshold line, p50–p95 band, p95 line, alert
 * markers), the alerts, and the implementation comparisons of the service's
 * harness. The page has no scripts, loads nothing from elsewhere, and all
 * text in it is escaped. Throws a TypeError or RangeError for invalid options.
 */
export declare function renderHtmlReport(
  source: PerformanceMonitoringService | PerformanceMonitor,
  options?: HtmlReportOptions | null,
): string;

/** Options of `setupMigrationPerformanceMonitoring`. */
export interface MigrationMonitoringConfig {
  /** `monitoring.enabled` of the service. Default true. */
  enableRealTimeMonitoring?: boolean;
  /** Register the four migration regression tests. Default true. */
  enableRegressionTesting?: boolean;
  /** Print critical alerts as a multi-line report on stderr and warnings as one line. Default true. */
  enableAutomatedAlerts?: boolean;
  /** Accepted for compatibility and not read. */
  testDataPath?: string | null;
  /** Adds an enabled webhook channel when a non-empty string. */
  alertWebhookUrl?: string | null;
  /** Alert log path. Default `'./logs/migration-performance.log'`. */
  logPath?: string | null;
}

/**
 * Creates a service configured for a handler migration: default thresholds,
 * regression thresholds 15 / 25 / 40 %, console (warn) and file alerting,
 * an optional webhook, 7 days retention, a 60 s periodic task and a 5 min
 * cooldown. With regression testing, registers `room_creation_performance`,
 * `voice_connection_performance`, `member_management_performance` and
 * `audio_routing_performance`, which drive the service's harness on
 * `handleCreateRoom`, `handleJoinVoice`, `handleJoinRoom` and
 * `handleUpdateSynthParams` (limits 50, 100, 75 and 25 ms). Does not start
 * the service. Throws a TypeError for a flag that is not a boolean or a path
 * that is not a string.
 */
export declare function setupMigrationPerformanceMonitoring(
  config?: MigrationMonitoringConfig | null,
): PerformanceMonitoringService;

/** Resolved value of `runMigrationRegressionTests`. */
export interface MigrationTestRun {
  /** One report per enabled test, in registration order. */
  reports: RegressionReport[];
  /** The detector's summary after the run. */
  summary: RegressionSummary;
  /** The service report's recommendations. */
  recommendations: string[];
}

/**
 * Runs the detector's enabled tests and prints a summary, the failed tests
 * and the recommendations with `console.log`. Rejects with a TypeError when
 * `service` is not a PerformanceMonitoringService.
 */
export declare function runMigrationRegressionTests(service: PerformanceMonitoringService): Promise<MigrationTestRun>;

/**
 * Creates a migration service (as `setupMigrationPerformanceMonitoring`),
 * installs it as `globalMonitoringService`, starts it and returns it. The
 * previous global service is cleaned up in the background. An invalid
 * `config` throws and leaves the previous service in place.
 */
export declare function initializeGlobalMonitoring(config?: MigrationMonitoringConfig | null): PerformanceMonitoringService;

/**
 * Cleans up the global service and sets `globalMonitoringService` to null.
 * Resolves when its alert delivery, and that of services replaced earlier,
 * has drained. Never rejects; a failed cleanup is reported with `process.emitWarning`.
 */
export declare function cleanupGlobalMonitoring(): Promise<void>;

/**
 * The service installed by `initializeGlobalMonitoring`, or null before it
 * and after `cleanupGlobalMonitoring`. A live binding: reading it through
 * the module always gives the current service.
 */
export declare let globalMonitoringService: PerformanceMonitoringService | null;

/** Environment a baseline was measured in. */
export interface BaselineEnvironment {
  runtime: 'node' | 'bun';
  runtimeVersion: string;
  platform: string;
  arch: string;
  /** `os.cpus()[0].model`, or 'unknown'. */
  cpuModel: string;
  packageVersion: string;
}

/** Metadata at the top of a baseline file. */
export interface BaselineMetadata extends BaselineEnvironment {
  format: 'perf-sentinel-baseline';
  version: 1;
  /** Epoch ms. */
  savedAt: number;
}

/** A field where a baseline's environment differs from this process's. */
export interface EnvironmentMismatch {
  field: 'runtime' | 'runtimeMajorVersion' | 'cpuModel';
  saved: string | number | null;
  current: string | number | null;
}

/** Result of `loadBaseline`. */
export interface LoadedBaseline extends BaselineMetadata {
  mismatchedEnvironment: EnvironmentMismatch[];
  /** Metric names loaded from the file, sorted. */
  metricNames: string[];
}

/**
 * Writes `monitor.exportMetrics()` with BaselineMetadata to `path`
 * atomically (temporary file, fsync, rename). Resolves to the metadata.
 */
export declare function saveBaseline(monitor: PerformanceMonitor, path: string): Promise<BaselineMetadata>;

/**
 * Merges the samples of a baseline file into `monitor` (baselines are
 * recomputed) and keeps its thresholds and alerts; `thresholds: true` also
 * applies the file's thresholds. Emits a warning with code
 * PERF_SENTINEL_BASELINE_ENVIRONMENT when the runtime, its major version
 * or the CPU model differ, unless `warn` is false. Rejects with a TypeError
 * (code PERF_SENTINEL_BASELINE_INVALID) for a file of another format or a
 * newer version.
 */
export declare function loadBaseline(
  monitor: PerformanceMonitor,
  path: string,
  options?: { thresholds?: boolean; warn?: boolean },
): Promise<LoadedBaseline>;

/** Reads and checks a baseline file without a monitor. */
export declare function readBaselineFile(path: string): Promise<{
  metadata: BaselineMetadata;
  data: MetricsExport;
  mismatchedEnvironment: EnvironmentMismatch[];
}>;

/** Returns the environment this process measures in. */
export declare function describeEnvironment(): BaselineEnvironment;
