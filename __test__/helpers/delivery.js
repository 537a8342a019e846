'use strict';

// Helpers for the delivery tests: a scripted HTTP receiver on 127.0.0.1, an
// asynchronous child-process runner (so the receiver keeps serving while the
// child runs), temporary folders and bounded polling.

const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const { ROOT } = require('./child');

/**
 * Starts an HTTP server on 127.0.0.1 that passes each request to
 * `respond(index, body, req, res)`; `respond` returns a status code, an
 * object `{ status, headers }`, or 'hang' to never respond. Every request
 * is recorded as `{ at, body, status, headers, url }` in `receiver.requests`
 * (`at` is performance.now() when the body was read).
 */
async function startReceiver(respond) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const record = { at: performance.now(), body, status: null, headers: req.headers, url: req.url };
      requests.push(record);
      const reply = respond(requests.length - 1, body, req, res);
      if (reply === 'hang') return;
      const { status, headers } = typeof reply === 'number' ? { status: reply, headers: {} } : reply;
      record.status = status;
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(String(status));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Returns the prelude that makes `require('perf-sentinel')` resolve to the package root. */
function prelude() {
  return `const __root = ${JSON.stringify(ROOT)};\n` +
    "const Module = require('node:module');\n" +
    'const __resolve = Module._resolveFilename;\n' +
    'Module._resolveFilename = function (request, ...rest) {\n' +
    "  return __resolve.call(this, request === 'perf-sentinel' ? __root : request, ...rest);\n" +
    '};\n';
}

/**
 * Runs `source` in a child process of the current runtime without blocking
 * this one; resolves to { status, signal, stdout, stderr, ms, timedOut }.
 * The child is killed (SIGKILL) after `timeout` milliseconds.
 */
function runScriptAsync(source, { timeout = 20000, env = {} } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['-e', prelude() + source], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}

/** Creates an empty temporary folder; the caller removes it. */
function makeTempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `perf-sentinel-${prefix}-`));
}

/** Polls `predicate` every 10 ms until it returns true or `timeoutMs` passes; returns its last result. */
async function waitFor(predicate, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return predicate();
}

/** Returns the alert ids a webhook body carries: `ids` of a merged message, else `id`. */
function idsOf(body) {
  if (body && Array.isArray(body.ids)) return body.ids;
  if (body && typeof body.id === 'string') return [body.id];
  return [];
}

/** Returns a free TCP port on 127.0.0.1 (free when checked; another process may take it later). */
async function freePort() {
  const net = require('node:net');
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Settings that turn off the console and file channels, so a test sees only its own channel. */
const QUIET = { console: { enabled: false }, file: { enabled: false } };

module.exports = { QUIET, freePort, idsOf, makeTempDir, runScriptAsync, startReceiver, waitFor };
