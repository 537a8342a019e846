'use strict';

// Deep equality used by ParallelTestHarness: verdicts, the path of the first
// difference, and symmetry over a table of value pairs.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');

const { deepCompare, isDeepEqual, ROOT_PATH } = require('../lib/equality');

class Point {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
}

function argumentsOf() {
  return arguments;
}

function cyclic(value) {
  const node = { value };
  node.self = node;
  return node;
}

function dataView(bytes) {
  const buffer = new ArrayBuffer(bytes.length + 2);
  const view = new DataView(buffer, 1, bytes.length);
  bytes.forEach((byte, i) => view.setUint8(i, byte));
  return view;
}

const tag = Symbol('tag');
const sharedFunction = () => 1;
const sharedKey = { id: 1 };

// [description, left, right]
const EQUAL_PAIRS = [
  ['NaN and NaN', NaN, NaN],
  ['0 and -0', 0, -0],
  ['equal strings', 'room', 'room'],
  ['equal bigints', 10n, 10n],
  ['null and null', null, null],
  ['undefined and undefined', undefined, undefined],
  ['nested arrays', [1, [2, [3, NaN]]], [1, [2, [3, NaN]]]],
  ['objects in another key order', { a: 1, b: { c: [1] } }, { b: { c: [1] }, a: 1 }],
  ['dates with the same time', new Date(5), new Date(5)],
  ['two invalid dates', new Date('x'), new Date('y')],
  ['regular expressions', /ab+c/gi, new RegExp('ab+c', 'gi')],
  ['regular expressions at other lastIndex', Object.assign(/a/g, { lastIndex: 3 }), /a/g],
  ['Maps in another insertion order', new Map([['a', 1], ['b', 2]]), new Map([['b', 2], ['a', 1]])],
  ['Maps with deep-equal object keys', new Map([[{ k: 1 }, 'v']]), new Map([[{ k: 1 }, 'v']])],
  ['Maps with the same object key', new Map([[sharedKey, [1]]]), new Map([[sharedKey, [1]]])],
  ['Maps with NaN and -0 keys', new Map([[NaN, 1], [-0, 2]]), new Map([[NaN, 1], [0, 2]])],
  ['Sets in another order', new Set([1, 'a', NaN]), new Set([NaN, 'a', 1])],
  ['Sets of deep-equal objects', new Set([{ a: 1 }, { a: 2 }]), new Set([{ a: 2 }, { a: 1 }])],
  ['Sets with duplicates by value', new Set([{ a: 1 }, { a: 1 }]), new Set([{ a: 1 }, { a: 1 }])],
  ['Float64Arrays with NaN', new Float64Array([1, NaN]), new Float64Array([1, NaN])],
  ['Float64Arrays with 0 and -0', new Float64Array([0]), new Float64Array([-0])],
  ['BigInt64Arrays', new BigInt64Array([1n, -2n]), new BigInt64Array([1n, -2n])],
  ['ArrayBuffers with equal bytes', new Uint8Array([1, 2]).buffer, new Uint8Array([1, 2]).buffer],
  ['DataViews over equal bytes', dataView([7, 8]), dataView([7, 8])],
  ['Buffers with equal bytes', Buffer.from('abc'), Buffer.from('abc')],
  ['cyclic objects', cyclic(1), cyclic(1)],
  ['boxed numbers', Object(1), Object(1)],
  ['boxed strings', Object('a'), Object('a')],
  ['errors with the same message', new TypeError('bad'), new TypeError('bad')],
  ['symbol-keyed properties', { [tag]: 1 }, { [tag]: 1 }],
  ['the same function', { f: sharedFunction }, { f: sharedFunction }],
  ['instances of the same class', new Point(1, 2), new Point(1, 2)],
  ['null-prototype objects', Object.assign(Object.create(null), { a: 1 }), Object.assign(Object.create(null), { a: 1 })],
  ['empty arrays', [], []],
  ['empty objects', {}, {}],
];

