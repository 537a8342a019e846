'use strict';

// Configuration errors of the delivery channels: each names the option and
// the rejected value, and the JavaScript layer turns the message prefix into
// a TypeError or a RangeError.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { ROOT } = require('./helpers/child');
const { binding, fromNative } = require(path.join(ROOT, 'lib', 'native.js'));

const { AlertDispatcher } = binding;

/** Returns the error that `new AlertDispatcher(config)` throws, converted by the JS layer. */
function constructionError(config) {
  try {
    const dispatcher = new AlertDispatcher(JSON.stringify(config), () => {});
    dispatcher.close(0);
  } catch (error) {
    return fromNative(error);
  }
  assert.fail(`no error for ${JSON.stringify(config)}`);
}

const CASES = [
  {
    config: { webhook: { enabled: true, url: 'http://127.0.0.1:9/', timeoutMs: 'soon' } },
    type: TypeError,
    message: 'invalid option alerting.webhook.timeoutMs: expected a number, received "soon"',
  },
  {
    config: { webhook: { enabled: true, url: 'ftp://example.test/' } },
    type: RangeError,
    message: 'invalid option alerting.webhook.url: must be an absolute http:// or https:// URL, received "ftp://example.test/"',
  },
  {
    config: { webhook: { enabled: true } },
    type: TypeError,
    message: 'missing option alerting.webhook.url: required when webhook.enabled is true',
  },
  {
    config: { file: { enabled: true, maxFileSize: -1 } },
    type: RangeError,
    message: 'invalid option alerting.file.maxFileSize: must be between 1 and 9007199254740991, received -1',
  },
  {
    config: { file: { enabled: 'yes' } },
    type: TypeError,
    message: 'invalid option alerting.file.enabled: expected a boolean, received "yes"',
  },
  {
    config: { webhook: { enabled: true, url: 'http://127.0.0.1:9/', format: 'teams' } },
    type: RangeError,
    message: "invalid option alerting.webhook.format: must be 'generic' or 'slack', received \"teams\"",
  },
  {
    config: { email: { enabled: true, host: '127.0.0.1', from: 'a@example.test', to: ['b@example.test', 7] } },
    type: TypeError,
    message: 'invalid option alerting.email.to[1]: expected a string, received 7',
  },
  {
    config: { email: { enabled: true, host: '127.0.0.1', from: 'a@example.test', to: 'x', starttls: 'always' } },
    type: RangeError,
    message: "invalid option alerting.email.starttls: must be 'required', 'opportunistic' or 'never', received \"always\"",
  },
  {
    config: { alertmanager: { enabled: true, url: 'http://127.0.0.1:9093', labels: { team: { name: 'x' } } } },
    type: TypeError,
    message: 'invalid option alerting.alertmanager.labels.team: expected a string, received {"name":"x"}',
  },
];

for (const { config, type, message } of CASES) {
  test(`config error: ${message.split(':')[0]}`, () => {
    const error = constructionError(config);
    assert.ok(error instanceof type, `${error.name}: ${error.message}`);
    assert.equal(error.message, message);
  });
}

test('validate checks without starting threads', () => {
  assert.equal(AlertDispatcher.validate(JSON.stringify({ file: { enabled: true } })), undefined);
  assert.throws(
    () => AlertDispatcher.validate(JSON.stringify({ webhook: { enabled: true, url: 'nope' } })),
    /^Error: RangeError: invalid option alerting\.webhook\.url/,
  );
});

test('unknown keys and disabled sections are accepted', () => {
  const config = {
    console: { enabled: true, logLevel: 'warn' },
    file: { enabled: false, logPath: 42 },
    webhook: { enabled: false, url: 'not a url' },
    extra: { anything: true },
  };
  assert.equal(AlertDispatcher.validate(JSON.stringify(config)), undefined);
});

test('invalid timeout is a RangeError', async () => {
  const dispatcher = new AlertDispatcher('{}', () => {});
  try {
    for (const timeout of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => dispatcher.flush(timeout), /RangeError: flush: timeoutMs must be/);
    }
    assert.equal(await dispatcher.flush(10), true);
  } finally {
    await dispatcher.close(1000);
  }
});

test('stats list enabled channels only', async () => {
  const dir = path.join(require('node:os').tmpdir(), `perf-sentinel-config-${process.pid}`);
  const dispatcher = new AlertDispatcher(
    JSON.stringify({ file: { enabled: true, logPath: path.join(dir, 'a.log') }, webhook: { enabled: false } }),
    () => {},
  );
  try {
    const stats = JSON.parse(dispatcher.stats());
    assert.deepEqual(stats, [
      { channel: 'file', sent: 0, retried: 0, failed: 0, dropped: 0, queued: 0, inFlight: 0, attempts: 0 },
    ]);
  } finally {
    await dispatcher.close(1000);
    require('node:fs').rmSync(dir, { recursive: true, force: true });
  }
});
