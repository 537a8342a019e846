'use strict';

// Runs a script in a child process of the current runtime (Node or Bun) with
// the package root as working directory, so that crashes and hangs are
// observed from outside.

const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs `source` with `require('perf-sentinel')` resolvable; returns status, signal, stdout, stderr, ms. */
function runScript(source, { timeout = 20000, env = {}, cwd = ROOT } = {}) {
  const prelude = `const __root = ${JSON.stringify(ROOT)};\n` +
    "const Module = require('node:module');\n" +
    "const __resolve = Module._resolveFilename;\n" +
    "Module._resolveFilename = function (request, ...rest) {\n" +
    "  return __resolve.call(this, request === 'perf-sentinel' ? __root : request, ...rest);\n" +
    '};\n';
  const started = Date.now();
  const result = spawnSync(process.execPath, ['-e', prelude + source], {
    cwd,
    timeout,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
    ms: Date.now() - started,
    timedOut: result.error?.code === 'ETIMEDOUT',
  };
}

module.exports = { ROOT, runScript };
