'use strict';

// Load for the demo server: HTTP requests from autocannon and a few
// Socket.IO clients that play with the synth in a loop.

const { performance } = require('node:perf_hooks');
const { setTimeout: sleep } = require('node:timers/promises');
const autocannon = require('autocannon');
const { io: connectSocket } = require('socket.io-client');
const { LOBBY_ID } = require('./rooms');

const HTTP_CONNECTIONS = 8;
const HTTP_TIMEOUT_SECONDS = 5;
const SIMULATED_USERS = 50;
const SOCKET_REPLY_TIMEOUT_MS = 2000;
const SOCKET_PAUSE_MS = 10;
const VOICE_OFFER_EVERY = 10;
const OFFER_SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=setup:actpass\r\n';

/**
 * Runs autocannon against the server for `seconds` and returns its figures.
 * Each connection cycles through listing rooms, a health check, creating a
 * room and joining the lobby.
 */
async function runHttpLoad({ url, seconds, title }) {
  let requestNumber = 0;
  const nextNumber = () => {
    requestNumber += 1;
    return requestNumber;
  };

  const result = await autocannon({
    url,
    title,
    connections: HTTP_CONNECTIONS,
    duration: seconds,
    timeout: HTTP_TIMEOUT_SECONDS,
    requests: [
      { method: 'GET', path: '/api/rooms' },
      { method: 'GET', path: '/health' },
      {
        method: 'POST',
        path: '/api/rooms',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          request.body = JSON.stringify({ name: `Jam ${nextNumber()}`, ownerId: 'load' });
          return request;
        },
      },
      {
        method: 'POST',
        path: `/api/rooms/${LOBBY_ID}/join`,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const user = nextNumber() % SIMULATED_USERS;
          request.body = JSON.stringify({ userId: `user-${user}`, name: `Player ${user}` });
          return request;
        },
      },
    ],
  });

  return {
    title,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * Connects `count` Socket.IO clients that join the lobby, then loop: update
 * the synth and wait for the echo, and every few rounds send a voice offer
 * and wait for the answer. The round trips are recorded on `service` as
 * `websocket_latency` and `webrtc_connection_time` (ms, measured by the
 * clients). `stop()` ends the loops, disconnects and resolves to the counts.
 */
async function startSocketClients({ url, count, service }) {
  const sockets = [];
  for (let i = 0; i < count; i += 1) {
    const socket = connectSocket(url, { transports: ['websocket'], reconnection: false, timeout: 5000 });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    sockets.push(socket);
  }

  const totals = { clients: count, roundTrips: 0, timeouts: 0 };
  let running = true;
  const loops = sockets.map((socket, index) => playLoop(socket, `player-${index}`));

  async function playLoop(socket, userId) {
    let seq = 0;
    const request = async (event, replyEvent, payload) => {
      seq += 1;
      const start = performance.now();
      const reply = await replyTo(socket, replyEvent, seq, () => socket.emit(event, { seq, ...payload }));
      if (!reply) {
        totals.timeouts += 1;
        return null;
      }
      totals.roundTrips += 1;
      return performance.now() - start;
    };

    await request('join_room', 'room_joined', { roomId: LOBBY_ID, userId, name: userId });

    for (let round = 1; running; round += 1) {
      const params = { cutoff: Math.random(), resonance: 0.3, volume: 0.8, waveform: 'saw' };
      const latency = await request('update_synth_params', 'synth_params_updated', {
        roomId: LOBBY_ID,
        userId,
        params,
      });
      if (latency !== null) {
        service.recordMetric('websocket_latency', latency, 'ms', { event: 'update_synth_params', userId });
      }

      if (round % VOICE_OFFER_EVERY === 0) {
        const offer = { type: 'offer', sdp: OFFER_SDP };
        const setup = await request('voice_offer', 'voice_answer', { roomId: LOBBY_ID, userId, offer });
        if (setup !== null) {
          service.recordMetric('webrtc_connection_time', setup, 'ms', { roomId: LOBBY_ID, userId });
        }
      }
      await sleep(SOCKET_PAUSE_MS);
    }
  }

  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      for (const socket of sockets) socket.disconnect();
      return totals;
    },
  };
}

// Resolves to the first `replyEvent` carrying `seq`, or null after the reply
// timeout, so that a lost reply cannot stall a client loop.
function replyTo(socket, replyEvent, seq, send) {
  return new Promise((resolve) => {
    const onReply = (payload) => {
      if (payload?.seq !== seq) return;
      clearTimeout(timer);
      socket.off(replyEvent, onReply);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      socket.off(replyEvent, onReply);
      resolve(null);
    }, SOCKET_REPLY_TIMEOUT_MS);
    socket.on(replyEvent, onReply);
    send();
  });
}

module.exports = { runHttpLoad, startSocketClients };
