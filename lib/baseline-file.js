'use strict';

// Baselines across deploys: a monitor's export saved to a file with the
// environment it was measured in, and loaded into the next version's monitor
// so that its metrics are judged against the previous version's samples.

const fs = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');

const { describe } = require('./validate');
const { version: packageVersion } = require('../package.json');

const FORMAT = 'perf-sentinel-baseline';
const VERSION = 1;
/** Environment fields whose difference makes saved timings a poor baseline. */
const COMPARED_FIELDS = ['runtime', 'runtimeMajorVersion', 'cpuModel'];

/**
 * Returns the environment this process measures in: `{ runtime: 'node' |
 * 'bun', runtimeVersion, platform, arch, cpuModel, packageVersion }`.
 * `cpuModel` is the first CPU's model name, or 'unknown' when the system
 * reports no CPUs.
 */
function describeEnvironment() {
  const bunVersion = process.versions.bun;
  const cpus = os.cpus();
  return {
    runtime: bunVersion ? 'bun' : 'node',
    runtimeVersion: bunVersion ?? process.versions.node,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus.length > 0 && cpus[0].model ? cpus[0].model.trim() : 'unknown',
    packageVersion,
  };
}

/**
 * Writes `monitor.exportMetrics()` to `filePath` with the metadata
 * `{ format: 'perf-sentinel-baseline', version: 1, savedAt, runtime,
 * runtimeVersion, platform, arch, cpuModel, packageVersion }`; the export is
 * under `data`. The file is written to a temporary file in the same
 * directory, flushed to disk and renamed over `filePath`, so a reader sees
 * the old file or the new one, never a partial one.
 *
 * @returns {Promise<object>} the metadata written
 */
async function saveBaseline(monitor, filePath) {
  requireMonitor('saveBaseline', monitor, 'exportMetrics');
  requirePath('saveBaseline', filePath);

  const metadata = { format: FORMAT, version: VERSION, savedAt: Date.now(), ...describeEnvironment() };
  const text = JSON.stringify({ ...metadata, data: monitor.exportMetrics() });
  await writeAtomically(filePath, text);
  return metadata;
}

