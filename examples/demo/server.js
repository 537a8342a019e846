'use strict';

// The demo's game server: Express 5 routes and Socket.IO events of the
// multiplayer music app, instrumented with perf-sentinel's middleware.

const http = require('node:http');
const { performance } = require('node:perf_hooks');
const express = require('express');
const { Server } = require('socket.io');

const ROOM_LIST_LIMIT = 50;

/**
 * Starts the server on 127.0.0.1 with an ephemeral port.
 *
 * `handlers.legacy` serves every route and event; `useMigratedJoinHandler()`
 * switches `POST /api/rooms/:id/join` to `handlers.migrated`. Room handlers
 * record `response_time` (ms spent in the handler) with the endpoint, as the
 * app does; the middleware records `http_response_time` and
 * `websocket_emit_time`.
 */
async function startRoomServer({ service, middleware, handlers }) {
  const startedAt = Date.now();
  let joinHandlers = handlers.legacy;

  async function timed(endpoint, method, work) {
    const start = performance.now();
    const result = await work();
    service.recordMetric('response_time', performance.now() - start, 'ms', { endpoint, method });
    return result;
  }

  const app = express();
  app.use(middleware.httpMiddleware);
  app.use(express.json({ limit: '16kb' }));

  app.get('/health', (req, res) => {
    res.json({ status: 'ok', uptimeMs: Date.now() - startedAt });
  });

  app.get('/api/rooms', async (req, res) => {
    const rooms = await timed('/api/rooms', 'GET', () =>
      handlers.legacy.store.listPublicRooms(ROOM_LIST_LIMIT),
    );
    res.json({ rooms });
  });

  app.post('/api/rooms', async (req, res) => {
    const result = await timed('/api/rooms', 'POST', () =>
      handlers.legacy.handleCreateRoom(req.body),
    );
    res.status(result.error ? 409 : 201).json(result);
  });

  app.post('/api/rooms/:id/join', async (req, res) => {
    const data = { ...req.body, roomId: req.params.id };
    const result = await timed('/api/rooms/:id/join', 'POST', () =>
      joinHandlers.handleJoinRoom(data),
    );
    res.status(result.error ? 404 : 200).json(result);
  });

  const httpServer = http.createServer(app);
  const io = new Server(httpServer, { serveClient: false, transports: ['websocket'] });
  io.use(middleware.socketMiddleware);
  io.on('connection', (socket) => handleSocket(socket, handlers.legacy));

  await new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', resolve);
  });
  const { port } = httpServer.address();

  return {
    url: `http://127.0.0.1:${port}`,

    useMigratedJoinHandler() {
      joinHandlers = handlers.migrated;
    },

    // Disconnects every socket and closes the HTTP server with its
    // keep-alive connections.
    close() {
      return new Promise((resolve) => {
        io.close(() => resolve());
        httpServer.closeAllConnections?.();
      });
    },
  };
}

function handleSocket(socket, roomHandlers) {
  socket.on('join_room', (data = {}) => {
    const result = roomHandlers.handleJoinRoom(data);
    if (!result.error) socket.join(result.roomId);
    socket.emit('room_joined', { seq: data.seq, ...result });
  });

  socket.on('update_synth_params', (data = {}) => {
    const result = roomHandlers.handleUpdateSynthParams(data);
    socket.emit('synth_params_updated', { seq: data.seq, ...result });
    if (!result.error) socket.to(result.roomId).emit('synth_params_changed', result);
  });

  socket.on('voice_offer', (data = {}) => {
    const result = roomHandlers.handleJoinVoice(data);
    socket.emit('voice_answer', { seq: data.seq, ...result });
  });
}

module.exports = { startRoomServer };
