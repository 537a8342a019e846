'use strict';

// Field case: deep equality of numbers, dates and typed arrays.
// `===` makes NaN unequal to itself, and popular deep equality functions
// disagree on -0, invalid dates and typed arrays. The harness must give
// these verdicts, keep them when old and new are swapped, and name the path
// of the first difference in analyzeResults.

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');

const { ParallelTestHarness } = require('../lib/harness');

// [description, old result, new result, expected isEqual, expected path]
const CASES = [
  [
    'NaN, invalid dates and NaN in Float64Array',
    () => [NaN, new Date('x'), new Float64Array([1, NaN])],
    () => [NaN, new Date('y'), new Float64Array([1, NaN])],
    true,
    null,
  ],
  [
    '0 vs -0 and Float64Array vs Float32Array',
    () => ({ n: 0, a: new Float64Array([1]) }),
    () => ({ n: -0, a: new Float32Array([1]) }),
    false,
    '.a',
  ],
  ['dates 5 and 6', () => ({ when: new Date(5) }), () => ({ when: new Date(6) }), false, '.when'],
  ['0 vs -0 alone', () => ({ n: 0 }), () => ({ n: -0 }), true, null],
  ['property in an array element', () => [0, { a: 1 }], () => [0, { a: 2 }], false, '[1].a'],
];

async function runCase(makeOld, makeNew) {
  const harness = new ParallelTestHarness();
  harness.registerImplementations({ compute: makeOld }, { compute: makeNew });
  const result = await harness.executeParallel('compute', [], 'case');
  return { result, analysis: harness.analyzeResults('case') };
}

describe('field case: deep equality of numbers, dates and typed arrays', () => {
  for (const [description, makeOld, makeNew, expectedEqual, expectedPath] of CASES) {
    test(`${description}: ${expectedEqual ? 'equal' : 'not equal'}`, async () => {
      const { result, analysis } = await runCase(makeOld, makeNew);
      assert.equal(result.isEqual, expectedEqual);
      assert.equal(result.error, undefined);

      const headline = analysis.differences.find((line) => line.startsWith('Results are not equal'));
      if (expectedEqual) {
        assert.equal(headline, undefined);
      } else {
        assert.ok(headline, `differences: ${JSON.stringify(analysis.differences)}`);
        assert.ok(
          headline.startsWith(`Results are not equal at ${expectedPath} (`),
          `headline ${JSON.stringify(headline)} does not name ${expectedPath}`,
        );
        assert.equal(analysis.passed, false);
      }
    });

    test(`${description}: same verdict with sides swapped`, async () => {
      const { result, analysis } = await runCase(makeNew, makeOld);
      assert.equal(result.isEqual, expectedEqual);
      if (!expectedEqual) {
        assert.ok(analysis.differences[0].includes(`at ${expectedPath} (`), analysis.differences[0]);
      }
    });
  }

  test('typed array kinds named in the reason', async () => {
    const { analysis } = await runCase(CASES[1][1], CASES[1][2]);
    assert.equal(
      analysis.differences[0],
      'Results are not equal at .a (typed array kinds differ: Float64Array vs Float32Array)',
    );
  });

  test('0 and -0 are documented as equal', async () => {
    const { result } = await runCase(
      () => 0,
      () => -0,
    );
    assert.equal(result.isEqual, true);
  });
});