async function writeAtomically(filePath, text) {
  const directory = path.dirname(path.resolve(filePath));
  const temporary = path.join(directory, `.${path.basename(filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await fs.open(temporary, 'wx', 0o644);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temporary, filePath);
  } catch (error) {
    if (handle) await handle.close().catch(() => {});
    await fs.rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * Reads and checks a baseline file without touching a monitor. Returns
 * `{ metadata, data, mismatchedEnvironment }`: the saved metadata, the
 * monitor export and the list of `{ field, saved, current }` for runtime,
 * runtime major version and CPU model where the file differs from this
 * process. Throws a TypeError with code PERF_SENTINEL_BASELINE_INVALID for a
 * file that is not JSON, not a baseline file or of a newer format version.
 */
async function readBaselineFile(filePath) {
  requirePath('readBaselineFile', filePath);
  const text = await fs.readFile(filePath, 'utf8');

  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidFile(filePath, `it is not valid JSON (${error.message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidFile(filePath, 'it is not a JSON object');
  }
  if (parsed.format !== FORMAT) {
    throw invalidFile(filePath, `its format is ${describe(parsed.format)}, expected "${FORMAT}"`);
  }
  if (parsed.version !== VERSION) {
    throw invalidFile(filePath, `its version is ${describe(parsed.version)}; this perf-sentinel reads version ${VERSION}`);
  }
  if (parsed.data === null || typeof parsed.data !== 'object' || Array.isArray(parsed.data)) {
    throw invalidFile(filePath, 'its data section is missing');
  }

  const { data, ...metadata } = parsed;
  return { metadata, data, mismatchedEnvironment: compareEnvironment(metadata, describeEnvironment()) };
}

/**
 * Loads a file written by saveBaseline into `monitor`, so that new
 * measurements are judged against the saved version's baselines. The saved
 * samples are merged with the monitor's own samples of the same name in
 * timestamp order, the monitor keeps the newest up to its sample limit, and
 * baselines are recomputed.
 * The monitor's thresholds and alerts stay; `options.thresholds: true` also
 * applies the file's thresholds.
 *
 * When the runtime, its major version or the CPU model differ from the
 * file's, it emits a warning with code PERF_SENTINEL_BASELINE_ENVIRONMENT
 * (unless `options.warn` is false), because timings from another machine or
 * runtime are a poor baseline.
 *
 * @param {{ thresholds?: boolean, warn?: boolean }} [options]
 * @returns {Promise<object>} the file's metadata plus `mismatchedEnvironment`
 *   (a list of `{ field, saved, current }`) and `metricNames` (the names loaded)
 */
async function loadBaseline(monitor, filePath, options = {}) {
  requireMonitor('loadBaseline', monitor, 'importMetrics');
  requireMonitor('loadBaseline', monitor, 'exportMetrics');
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`loadBaseline: options must be an object, received ${describe(options)}`);
  }
  const { metadata, data, mismatchedEnvironment } = await readBaselineFile(filePath);

  const current = monitor.exportMetrics();
  const saved = data.metrics && typeof data.metrics === 'object' ? data.metrics : {};
  const thresholds = options.thresholds === true ? { ...current.thresholds, ...data.thresholds } : current.thresholds;
  monitor.importMetrics({
    metrics: mergeSamples(saved, current.metrics ?? {}),
    alerts: current.alerts ?? [],
    thresholds: thresholds ?? {},
  });

  if (mismatchedEnvironment.length > 0 && options.warn !== false) {
    const differences = mismatchedEnvironment.map(({ field, saved: was, current: now }) => `${field} ${was} -> ${now}`);
    process.emitWarning(
      `Baseline ${filePath} was measured in another environment (${differences.join(', ')}), so timings may differ for reasons other than the code`,
      { type: 'PerformanceBaselineWarning', code: 'PERF_SENTINEL_BASELINE_ENVIRONMENT' },
    );
  }
  return { ...metadata, mismatchedEnvironment, metricNames: Object.keys(saved).sort() };
}

/** Concatenates saved and current samples per name, ordered by timestamp (stable). */
function mergeSamples(saved, current) {
  const merged = {};
  for (const [name, samples] of Object.entries(saved)) {
    if (!Array.isArray(samples)) throw new TypeError(`loadBaseline: metric ${describe(name)} must be an array of samples`);
    merged[name] = samples.slice();
  }
  for (const [name, samples] of Object.entries(current)) {
    merged[name] = (merged[name] ?? []).concat(samples);
  }
  for (const samples of Object.values(merged)) samples.sort((a, b) => a.timestamp - b.timestamp);
  return merged;
}

function compareEnvironment(saved, current) {
  const view = (environment) => ({
    runtime: environment.runtime,
    runtimeMajorVersion: majorVersion(environment.runtimeVersion),
    cpuModel: environment.cpuModel,
  });
  const before = view(saved);
  const now = view(current);
  return COMPARED_FIELDS.filter((field) => before[field] !== now[field]).map((field) => ({
    field,
    saved: before[field],
    current: now[field],
  }));
}

function majorVersion(version) {
  const match = /^v?(\d+)/.exec(String(version ?? ''));
  return match ? Number(match[1]) : null;
}

function invalidFile(filePath, reason) {
  const error = new TypeError(`${filePath} is not a readable perf-sentinel baseline: ${reason}`);
  error.code = 'PERF_SENTINEL_BASELINE_INVALID';
  return error;
}

function requireMonitor(method, monitor, needed) {
  if (monitor === null || typeof monitor !== 'object' || typeof monitor[needed] !== 'function') {
    throw new TypeError(`${method}: monitor must be a PerformanceMonitor (with ${needed}), received ${describe(monitor)}`);
  }
}

function requirePath(method, filePath) {
  if (typeof filePath !== 'string' || filePath === '') {
    throw new TypeError(`${method}: path must be a non-empty string, received ${describe(filePath)}`);
  }
}

module.exports = { saveBaseline, loadBaseline, readBaselineFile, describeEnvironment, BASELINE_FORMAT: FORMAT, BASELINE_VERSION: VERSION };