// [description, left, right, expected path, fragment of the reason]
const UNEQUAL_PAIRS = [
  ['undefined property vs missing', { a: undefined }, {}, '.a', 'missing in right'],
  ['missing vs undefined property', {}, { a: undefined }, '.a', 'missing in left'],
  ['class instance vs plain object', new Point(1, 2), { x: 1, y: 2 }, ROOT_PATH, 'prototypes differ'],
  ['null prototype vs plain object', Object.create(null), {}, ROOT_PATH, 'prototypes differ'],
  ['array lengths', [1, 2], [1, 2, 3], ROOT_PATH, 'array lengths differ: 2 vs 3'],
  ['hole vs undefined', [, 1], [undefined, 1], '[0]', 'empty slot'], // eslint-disable-line no-sparse-arrays
  ['number vs string', 1, '1', ROOT_PATH, 'types differ: number vs string'],
  ['null vs undefined', null, undefined, ROOT_PATH, 'types differ: null vs undefined'],
  ['null vs object', null, {}, ROOT_PATH, 'types differ'],
  ['array vs object', [], {}, ROOT_PATH, 'types differ: Array vs Object'],
  ['dates 5 and 6', new Date(5), new Date(6), ROOT_PATH, 'dates differ'],
  ['valid vs invalid date', new Date(0), new Date('x'), ROOT_PATH, 'Invalid Date'],
  ['regexp flags', /a/g, /a/i, ROOT_PATH, 'regular expressions differ'],
  ['regexp sources', /a/, /b/, ROOT_PATH, 'regular expressions differ'],
  ['Map sizes', new Map([['a', 1]]), new Map(), ROOT_PATH, 'Map sizes differ'],
  ['Map values', new Map([['room-1', { n: 1 }]]), new Map([['room-1', { n: 2 }]]), '.get("room-1").n', 'values differ'],
  ['Map keys', new Map([['a', 1]]), new Map([['b', 1]]), ROOT_PATH, 'Map key "a"'],
  ['Map object keys', new Map([[{ k: 1 }, 1]]), new Map([[{ k: 2 }, 1]]), ROOT_PATH, 'no equal entry'],
  ['Set members', new Set([1, 2]), new Set([1, 3]), ROOT_PATH, 'Set member 2'],
  ['Set object members', new Set([{ a: 1 }]), new Set([{ a: 2 }]), ROOT_PATH, 'no equal member'],
  ['Set duplicates by value', new Set([{ a: 1 }, { a: 1 }]), new Set([{ a: 1 }, { a: 2 }]), ROOT_PATH, 'no equal member'],
  ['typed array kinds', new Int8Array([1]), new Uint8Array([1]), ROOT_PATH, 'typed array kinds differ: Int8Array vs Uint8Array'],
  ['Buffer vs Uint8Array', Buffer.from([1]), new Uint8Array([1]), ROOT_PATH, 'prototypes differ'],
  ['typed array elements', new Float64Array([1, 2]), new Float64Array([1, 3]), '[1]', 'values differ: 2 vs 3'],
  ['typed array lengths', new Float64Array([1]), new Float64Array([1, 2]), ROOT_PATH, 'typed array lengths differ'],
  ['ArrayBuffer bytes', new Uint8Array([1, 2]).buffer, new Uint8Array([1, 9]).buffer, '[1]', 'values differ'],
  ['DataView bytes', dataView([1, 2]), dataView([1, 3]), '[1]', 'values differ'],
  ['functions with the same source', { f: () => 1 }, { f: () => 1 }, '.f', 'functions differ'],
  ['WeakMap instances', new WeakMap(), new WeakMap(), ROOT_PATH, 'compare by identity'],
  ['Promise instances', { p: Promise.resolve(1) }, { p: Promise.resolve(1) }, '.p', 'compare by identity'],
  ['error messages', new Error('a'), new Error('b'), '.message', 'values differ'],
  ['error classes', new TypeError('a'), new RangeError('a'), ROOT_PATH, 'prototypes differ'],
  ['symbol-keyed property', { [tag]: 1 }, { [tag]: 2 }, '[Symbol(tag)]', 'values differ'],
  ['boxed numbers', Object(1), Object(2), ROOT_PATH, 'values differ'],
  ['boxed vs primitive', Object(1), 1, ROOT_PATH, 'types differ'],
  ['cyclic objects', cyclic(1), cyclic(2), '.value', 'values differ'],
  ['nested property', { user: { name: 'a' } }, { user: { name: 'b' } }, '.user.name', 'values differ: "a" vs "b"'],
  ['property in an array element', [0, { a: 1 }], [0, { a: 2 }], '[1].a', 'values differ: 1 vs 2'],
  ['key that is no identifier', { 'a b': 1 }, { 'a b': 2 }, '["a b"]', 'values differ'],
  ['arguments vs plain object', argumentsOf(1), { 0: 1 }, ROOT_PATH, 'types differ: Arguments vs Object'],
  ['root values', 1, 2, ROOT_PATH, 'values differ: 1 vs 2'],
];

describe('deepCompare verdicts', () => {
  for (const [description, left, right] of EQUAL_PAIRS) {
    test(`equal: ${description}`, () => {
      assert.deepEqual(deepCompare(left, right), { equal: true, path: null });
      assert.equal(isDeepEqual(left, right), true);
    });
  }

  for (const [description, left, right, path, reason] of UNEQUAL_PAIRS) {
    test(`unequal: ${description}`, () => {
      const result = deepCompare(left, right);
      assert.equal(result.equal, false);
      assert.equal(result.path, path);
      assert.ok(result.reason.includes(reason), `reason ${JSON.stringify(result.reason)} lacks ${JSON.stringify(reason)}`);
      assert.equal(isDeepEqual(left, right), false);
    });
  }
});

