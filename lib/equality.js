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
 * - Cycles are handled: a pair already under comparison counts as equal,
 *   and a pair already found equal is not walked again. Nesting depth is
 *   limited by memory only, not by the call stack.
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

/**
 * Pairs of objects assumed equal: pairs under comparison, and pairs already
 * found equal. A trial comparison (matching Map keys or Set members) gets a
 * child layer that is merged into its parent only when the trial succeeds.
 */
class PairSet {
  constructor(parent = null) {
    this.parent = parent;
    this.pairs = new Map();
  }

  has(left, right) {
    for (let layer = this; layer !== null; layer = layer.parent) {
      const partners = layer.pairs.get(left);
      if (partners !== undefined && partners.has(right)) return true;
    }
    return false;
  }

  add(left, right) {
    let partners = this.pairs.get(left);
    if (partners === undefined) {
      partners = new Set();
      this.pairs.set(left, partners);
    }
    partners.add(right);
  }

  mergeIntoParent() {
    for (const [left, partners] of this.pairs) {
      for (const right of partners) this.parent.add(left, right);
    }
  }
}

/**
 * One comparison: the side names for messages and the walk itself.
 *
 * The walk uses an explicit stack instead of recursion, so deeply nested
 * values (a linked list of 100,000 nodes) do not overflow the call stack.
 * A pair met again counts as equal: either it is still under comparison
 * (a cycle), or it was already found equal, because the walk stops at the
 * first difference.
 */
class Comparison {
  constructor(leftName, rightName) {
    this.leftName = leftName;
    this.rightName = rightName;
  }

  difference(path, reason) {
    return { path, reason };
  }

  /** Returns null when equal, else `{ path, reason }` of the first difference. */
  run(left, right, path, assumed) {
    const stack = [{ type: 'pair', left, right, path }];
    while (stack.length > 0) {
      const task = stack[stack.length - 1];
      let found;
      switch (task.type) {
        case 'pair':
          stack.pop();
          found = this.comparePair(task.left, task.right, task.path, assumed, stack);
          break;
        case 'indexes':
          found = this.nextIndex(task, stack);
          break;
        case 'properties':
          found = this.nextProperty(task, stack);
          break;
        case 'extraProperties':
          stack.pop();
          found = this.findExtraProperty(task.left, task.right, task.path);
          break;
        default:
          throw new Error(`unknown comparison task ${task.type}`);
      }
      if (found) return found;
    }
    return null;
  }

  /** Compares one pair, pushing the comparisons of its children on `stack`. */
  comparePair(left, right, path, assumed, stack) {
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

    const kind = kindOf(left);
    const found = this.compareShape(kind, left, right, path);
    if (found) return found;

    if (assumed.has(left, right)) return null;
    assumed.add(left, right);

    return this.compareContent(kind, left, right, path, assumed, stack);
  }

  /** Checks that both objects are of the same kind, typed array kind, prototype and tag. */
  compareShape(leftKind, left, right, path) {
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
    return null;
  }

  compareContent(kind, left, right, path, assumed, stack) {
    switch (kind) {
      case 'array':
        if (left.length !== right.length) {
          return this.difference(path, `array lengths differ: ${left.length} vs ${right.length}`);
        }
        stack.push({ type: 'indexes', left, right, path, index: 0 });
        return null;
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
        return this.compareMaps(left, right, path, assumed, stack);
      case 'set':
        return this.compareSets(left, right, path, assumed);
      case 'opaque':
        return this.difference(
          path,
          `${describeType(left)} instances differ (their contents cannot be inspected, so they compare by identity)`,
        );
      default:
        return this.compareHeader(kind, left, right, path) ?? this.pushProperties(left, right, path, kind, stack);
    }
  }

