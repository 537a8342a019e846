'use strict';

const { describeArgument } = require('./harness');

/** The `path` recorded for a request that no Express route matched. */
const UNMATCHED_PATH = '<unmatched>';
const WRAPPED_EMIT = Symbol('perf-sentinel.wrappedEmit');

/**
 * Creates an Express middleware and a Socket.IO middleware that record
 * timings on `service` (anything with `recordMetric(name, value, unit, context)`).
 *
 * - `httpMiddleware(req, res, next)` records `http_response_time` (ms) with
 *   `{ method, path, statusCode }` once per request, when the response
 *   emits 'finish', or 'close' when the client went away first (then the
 *   context also has `aborted: true`).
 * - `socketMiddleware(socket, next)` wraps `socket.emit` once and records
 *   `websocket_emit_time` (ms) with `{ event, socketId }` after each emit
 *   that returns. The time covers the synchronous part of `emit` (packet
 *   encoding and the hand-over to the transport), not delivery to the client.
 *
 * `path` is the route pattern, never the raw URL, so that ids in URLs do not
 * create one metric context per id: `req.baseUrl + req.route.path` when
 * Express matched a route (for example `/rooms/:id`), else `'<unmatched>'`.
 *
 * Neither middleware throws into the request: a failure to record is
 * reported once per middleware pair with `process.emitWarning`.
 */
function createPerformanceMiddleware(service) {
  if (service === null || typeof service !== 'object' || typeof service.recordMetric !== 'function') {
    throw new TypeError(
      `service must be a PerformanceMonitoringService (with recordMetric), received ${describeArgument(service)}`,
    );
  }

  let warned = false;
  const record = (name, milliseconds, context) => {
    try {
      service.recordMetric(name, milliseconds, 'ms', context);
    } catch (error) {
      if (warned) return;
      warned = true;
      process.emitWarning(
        `Recording ${name} failed: ${error && error.message}. Later failures of this middleware are not reported.`,
        { type: 'PerformanceMiddlewareWarning', code: 'PERF_SENTINEL_MIDDLEWARE_RECORD_FAILED' },
      );
    }
  };

  function httpMiddleware(req, res, next) {
    try {
      watchResponse(req, res, record);
    } catch {
      // A request or response object without the usual EventEmitter methods.
      // The request still goes on, unmeasured.
    }
    if (typeof next === 'function') next();
  }

  function socketMiddleware(socket, next) {
    try {
      wrapEmit(socket, record);
    } catch {
      // A socket whose emit cannot be replaced stays unmeasured.
    }
    if (typeof next === 'function') next();
  }

  return { httpMiddleware, socketMiddleware };
}

function watchResponse(req, res, record) {
  const start = process.hrtime.bigint();
  let recorded = false;

  const onDone = (aborted) => {
    if (recorded) return;
    recorded = true;
    res.removeListener('finish', onFinish);
    res.removeListener('close', onClose);

    const milliseconds = Number(process.hrtime.bigint() - start) / 1e6;
    const context = { method: req.method, path: routePattern(req), statusCode: res.statusCode };
    if (aborted) context.aborted = true;
    record('http_response_time', milliseconds, context);
  };
  const onFinish = () => onDone(false);
  // Node emits 'close' after 'finish' too; by then `recorded` is set.
  const onClose = () => onDone(!res.writableFinished);

  res.on('finish', onFinish);
  res.on('close', onClose);
}

/** Returns the Express route pattern of a request, or `'<unmatched>'`. */
function routePattern(req) {
  const route = req.route;
  if (!route || route.path === undefined || route.path === null) return UNMATCHED_PATH;

  const routePath = Array.isArray(route.path) ? route.path.map(String).join(',') : String(route.path);
  // Limitation: Express stores the matched mount path in req.baseUrl, not the mount pattern, so a router mounted on a path with parameters (app.use('/rooms/:id', router)) puts the parameter values into `path`.
  const baseUrl = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  return baseUrl + routePath;
}

function wrapEmit(socket, record) {
  if (socket[WRAPPED_EMIT]) return;
  const originalEmit = socket.emit;
  if (typeof originalEmit !== 'function') return;

  socket.emit = function emit(event) {
    const start = process.hrtime.bigint();
    const result = originalEmit.apply(this, arguments);
    const milliseconds = Number(process.hrtime.bigint() - start) / 1e6;
    record('websocket_emit_time', milliseconds, { event: String(event), socketId: socket.id });
    return result;
  };
  socket[WRAPPED_EMIT] = true;
}

module.exports = { createPerformanceMiddleware, UNMATCHED_PATH };