describe('deepCompare symmetry', () => {
  test('swapping sides keeps every verdict', () => {
    const table = [
      ...EQUAL_PAIRS.map(([description, left, right]) => [description, left, right, true]),
      ...UNEQUAL_PAIRS.map(([description, left, right]) => [description, left, right, false]),
    ];
    for (const [description, left, right, expected] of table) {
      assert.equal(deepCompare(left, right).equal, expected, `${description}, left to right`);
      assert.equal(deepCompare(right, left).equal, expected, `${description}, right to left`);
    }
  });

  test('cycles of different lengths compare as their unfolding', () => {
    const short = {};
    short.next = short;
    const long = { next: { next: null } };
    long.next.next = long;
    assert.equal(deepCompare(short, long).equal, true);
    assert.equal(deepCompare(long, short).equal, true);
  });

  test('mutually cyclic pairs of unequal values', () => {
    const a = { value: 1 };
    const b = { value: 1, peer: a };
    a.peer = b;
    const c = { value: 1 };
    const d = { value: 2, peer: c };
    c.peer = d;
    assert.equal(deepCompare(a, c).path, '.peer.value');
    assert.equal(deepCompare(c, a).path, '.peer.value');
  });
});

describe('deepCompare details', () => {
  test('side names appear in the reason', () => {
    const result = deepCompare({ a: 1 }, {}, { leftName: 'old', rightName: 'new' });
    assert.equal(result.reason, 'property is present in old but missing in new');
  });

  test('first difference in key order of left', () => {
    const result = deepCompare({ a: 1, b: 2 }, { a: 9, b: 9 });
    assert.equal(result.path, '.a');
  });

  test('long values are cut in the reason', () => {
    const result = deepCompare('x'.repeat(1000), 'y'.repeat(1000));
    assert.equal(result.equal, false);
    assert.ok(result.reason.length < 200, `reason has ${result.reason.length} characters`);
  });

  test('a throwing getter propagates', () => {
    const left = {
      get broken() {
        throw new Error('getter failed');
      },
    };
    assert.throws(() => deepCompare(left, { broken: 1 }), /getter failed/);
  });

  test('linked list of 100,000 nodes', () => {
    const build = (leaf) => {
      let node = { leaf };
      for (let i = 0; i < 100_000; i++) node = { child: node };
      return node;
    };
    assert.equal(deepCompare(build(1), build(1)).equal, true);
    const result = deepCompare(build(1), build(2));
    assert.equal(result.equal, false);
    assert.ok(result.path.endsWith('.child.leaf'));
  });

  test('nested arrays of 100,000 levels', () => {
    const build = (leaf) => {
      let node = [leaf];
      for (let i = 0; i < 100_000; i++) node = [node];
      return node;
    };
    assert.equal(deepCompare(build(1), build(1)).equal, true);
    assert.equal(deepCompare(build(1), build(2)).equal, false);
  });

  test('shared substructure compared once', () => {
    // Each level refers twice to the level below, so a walk without memory of
    // equal pairs would take 2^40 steps.
    const build = () => {
      let node = { leaf: 1 };
      for (let i = 0; i < 40; i++) node = { a: node, b: node };
      return node;
    };
    assert.equal(deepCompare(build(), build()).equal, true);
  });

  test('Set of cyclic members', () => {
    const member = (value) => {
      const node = { value };
      node.set = new Set([node]);
      return node;
    };
    assert.equal(deepCompare(new Set([member(1)]), new Set([member(1)])).equal, true);
    assert.equal(deepCompare(new Set([member(1)]), new Set([member(2)])).equal, false);
  });

  test('failed Set trial leaves no assumption', () => {
    // Matching the Sets first tries p against s, which fails on .w.z, and
    // then pairs p with q and t with s. The failed trial must not leave
    // (p, s) behind as an equal pair for the comparison of .later.
    const p = { k: 1, w: { z: 1 } };
    const t = { k: 1, w: { z: 2 } };
    const s = { k: 1, w: { z: 2 } };
    const q = { k: 1, w: { z: 1 } };
    const left = { members: new Set([p, t]), later: p };
    const right = { members: new Set([s, q]), later: s };
    assert.equal(deepCompare(left.members, right.members).equal, true);
    const result = deepCompare(left, right);
    assert.equal(result.equal, false);
    assert.equal(result.path, '.later.w.z');
  });

  test('non-enumerable properties are ignored', () => {
    const left = {};
    Object.defineProperty(left, 'hidden', { value: 1, enumerable: false });
    assert.equal(deepCompare(left, {}).equal, true);
  });

  test('non-index array properties are ignored', () => {
    const left = Object.assign([1], { extra: true });
    assert.equal(deepCompare(left, [1]).equal, true);
  });
});
