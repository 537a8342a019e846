'use strict';

/**
 * Deep structural equality for the results of two implementations.
 *
 * `deepCompare(left, right)` returns `{ equal: true, path: null }` or
 * `{ equal: false, path, reason }`, where `path` names the first difference
 * (`<root>`, `[1].a`, `.user.name`, `.get("room-1")`, `["odd key"]`).
 *
 * Rules:
 * - Primitives compare by SameValueZero: NaN equals NaN, and 0 equals -0
 *   (the TypeScript original compared with `===`, which also treats 0 and -0
 *   as equal). The same rule applies inside typed arrays, Map keys and Set
 *   members.
 * - Both sides must have the same kind and the same prototype, so a class
 *   instance never equals a plain object with the same own properties, and a
 *   Buffer never equals a Uint8Array.
 * - Plain objects, class instances and errors compare their own enumerable
 *   properties, string keys and symbol keys alike. A key must be present on
 *   both sides: `{ a: undefined }` does not equal `{}`. Non-enumerable
 *   properties and private fields (`#x`) are not compared.
 * - Arrays compare length and every index, and an empty slot differs from
 *   `undefined`. Non-index properties on arrays are ignored.
 * - Errors also compare `name` and `message` (not `stack`).
 * - Dates compare by time value, so two invalid dates are equal. RegExps
 *   compare `source` and `flags` (not `lastIndex`). Boxed primitives compare
 *   their primitive values.
 * - Maps and Sets compare by content in any order. Primitive keys and members
 *   match by SameValueZero, object keys and members first by identity, then
 *   by a deep search among the unmatched ones of the other side.
 * - Typed arrays must be of the same kind and equal element by element.
 *   ArrayBuffer, SharedArrayBuffer and DataView compare their bytes.
 * - Functions, symbols, WeakMaps, WeakSets, WeakRefs and Promises compare by
 *   identity, because their contents cannot be inspected.
 * - Cycles are handled: a pair already being compared higher up counts as
 *   equal.
 *
 * The verdict is symmetric: swapping the sides never changes `equal`. The
 * path and reason may differ when the sides are swapped, because each side's
 * keys are walked in that side's order.
 *
 * Errors thrown by getters or proxies propagate to the caller.
 */

const { types, inspect } = require('node:util');

const ROOT_PATH = '<root>';
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Reports SameValueZero: `===`, except that NaN equals NaN. */
function sameValueZero(a, b) {
  return a === b || (a !== a && b !== b);
}

function isObjectLike(value) {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Renders a value for a message, bounded in length. */
function describeValue(value) {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value);
  }
  const text = inspect(value, { depth: 1, breakLength: Infinity, maxArrayLength: 5, maxStringLength: 60 });
  return text.length > 80 ? text.slice(0, 79) + '…' : text;
}

function describeType(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'Array';
  if (typeof value !== 'object') return typeof value;
  return Object.prototype.toString.call(value).slice(8, -1);
}

function describePrototype(value) {
  const prototype = Object.getPrototypeOf(value);
  if (prototype === null) return 'null prototype';
  const constructor = Object.getOwnPropertyDescriptor(prototype, 'constructor');
  const name = constructor && typeof constructor.value === 'function' ? constructor.value.name : '';
  return name ? name + '.prototype' : 'anonymous prototype';
}

/** Classifies an object into the kind that decides how it is compared. */
function kindOf(value) {
  if (typeof value === 'function') return 'function';
  if (Array.isArray(value)) return 'array';
  if (types.isTypedArray(value)) return 'typedarray';
  if (types.isDate(value)) return 'date';
  if (types.isRegExp(value)) return 'regexp';
  if (types.isMap(value)) return 'map';
  if (types.isSet(value)) return 'set';
  if (types.isArrayBuffer(value)) return 'arraybuffer';
  if (types.isSharedArrayBuffer(value)) return 'sharedarraybuffer';
  if (types.isDataView(value)) return 'dataview';
  if (types.isBoxedPrimitive(value)) return 'boxed';
  if (types.isNativeError(value) || value instanceof Error) return 'error';
  if (types.isWeakMap(value) || types.isWeakSet(value) || types.isPromise(value)) return 'opaque';
  if (typeof WeakRef === 'function' && value instanceof WeakRef) return 'opaque';
  return 'object';
}

function typedArrayName(value) {
  return Object.prototype.toString.call(value).slice(8, -1);
}

