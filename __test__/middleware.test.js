'use strict';

// createPerformanceMiddleware against a real Express 5 app and a real
// Socket.IO server with socket.io-client, both on 127.0.0.1 with an
// ephemeral port and closed at the end.

const { describe, test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { once } = require('node:events');

const express = require('express');
const { Server } = require('socket.io');
const { io: connectClient } = require('socket.io-client');

const { createPerformanceMiddleware, UNMATCHED_PATH } = require('../lib/middleware');
const { PerformanceMonitoringService } = require('../lib/service');

const WAIT_MS = 5000;

async function waitFor(predicate, description) {
  const deadline = Date.now() + WAIT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Replaces process.emitWarning for one test and collects its calls. */
function captureWarnings() {
  const original = process.emitWarning;
  const warnings = [];
  process.emitWarning = (message, options) => warnings.push({ message: String(message), options });
  return { warnings, restore: () => (process.emitWarning = original) };
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function closeServer(server) {
  if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const service = new PerformanceMonitoringService({
  alerting: { console: { enabled: false }, file: { enabled: false } },
});
const monitor = service.getPerformanceMonitor();

after(async () => {
  await service.cleanup();
});

describe('createPerformanceMiddleware arguments', () => {
  test('rejects a missing service', () => {
    assert.throws(() => createPerformanceMiddleware(null), {
      name: 'TypeError',
      message: /^service must be a PerformanceMonitoringService/,
    });
    assert.throws(() => createPerformanceMiddleware({}), { name: 'TypeError', message: /recordMetric/ });
  });

  test('returns both middlewares', () => {
    const middleware = createPerformanceMiddleware(service);
    assert.equal(typeof middleware.httpMiddleware, 'function');
    assert.equal(typeof middleware.socketMiddleware, 'function');
    assert.equal(middleware.httpMiddleware.length, 3);
    assert.equal(middleware.socketMiddleware.length, 2);
  });

  test('odd request objects still reach next', () => {
    const { httpMiddleware, socketMiddleware } = createPerformanceMiddleware(service);
    let calls = 0;
    assert.doesNotThrow(() => httpMiddleware({}, {}, () => calls++));
    assert.doesNotThrow(() => httpMiddleware(null, null, () => calls++));
    assert.doesNotThrow(() => socketMiddleware(null, () => calls++));
    assert.doesNotThrow(() => socketMiddleware(Object.freeze({ emit() {} }), () => calls++));
    assert.equal(calls, 4);
  });
});

describe('httpMiddleware with Express', () => {
  let server;
  let baseUrl;
  const pending = { abortedSeen: null, releaseAborted: null };

  before(async () => {
    const app = express();
    app.use(createPerformanceMiddleware(service).httpMiddleware);

    app.get('/rooms/:id', (req, res) => res.json({ id: req.params.id }));
    app.post('/rooms', (req, res) => res.status(201).json({ created: true }));
    app.get('/slow', async (req, res) => {
      await sleep(30);
      res.send('done');
    });
    app.get('/boom', () => {
      throw new Error('handler failed');
    });
    app.get('/hang', (req, res) => {
      pending.abortedSeen(res);
    });

    const router = express.Router();
    router.get('/users/:userId', (req, res) => res.send('user'));
    app.use('/api', router);

    // Express 5 error handler signature: four arguments.
    // eslint-disable-next-line no-unused-vars
    app.use((error, req, res, next) => res.status(500).send('failed'));

    server = http.createServer(app);
    const port = await listen(server);
    baseUrl = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await closeServer(server);
  });

  beforeEach(() => {
    monitor.clearMetrics();
  });

  const recorded = () => monitor.getMetrics('http_response_time');

  test('records a matched route by pattern', async () => {
    const response = await fetch(`${baseUrl}/rooms/42`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: '42' });
    await waitFor(() => recorded().length === 1, 'one metric');

    const [metric] = recorded();
    assert.equal(metric.name, 'http_response_time');
    assert.equal(metric.unit, 'ms');
    assert.ok(Number.isFinite(metric.value) && metric.value >= 0, `value ${metric.value}`);
    assert.deepEqual(metric.context, { method: 'GET', path: '/rooms/:id', statusCode: 200 });
  });

  test('ids never reach the path', async () => {
    for (const id of ['1', '2', '3']) await (await fetch(`${baseUrl}/rooms/${id}`)).text();
    await waitFor(() => recorded().length === 3, 'three metrics');
    assert.deepEqual(new Set(recorded().map((metric) => metric.context.path)), new Set(['/rooms/:id']));
  });

  test('router mount path joins the pattern', async () => {
    await (await fetch(`${baseUrl}/api/users/7`)).text();
    await waitFor(() => recorded().length === 1, 'one metric');
    assert.equal(recorded()[0].context.path, '/api/users/:userId');
  });

  test('unmatched URL records <unmatched>', async () => {
    const response = await fetch(`${baseUrl}/nope/123?secret=1`);
    assert.equal(response.status, 404);
    await response.text();
    await waitFor(() => recorded().length === 1, 'one metric');
    assert.deepEqual(recorded()[0].context, { method: 'GET', path: UNMATCHED_PATH, statusCode: 404 });
    assert.equal(UNMATCHED_PATH, '<unmatched>');
  });

  test('method and status code', async () => {
    const response = await fetch(`${baseUrl}/rooms`, { method: 'POST' });
    assert.equal(response.status, 201);
    await response.text();
    await waitFor(() => recorded().length === 1, 'one metric');
    assert.deepEqual(recorded()[0].context, { method: 'POST', path: '/rooms', statusCode: 201 });
  });

  test('handler error records status 500', async () => {
    const response = await fetch(`${baseUrl}/boom`);
    assert.equal(response.status, 500);
    await response.text();
    await waitFor(() => recorded().length === 1, 'one metric');
    assert.equal(recorded()[0].context.statusCode, 500);
    assert.equal(recorded()[0].context.path, '/boom');
  });

  test('time covers the handler', async () => {
    await (await fetch(`${baseUrl}/slow`)).text();
    await waitFor(() => recorded().length === 1, 'one metric');
    // A timer never fires early by more than a millisecond, so this lower bound is safe.
    assert.ok(recorded()[0].value >= 25, `value ${recorded()[0].value}`);
  });

  test('one record per request', async () => {
    for (let i = 0; i < 5; i++) await (await fetch(`${baseUrl}/rooms/${i}`)).text();
    await waitFor(() => recorded().length >= 5, 'five metrics');
    // 'close' follows 'finish' on every response; give it time to show up twice if it would.
    await sleep(100);
    assert.equal(recorded().length, 5);
  });

  test('aborted request recorded once', async () => {
    const serverSaw = new Promise((resolve) => {
      pending.abortedSeen = resolve;
    });
    const request = http.get(`${baseUrl}/hang`);
    request.on('error', () => {});
    const res = await serverSaw;
    request.destroy();

    await waitFor(() => recorded().length === 1, 'the aborted request');
    const [metric] = recorded();
    assert.equal(metric.context.aborted, true);
    assert.equal(metric.context.path, '/hang');
    assert.equal(metric.context.method, 'GET');

    // A late end on the dead response must not record again.
    res.end();
    await sleep(100);
    assert.equal(recorded().length, 1);
  });

  test('failing recordMetric does not break requests', async () => {
    const failing = {
      recordMetric() {
        throw new Error('store unavailable');
      },
    };
    const app = express();
    app.use(createPerformanceMiddleware(failing).httpMiddleware);
    app.get('/ok', (req, res) => res.send('ok'));
    const own = http.createServer(app);
    const port = await listen(own);
    const { warnings, restore } = captureWarnings();
    try {
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`http://127.0.0.1:${port}/ok`);
        assert.equal(response.status, 200);
        assert.equal(await response.text(), 'ok');
      }
      await waitFor(() => warnings.length >= 1, 'a warning');
      await sleep(50);
      assert.equal(warnings.length, 1, 'one warning per middleware, not per request');
      assert.match(warnings[0].message, /store unavailable/);
    } finally {
      restore();
      await closeServer(own);
    }
  });
});

describe('socketMiddleware with Socket.IO', () => {
  let httpServer;
  let ioServer;
  let url;
  const serverSockets = [];

  before(async () => {
    httpServer = http.createServer();
    ioServer = new Server(httpServer);
    const { socketMiddleware } = createPerformanceMiddleware(service);
    ioServer.use(socketMiddleware);
    ioServer.on('connection', (socket) => {
      serverSockets.push(socket);
      socket.on('ping-me', (payload, ack) => {
        socket.emit('pong', payload);
        if (typeof ack === 'function') ack('acked');
      });
    });
    const port = await listen(httpServer);
    url = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    ioServer.close();
    await closeServer(httpServer);
  });

  beforeEach(() => {
    monitor.clearMetrics();
  });

  async function connect() {
    const client = connectClient(url, { transports: ['websocket'], reconnection: false, timeout: WAIT_MS });
    await once(client, 'connect');
    return client;
  }

  const recorded = () => monitor.getMetrics('websocket_emit_time');

  test('connection passes the middleware', async () => {
    const client = await connect();
    try {
      assert.equal(client.connected, true);
    } finally {
      client.close();
    }
  });

  test('records each emit with event and socket id', async () => {
    const client = await connect();
    try {
      const pong = once(client, 'pong');
      client.emit('ping-me', { n: 1 });
      const [payload] = await pong;
      assert.deepEqual(payload, { n: 1 });

      await waitFor(() => recorded().length === 1, 'one emit metric');
      const [metric] = recorded();
      const serverSocket = serverSockets.find((socket) => socket.id === metric.context.socketId);
      assert.ok(serverSocket, 'the socket id is the server socket id');
      assert.deepEqual(metric.context, { event: 'pong', socketId: serverSocket.id });
      assert.equal(metric.unit, 'ms');
      assert.ok(Number.isFinite(metric.value) && metric.value >= 0);
    } finally {
      client.close();
    }
  });

  test('emit keeps its return value and acks', async () => {
    const client = await connect();
    try {
      const answer = await client.timeout(WAIT_MS).emitWithAck('ping-me', 'x');
      assert.equal(answer, 'acked');
      const serverSocket = serverSockets[serverSockets.length - 1];
      assert.equal(serverSocket.emit('pong', 'direct'), true);
    } finally {
      client.close();
    }
  });

  test('wrapping twice records once', async () => {
    const client = await connect();
    try {
      const serverSocket = serverSockets[serverSockets.length - 1];
      const { socketMiddleware } = createPerformanceMiddleware(service);
      let nextCalls = 0;
      socketMiddleware(serverSocket, () => nextCalls++);
      socketMiddleware(serverSocket, () => nextCalls++);
      assert.equal(nextCalls, 2);

      monitor.clearMetrics();
      serverSocket.emit('pong', 'once');
      assert.equal(recorded().length, 1);
    } finally {
      client.close();
    }
  });

  test('reserved event throws as before, unrecorded', async () => {
    const client = await connect();
    try {
      const serverSocket = serverSockets[serverSockets.length - 1];
      monitor.clearMetrics();
      assert.throws(() => serverSocket.emit('connect'), /reserved event name/);
      assert.equal(recorded().length, 0);
    } finally {
      client.close();
    }
  });
});
