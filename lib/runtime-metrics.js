'use strict';

// Opt-in runtime metrics for the service: event loop delay, event loop
// utilisation, heap, RSS and CPU. A measurement the runtime cannot provide
// is reported as unavailable and never recorded as zeros.

const { performance } = require('node:perf_hooks');

/** Period of the timer whose lateness measures event loop delay, in ms. */
const DELAY_PROBE_MS = 20;
/** Delay samples kept between two reads; older ones are dropped. */
const MAX_DELAY_SAMPLES = 10000;

function percentile(sorted, q) {
  if (sorted.length === 0) return undefined;
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/**
 * Samples the runtime between two calls of `sample()`. Event loop delay is
 * how late a repeating 20 ms timer fires, measured the same way on Node and
 * Bun. The timer is unref'd, so it never keeps the process alive.
 */
class RuntimeSampler {
  constructor() {
    this._delays = [];
    this._timer = null;
    this._expectedAt = 0;
    this._cpu = process.cpuUsage();
    this._wallMs = performance.now();
    this._elu = typeof performance.eventLoopUtilization === 'function' ? performance.eventLoopUtilization() : null;
    this.availability = {
      eventLoopDelay: { available: true },
      eventLoopUtilization: this._elu === null
        ? { available: false, reason: 'performance.eventLoopUtilization is missing in this runtime' }
        : { available: true },
      heapUsed: { available: true },
      rss: { available: true },
      cpuUsage: { available: typeof process.cpuUsage === 'function' },
    };
  }

  start() {
    if (this._timer !== null) return;
    const probe = () => {
      const now = performance.now();
      this._delays.push(Math.max(0, now - this._expectedAt));
      if (this._delays.length > MAX_DELAY_SAMPLES) this._delays.shift();
      this._expectedAt = now + DELAY_PROBE_MS;
      this._timer = setTimeout(probe, DELAY_PROBE_MS);
      this._timer.unref?.();
    };
    this._expectedAt = performance.now() + DELAY_PROBE_MS;
    this._timer = setTimeout(probe, DELAY_PROBE_MS);
    this._timer.unref?.();
  }

  stop() {
    if (this._timer !== null) clearTimeout(this._timer);
    this._timer = null;
  }

  /** Returns `[{ name, value, unit }]` for every available measurement since the previous call. */
  sample() {
    const samples = [];

    const delays = this._delays.sort((a, b) => a - b);
    this._delays = [];
    if (delays.length > 0) {
      samples.push({ name: 'event_loop_delay_p50', value: percentile(delays, 0.5), unit: 'ms' });
      samples.push({ name: 'event_loop_delay_p99', value: percentile(delays, 0.99), unit: 'ms' });
    }

    if (this._elu !== null) {
      const current = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(current, this._elu);
      this._elu = current;
      // Bun 1.4 returns idle = active = 0: a runtime without the measurement, not an idle loop.
      if (delta.idle === 0 && delta.active === 0) {
        this.availability.eventLoopUtilization = {
          available: false,
          reason: 'the runtime reports no event loop activity (idle and active are both 0)',
        };
      } else if (this.availability.eventLoopUtilization.available) {
        samples.push({ name: 'event_loop_utilization', value: delta.utilization, unit: 'ratio' });
      }
    }

    const memory = process.memoryUsage();
    samples.push({ name: 'heap_used', value: memory.heapUsed, unit: 'bytes' });
    samples.push({ name: 'rss', value: memory.rss, unit: 'bytes' });

    if (this.availability.cpuUsage.available) {
      const cpu = process.cpuUsage(this._cpu);
      const wallMs = performance.now();
      const elapsedMicros = (wallMs - this._wallMs) * 1000;
      this._cpu = process.cpuUsage();
      this._wallMs = wallMs;
      if (elapsedMicros > 0) {
        // Per cent of one core, so a busy single-threaded server reads 100.
        samples.push({ name: 'cpu_usage', value: ((cpu.user + cpu.system) / elapsedMicros) * 100, unit: '%' });
      }
    }
    return samples;
  }
}

module.exports = { RuntimeSampler, DELAY_PROBE_MS };