  /** Compares what a date, regular expression or boxed primitive carries besides its properties. */
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
      const leftValue = left.valueOf();
      const rightValue = right.valueOf();
      if (sameValueZero(leftValue, rightValue)) return null;
      return this.difference(path, `values differ: ${describeValue(leftValue)} vs ${describeValue(rightValue)}`);
    }
    return null;
  }

  /**
   * Queues the property comparisons: for an error `name` and `message` first,
   * then the left side's own enumerable keys, then the check for keys that
   * only the right side has.
   */
  pushProperties(left, right, path, kind, stack) {
    stack.push({ type: 'extraProperties', left, right, path });
    stack.push({ type: 'properties', left, right, path, keys: ownEnumerableKeys(left), index: 0 });
    if (kind === 'error') {
      stack.push({ type: 'pair', left: left.message, right: right.message, path: propertyPath(path, 'message') });
      stack.push({ type: 'pair', left: left.name, right: right.name, path: propertyPath(path, 'name') });
    }
    return null;
  }

  nextIndex(task, stack) {
    const { left, right, path } = task;
    const index = task.index;
    if (index >= left.length) {
      stack.pop();
      return null;
    }
    task.index++;

    const leftHas = Object.prototype.hasOwnProperty.call(left, index);
    const rightHas = Object.prototype.hasOwnProperty.call(right, index);
    if (leftHas !== rightHas) {
      const side = leftHas ? this.rightName : this.leftName;
      return this.difference(indexPath(path, index), `index is an empty slot in ${side}`);
    }
    stack.push({ type: 'pair', left: left[index], right: right[index], path: indexPath(path, index) });
    return null;
  }

  nextProperty(task, stack) {
    const { left, right, path, keys } = task;
    if (task.index >= keys.length) {
      stack.pop();
      return null;
    }
    const key = keys[task.index++];

    const keyPath = propertyPath(path, key);
    if (!hasOwnEnumerable(right, key)) {
      return this.difference(keyPath, `property is present in ${this.leftName} but missing in ${this.rightName}`);
    }
    stack.push({ type: 'pair', left: left[key], right: right[key], path: keyPath });
    return null;
  }

  findExtraProperty(left, right, path) {
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

  /**
   * Runs a comparison whose failure must leave no trace: its assumptions go
   * into a child layer, kept only when every pair compares equal.
   */
  tryMatch(pairs, path, assumed) {
    const layer = new PairSet(assumed);
    for (const [left, right] of pairs) {
      if (this.run(left, right, path, layer) !== null) return false;
    }
    layer.mergeIntoParent();
    return true;
  }

  compareMaps(left, right, path, assumed, stack) {
    if (left.size !== right.size) {
      return this.difference(path, `Map sizes differ: ${left.size} vs ${right.size}`);
    }

    const unmatchedLeft = [];
    const valuePairs = [];
    for (const [key, value] of left) {
      if (right.has(key)) {
        valuePairs.push([value, right.get(key), mapEntryPath(path, key)]);
        continue;
      }
      if (typeof key === 'object' && key !== null) {
        unmatchedLeft.push([key, value]);
        continue;
      }
      return this.difference(
        path,
        `Map key ${describeValue(key)} is present in ${this.leftName} but missing in ${this.rightName}`,
      );
    }

    // Object keys without an identical twin: pair them up by deep equality of
    // key and value. Deep equality is an equivalence, so a greedy pairing finds
    // a complete one whenever one exists.
    if (unmatchedLeft.length > 0) {
      const unmatchedRight = [];
      for (const [key, value] of right) {
        if (typeof key === 'object' && key !== null && !left.has(key)) unmatchedRight.push([key, value]);
      }
      for (const [key, value] of unmatchedLeft) {
        const index = unmatchedRight.findIndex(([otherKey, otherValue]) =>
          this.tryMatch([[key, otherKey], [value, otherValue]], path, assumed),
        );
        if (index === -1) {
          return this.difference(
            path,
            `Map entry with key ${describeValue(key)} in ${this.leftName} has no equal entry in ${this.rightName}`,
          );
        }
        unmatchedRight.splice(index, 1);
      }
    }

    for (let i = valuePairs.length - 1; i >= 0; i--) {
      const [leftValue, rightValue, valuePath] = valuePairs[i];
      stack.push({ type: 'pair', left: leftValue, right: rightValue, path: valuePath });
    }
    return null;
  }

  compareSets(left, right, path, assumed) {
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
      const index = unmatchedRight.findIndex((other) => this.tryMatch([[member, other]], path, assumed));
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
  const found = comparison.run(left, right, ROOT_PATH, new PairSet());
  if (found === null) return { equal: true, path: null };
  return { equal: false, path: found.path, reason: found.reason };
}

/** Reports whether two values are deeply equal by the rules of `deepCompare`. */
function isDeepEqual(left, right) {
  return deepCompare(left, right).equal;
}

module.exports = { deepCompare, isDeepEqual, ROOT_PATH };
