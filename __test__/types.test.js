'use strict';

// Type-checks the hand-written index.d.ts with the TypeScript compiler of the
// devDependencies. __test__/types contains a strict project whose files use
// the whole API through the package name, with `@ts-expect-error` lines for
// usage that must be rejected.

const { describe, test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.join(__dirname, '..');
const TSC_PATH = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
const TYPES_PROJECT = path.join(__dirname, 'types');
const TSC_TIMEOUT_MS = 120_000;

function runTsc(args) {
  assert.ok(fs.existsSync(TSC_PATH), `${TSC_PATH} is missing: run \`npm install\` first`);
  const result = spawnSync(TSC_PATH, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: TSC_TIMEOUT_MS });
  assert.equal(result.error, undefined, `tsc failed to start or timed out: ${result.error}`);
  return result;
}

describe('index.d.ts', () => {
  // A file next to the project, so that 'perf-sentinel' resolves to this
  // package through its own package.json "exports".
  const negativeFile = path.join(TYPES_PROJECT, `negative-${process.pid}.ts`);

  after(() => {
    fs.rmSync(negativeFile, { force: true });
  });

  test('usage project compiles under --strict', { timeout: TSC_TIMEOUT_MS }, () => {
    const result = runTsc(['-p', TYPES_PROJECT]);
    assert.equal(result.status, 0, `tsc -p __test__/types failed:\n${result.stdout}${result.stderr}`);
  });

  test('wrong listener type fails to compile', { timeout: TSC_TIMEOUT_MS }, () => {
    fs.writeFileSync(
      negativeFile,
      [
        "import { PerformanceMonitor } from 'perf-sentinel';",
        'new PerformanceMonitor().on(\'thresholdViolation\', (alert: string) => alert.length);',
        '',
      ].join('\n'),
    );
    const options = ['--strict', '--noEmit', '--module', 'nodenext', '--target', 'es2022', '--types', 'node'];
    const result = runTsc([...options, negativeFile]);
    const output = `${result.stdout}${result.stderr}`;
    assert.equal(result.status, 2, `tsc accepted a listener of the wrong type:\n${output}`);
    assert.match(output, /error TS2769: No overload matches this call/);
    assert.match(output, new RegExp(`negative-${process.pid}\\.ts\\(2,`));
  });
});
