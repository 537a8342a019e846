'use strict';

// A stand-in for a chat or incident webhook: a plain HTTP server on
// 127.0.0.1 that stores every JSON body posted to it.

const http = require('node:http');

const MAX_STORED_BODIES = 1000;
const MAX_BODY_BYTES = 1024 * 1024;

async function startWebhookReceiver() {
  const deliveries = [];
  let received = 0;
  let invalid = 0;

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }

    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      received += 1;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (deliveries.length < MAX_STORED_BODIES) deliveries.push({ receivedAt: Date.now(), body });
      } catch {
        invalid += 1;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}/alerts`,
    deliveries,
    stats: () => ({ received, invalid, stored: deliveries.length }),
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
    },
  };
}

module.exports = { startWebhookReceiver };
