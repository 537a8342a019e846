'use strict';

// Type-checks the hand-written index.d.ts with the TypeScript compiler of the
// devDependencies. __test__/types contains a strict project whose files use
// the whole API through the package name, with `@ts-expect-error` lines for
// usage that must be rejected. A third test compares the names that
// index.d.ts declares with what index.js exports at run time, so that a
// method added to or removed from the JavaScript classes without its
// declaration fails here.

const { describe, test, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ts = require('typescript');

const REPO_ROOT = path.join(__dirname, '..');
const TSC_PATH = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
const TYPES_PROJECT = path.join(__dirname, 'types');
const TSC_TIMEOUT_MS = 120_000;

/** The typed EventEmitter overloads each class declares; they live on EventEmitter.prototype. */
const EMITTER_METHODS = new Set([
  'on',
  'once',
  'off',
  'addListener',
  'removeListener',
  'prependListener',
  'prependOnceListener',
  'emit',
]);

/**
 * Public-looking prototype methods that are helpers, not API, so index.d.ts
 * leaves them out. Names starting with `_` are left out without a listing.
 */
const INTERNAL_METHODS = {
  ParallelTestHarness: ['runBothSides', 'runWithStatistics', 'describeMissingMethods', 'nextDefaultTestId', 'storeResult'],
  RegressionDetector: ['notifyAlertCallbacks', 'warnCallbackFailure', 'buildReport', 'recordMeasurements', 'storeReport'],
};

function hasModifier(node, kind) {
  return (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === kind);
}

/**
 * Reads index.d.ts: the names of its exported values, and for each exported
 * class its instance methods, static methods and instance properties.
 */
function readDeclarations() {
  const file = path.join(REPO_ROOT, 'index.d.ts');
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const values = new Set();
  const classes = new Map();

  for (const statement of source.statements) {
    if (!hasModifier(statement, ts.SyntaxKind.ExportKeyword)) continue;
    if (ts.isFunctionDeclaration(statement)) values.add(statement.name.text);
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) values.add(declaration.name.getText(source));
    }
    if (!ts.isClassDeclaration(statement)) continue;

    const name = statement.name.text;
    values.add(name);
    const members = { methods: new Set(), statics: new Set(), properties: new Set() };
    for (const member of statement.members) {
      if (member.name === undefined) continue;
      const memberName = member.name.getText(source);
      const isStatic = hasModifier(member, ts.SyntaxKind.StaticKeyword);
      if (ts.isMethodDeclaration(member)) (isStatic ? members.statics : members.methods).add(memberName);
      if (ts.isPropertyDeclaration(member) && !isStatic) members.properties.add(memberName);
    }
    classes.set(name, members);
  }
  return { values, classes };
}

/** Returns the public own names of `target`, leaving out `_`-prefixed ones and `excluded`. */
function publicOwnNames(target, excluded) {
  return Object.getOwnPropertyNames(target)
    .filter((name) => !name.startsWith('_') && !excluded.includes(name))
    .sort();
}

function sorted(set) {
  return [...set].sort();
}

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

  test('declared exports match index.js', () => {
    const api = require('..');
    const { values } = readDeclarations();
    assert.deepEqual(sorted(values), Object.keys(api).sort());
  });

  test('declared methods match the classes', () => {
    const api = require('..');
    const { classes } = readDeclarations();
    assert.ok(classes.size >= 4, `only ${classes.size} classes declared`);

    for (const [name, declared] of classes) {
      const runtimeClass = api[name];
      const internal = INTERNAL_METHODS[name] ?? [];
      const declaredMethods = sorted(declared.methods).filter((method) => !EMITTER_METHODS.has(method));

      const runtimeMethods = publicOwnNames(runtimeClass.prototype, ['constructor', ...internal]);
      assert.deepEqual(declaredMethods, runtimeMethods, `instance methods of ${name}`);

      const runtimeStatics = publicOwnNames(runtimeClass, ['length', 'name', 'prototype']);
      assert.deepEqual(sorted(declared.statics), runtimeStatics, `static methods of ${name}`);

      for (const method of EMITTER_METHODS) {
        if (!declared.methods.has(method)) continue;
        assert.equal(typeof runtimeClass.prototype[method], 'function', `${name}.prototype.${method}`);
      }
    }
  });

  test('declared properties exist on instances', async () => {
    const api = require('..');
    const { classes } = readDeclarations();
    const service = new api.PerformanceMonitoringService({ alerting: { file: { enabled: false } } });
    const instances = {
      PerformanceMonitor: service.getPerformanceMonitor(),
      ParallelTestHarness: service.getTestHarness(),
      RegressionDetector: service.getRegressionDetector(),
      PerformanceMonitoringService: service,
    };
    try {
      for (const [name, declared] of classes) {
        assert.ok(instances[name], `no instance of ${name} to check`);
        for (const property of declared.properties) {
          assert.ok(property in instances[name], `${name} instances have no ${property}`);
        }
      }
    } finally {
      await service.cleanup();
    }
  });
});