function propertyPath(path, key) {
  const base = path === ROOT_PATH ? '' : path;
  if (typeof key === 'symbol') return `${base}[${String(key)}]`;
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function indexPath(path, index) {
  return `${path === ROOT_PATH ? '' : path}[${index}]`;
}

function mapEntryPath(path, key) {
  return `${path === ROOT_PATH ? '' : path}.get(${describeValue(key)})`;
}

function ownEnumerableKeys(value) {
  const keys = Object.keys(value);
  for (const symbol of Object.getOwnPropertySymbols(value)) {
    if (Object.prototype.propertyIsEnumerable.call(value, symbol)) keys.push(symbol);
  }
  return keys;
}

function hasOwnEnumerable(value, key) {
  return Object.prototype.propertyIsEnumerable.call(value, key);
}

/** One comparison: the side names for messages and the pairs under comparison. */
class Comparison {
  constructor(leftName, rightName) {
    this.leftName = leftName;
    this.rightName = rightName;
    // Map from a left object to the set of right objects it is being compared with.
    this.inProgress = new Map();
  }

  difference(path, reason) {
    return { path, reason };
  }

  /** Returns null when equal, else `{ path, reason }` of the first difference. */
  compare(left, right, path) {
    if (sameValueZero(left, right)) return null;

    if (!isObjectLike(left) || !isObjectLike(right)) {
      const leftType = describeType(left);
      const rightType = describeType(right);
      if (leftType !== rightType) {
        return this.difference(path, `types differ: ${leftType} vs ${rightType}`);
      }
      return this.difference(path, `values differ: ${describeValue(left)} vs ${describeValue(right)}`);
    }

    if (typeof left === 'function' || typeof right === 'function') {
      return this.difference(path, 'functions differ (functions compare by identity)');
    }

    return this.compareObjects(left, right, path);
  }

  compareObjects(left, right, path) {
    const leftKind = kindOf(left);
    const rightKind = kindOf(right);
    if (leftKind !== rightKind) {
      return this.difference(path, `types differ: ${describeType(left)} vs ${describeType(right)}`);
    }
    if (leftKind === 'typedarray' && typedArrayName(left) !== typedArrayName(right)) {
      return this.difference(
        path,
        `typed array kinds differ: ${typedArrayName(left)} vs ${typedArrayName(right)}`,
      );
    }
    if (Object.getPrototypeOf(left) !== Object.getPrototypeOf(right)) {
      return this.difference(
        path,
        `prototypes differ: ${describePrototype(left)} vs ${describePrototype(right)}`,
      );
    }
    if (leftKind === 'object' && describeType(left) !== describeType(right)) {
      return this.difference(path, `types differ: ${describeType(left)} vs ${describeType(right)}`);
    }

    // A pair met again further down is a cycle: assume equal, and let the
    // comparison already under way decide.
    let partners = this.inProgress.get(left);
    if (partners !== undefined && partners.has(right)) return null;
    if (partners === undefined) {
      partners = new Set();
      this.inProgress.set(left, partners);
    }
    partners.add(right);

    try {
      return this.compareByKind(leftKind, left, right, path);
    } finally {
      partners.delete(right);
      if (partners.size === 0) this.inProgress.delete(left);
    }
  }

  compareByKind(kind, left, right, path) {
    switch (kind) {
      case 'array':
        return this.compareArrays(left, right, path);
      case 'typedarray':
        return this.compareElements(left, right, path, 'typed array lengths');
      case 'arraybuffer':
      case 'sharedarraybuffer':
        return this.compareElements(new Uint8Array(left), new Uint8Array(right), path, 'byte lengths');
      case 'dataview':
        return this.compareElements(
          new Uint8Array(left.buffer, left.byteOffset, left.byteLength),
          new Uint8Array(right.buffer, right.byteOffset, right.byteLength),
          path,
          'byte lengths',
        );
      case 'map':
        return this.compareMaps(left, right, path);
      case 'set':
        return this.compareSets(left, right, path);
      case 'opaque':
        return this.difference(
          path,
          `${describeType(left)} instances differ (their contents cannot be inspected, so they compare by identity)`,
        );
      default:
        return this.compareHeader(kind, left, right, path) ?? this.compareProperties(left, right, path);
    }
  }

  /** Compares what an object carries besides its own enumerable properties. */
  compareHeader(kind, left, right, path) {
    if (kind === 'date') {
      if (sameValueZero(left.getTime(), right.getTime())) return null;
      return this.difference(path, `dates differ: ${describeDate(left)} vs ${describeDate(right)}`);
    }
    if (kind === 'regexp') {
      if (left.source === right.source && left.flags === right.flags) return null;
      return this.difference(path, `regular expressions differ: ${String(left)} vs ${String(right)}`);
    }
    if (kind === 'boxed') {
      return this.compare(left.valueOf(), right.valueOf(), path);
    }
    if (kind === 'error') {
      return (
        this.compare(left.name, right.name, propertyPath(path, 'name')) ??
        this.compare(left.message, right.message, propertyPath(path, 'message'))
      );
    }
    return null;
  }

  compareProperties(left, right, path) {
    for (const key of ownEnumerableKeys(left)) {
      const keyPath = propertyPath(path, key);
      if (!hasOwnEnumerable(right, key)) {
        return this.difference(keyPath, `property is present in ${this.leftName} but missing in ${this.rightName}`);
      }
      const found = this.compare(left[key], right[key], keyPath);
      if (found) return found;
    }
    for (const key of ownEnumerableKeys(right)) {
      if (!hasOwnEnumerable(left, key)) {
        return this.difference(
          propertyPath(path, key),
          `property is missing in ${this.leftName} but present in ${this.rightName}`,
        );
      }
    }
    return null;
  }

  compareArrays(left, right, path) {
    if (left.length !== right.length) {
      return this.difference(path, `array lengths differ: ${left.length} vs ${right.length}`);
    }
    for (let i = 0; i < left.length; i++) {
      const leftHas = Object.prototype.hasOwnProperty.call(left, i);
      const rightHas = Object.prototype.hasOwnProperty.call(right, i);
      if (leftHas !== rightHas) {
        const hole = leftHas ? this.rightName : this.leftName;
        return this.difference(indexPath(path, i), `index is an empty slot in ${hole}`);
      }
      const found = this.compare(left[i], right[i], indexPath(path, i));
      if (found) return found;
    }
    return null;
  }

  compareElements(left, right, path, lengthLabel) {
    if (left.length !== right.length) {
      return this.difference(path, `${lengthLabel} differ: ${left.length} vs ${right.length}`);
    }
    for (let i = 0; i < left.length; i++) {
      if (!sameValueZero(left[i], right[i])) {
        return this.difference(
          indexPath(path, i),
          `values differ: ${describeValue(left[i])} vs ${describeValue(right[i])}`,
        );
      }
    }
    return null;
  }

  compareMaps(left, right, path) {
    if (left.size !== right.size) {
      return this.difference(path, `Map sizes differ: ${left.size} vs ${right.size}`);
    }

    const unmatchedLeft = [];
    for (const [key, value] of left) {
      if (!right.has(key)) {
        if (typeof key === 'object' && key !== null) {
          unmatchedLeft.push([key, value]);
          continue;
        }
        return this.difference(
          path,
          `Map key ${describeValue(key)} is present in ${this.leftName} but missing in ${this.rightName}`,
        );
      }
      const found = this.compare(value, right.get(key), mapEntryPath(path, key));
      if (found) return found;
    }
    if (unmatchedLeft.length === 0) return null;

    // Object keys without an identical twin: pair them up by deep equality of
    // key and value. Deep equality is an equivalence, so a greedy pairing finds
    // a complete one whenever one exists.
    const unmatchedRight = [];
    for (const [key, value] of right) {
      if (typeof key === 'object' && key !== null && !left.has(key)) unmatchedRight.push([key, value]);
    }
    for (const [key, value] of unmatchedLeft) {
      const index = unmatchedRight.findIndex(
        ([otherKey, otherValue]) =>
          this.compare(key, otherKey, path) === null && this.compare(value, otherValue, path) === null,
      );
      if (index === -1) {
        return this.difference(
          path,
          `Map entry with key ${describeValue(key)} in ${this.leftName} has no equal entry in ${this.rightName}`,
        );
      }
      unmatchedRight.splice(index, 1);
    }
    return null;
  }

  compareSets(left, right, path) {
    if (left.size !== right.size) {
      return this.difference(path, `Set sizes differ: ${left.size} vs ${right.size}`);
    }

    const unmatchedLeft = [];
    for (const member of left) {
      if (right.has(member)) continue;
      if (typeof member === 'object' && member !== null) {
        unmatchedLeft.push(member);
        continue;
      }
      return this.difference(
        path,
        `Set member ${describeValue(member)} is present in ${this.leftName} but missing in ${this.rightName}`,
      );
    }
    if (unmatchedLeft.length === 0) return null;

    const unmatchedRight = [];
    for (const member of right) {
      if (typeof member === 'object' && member !== null && !left.has(member)) unmatchedRight.push(member);
    }
    for (const member of unmatchedLeft) {
      const index = unmatchedRight.findIndex((other) => this.compare(member, other, path) === null);
      if (index === -1) {
        return this.difference(
          path,
          `Set member ${describeValue(member)} in ${this.leftName} has no equal member in ${this.rightName}`,
        );
      }
      unmatchedRight.splice(index, 1);
    }
    return null;
  }
}

function describeDate(date) {
  const time = date.getTime();
  return Number.isNaN(time) ? 'Invalid Date' : date.toISOString();
}

/**
 * Compares two values deeply by the rules in the header of this file.
 *
 * `options.leftName` and `options.rightName` (default `'left'` and `'right'`)
 * name the sides in the reason text.
 *
 * @param {unknown} left
 * @param {unknown} right
 * @param {{ leftName?: string, rightName?: string }} [options]
 * @returns {{ equal: boolean, path: string | null, reason?: string }}
 */
function deepCompare(left, right, options = {}) {
  const comparison = new Comparison(options.leftName ?? 'left', options.rightName ?? 'right');
  const found = comparison.compare(left, right, ROOT_PATH);
  if (found === null) return { equal: true, path: null };
  return { equal: false, path: found.path, reason: found.reason };
}

/** Reports whether two values are deeply equal by the rules of `deepCompare`. */
function isDeepEqual(left, right) {
  return deepCompare(left, right).equal;
}

module.exports = { deepCompare, isDeepEqual, ROOT_PATH };
