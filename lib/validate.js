'use strict';

// Argument checks shared by the public classes. Each error names the method,
// the argument and the value received.

function describe(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function requireName(method, name, argument = 'name') {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`${method}: ${argument} must be a non-empty string, received ${describe(name)}`);
  }
}

/** Largest magnitude a sample may have; the native core enforces the same bound. */
const MAX_ABS_VALUE = 1e150;

/** Checks a sample value: a number, finite and within ±1e150. */
function requireSampleValue(method, value) {
  requireFiniteNumber(method, value);
  if (Math.abs(value) > MAX_ABS_VALUE) {
    throw new RangeError(`${method}: value must be within ±1e150, received ${value}`);
  }
}

function requireFiniteNumber(method, value, argument = 'value') {
  if (typeof value !== 'number') {
    throw new TypeError(`${method}: ${argument} must be a number, received ${describe(value)}`);
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(`${method}: ${argument} must be a finite number, received ${value}`);
  }
}

/** Returns the unit as a string; undefined and null become ''. */
function normalizeUnit(method, unit) {
  if (unit === undefined || unit === null) return '';
  if (typeof unit !== 'string') {
    throw new TypeError(`${method}: unit must be a string, received ${describe(unit)}`);
  }
  return unit;
}

/**
 * Returns the context as JSON text, or undefined when there is none.
 * Contexts must be objects (arrays included) that JSON.stringify accepts.
 */
function serializeContext(method, context) {
  if (context === undefined || context === null) return undefined;
  if (typeof context !== 'object') {
    throw new TypeError(`${method}: context must be an object, received ${describe(context)}`);
  }
  try {
    return JSON.stringify(context);
  } catch (error) {
    throw new TypeError(`${method}: context must be JSON-serialisable (${error.message})`);
  }
}

/**
 * Returns a limit as a non-negative integer, or undefined for "no limit".
 * undefined, null and 0 mean no limit, as in the TypeScript original.
 */
function normalizeLimit(method, limit) {
  if (limit === undefined || limit === null || limit === 0) return undefined;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`${method}: limit must be a non-negative integer, received ${describe(limit)}`);
  }
  return Math.min(limit, 0xffffffff);
}

module.exports = { MAX_ABS_VALUE, describe, requireName, requireFiniteNumber, requireSampleValue, normalizeUnit, serializeContext, normalizeLimit };
