'use strict';

// Email channel against a real SMTP server (the smtp-server package) that
// the test starts on 127.0.0.1: recipients, subject, body, authentication,
// STARTTLS and implicit TLS.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { SMTPServer } = require('smtp-server');

const { PerformanceMonitoringService } = require('perf-sentinel');
const { QUIET } = require('./helpers/delivery');

const USER = 'alerts';
const PASS = 'correct horse';
const METRIC = 'email_latency';
const RECIPIENTS = ['oncall@example.test', 'team@example.test'];

// A self-signed X.509 v3 certificate for localhost and 127.0.0.1, valid until
// 2126, made for these tests only with
// `openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=localhost
// -addext subjectAltName=DNS:localhost,IP:127.0.0.1`. The certificate that
// smtp-server ships is X.509 v1, which rustls does not parse.
const TEST_KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCVZrC8hQ7woKlf',
  'NGTWZt7DMNTWmWtozOhb7aey3g1JZVLNAuSvvsD4RH6HawNmDYdL199rw93BBoTO',
  '5zu16TgPc1cj8NksvD2UIhzUujAoX5myV86Vl6o0OwfM6CmtptWCRqDIogp9Frlh',
  'Vy27wH28Op1FIvOFv/CDc/9t5BJ1zc6hVy9Brgp5afRqslaY/5VNRYOddQXqyOpc',
  '6D8wJTiA5i85BW64BsVuT3LR/RQM+RnpufNm9IuqXIe1SShuYp2HTIjo6W80FxWO',
  'pzvRvac0Kj4Prm8bGj8iMqQEqfa610O0qcxzeUcGAlrFBJXzHlcQtt/dtzQpy8vX',
  'y/Duk/g5AgMBAAECggEAC0mkbcHh1JVW5p4HRlmkV/v/AK27u0HMBnIIuw9i0ppI',
  'rLucuph/bOKD6shPi+zWvYi0VSiJvxU2gIlg7ggOV8B/o3QFfIdGYcRICFx+2fYL',
  'HznaHlxEnEifeMBLsdaKiBq8+BuiDjxiyjNzfZ14AnotOrV+z6qmSdBASrWyHVtP',
  'O/pSUSOBAj7BSf2OKwCV/VT+vRxQ3oj8TI1k03GbC+S527RnFyvW/su7Z0YVNED1',
  'mgB6bDj0jvntOIb4TOpgGZatJyuvOfvJM3NW7oA0r3YYYjxUAwKu26MxjgO1bnn1',
  '54Hged80XAVWyAWhQgu68pbsJcxe6nWdShi+ADqVpwKBgQDNpY7Ic19JuyPxazaI',
  'HIWhVVyA++tngLLJaNM/oskwuyKLRQ1gHUKxIPGl6WwdJ+uTbCAxTq4ZlKjKEHpR',
  'P1ulr9i0UwHr1zDkv4fPsL6XqAzjjHfZPCyYoagRc9W+lP0HfD4mN6pV5/rkT+Jv',
  'HtVpZiiK22ChnDlhreKS0XjVRwKBgQC5+4V8DqjPLlKmpXq2cSqeEhJrZg1a8560',
  '8nGGPjVBNoLYbwFL3fSk7h7X8klvwWVs5n+0W5Isf4KP/mWV0CVXiv9cO3ygJuV1',
  'EZU6+BFGoGs5WtLJ6q4q8d5LDULJKTf56jUa6TtSdacnLjQafUWYDs/Z+VdWQIJf',
  '1p5r14mGfwKBgD8UpLq6ISWVwQ3B7GVOEnONoqVyISCLqsv7WqlvfrVzAcKkuNid',
  'wSJiT52r/1zmLO34wds+Hkt8fVYWPd8ER1GIojmWKMW2KapRUhCUT7JneySlpvG8',
  '8pUTKWHJHWyreP49zzab5qUZVq2ID5Y0aBQ/oPoPFxIbwMJEu3Z7yMvrAoGALStu',
  'XxP8Yd1BS6ITLK5NiHihKp5tjfJvUEk100HWk1EW9FP5f6CXo1sF+LKqrU7OQGW3',
  'DGnVFaOeZTSHHZyhBSMIJDF6cjcgMY+kq97F615YzGRHn6y0wk9eCuJcnxi4tKTy',
  'YufUdZGHmFd7ZheYyHaIess5MASY5YftkAmYKCcCgYEAjiSts8yG9GczHD13POTB',
  'u8xd9DxUWL4bD1aQ/y21rDFKpLA0P6rbPZFh8AhCvm1kj0iFu0bRAxpgoJafTMuM',
  'Pm1gMz3qsM0jDBgMV1rGbH38TTxII1WatawqOtOYHuOcLR+Q8edb5zauv6kDRQXQ',
  '4o4sQTjTuH+5WRFzZXODQn0=',
  '-----END PRIVATE KEY-----',
].join('\n');
const TEST_CERT = [
  '-----BEGIN CERTIFICATE-----',
  'MIIDJzCCAg+gAwIBAgIUWNy6XqFafFvkMHWziPMIffvEJrAwDQYJKoZIhvcNAQEL',
  'BQAwFDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNDIwMzMwNFoYDzIxMjYx',
  'MTEwMjAzMzA0WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwggEiMA0GCSqGSIb3DQEB',
  'AQUAA4IBDwAwggEKAoIBAQCVZrC8hQ7woKlfNGTWZt7DMNTWmWtozOhb7aey3g1J',
  'ZVLNAuSvvsD4RH6HawNmDYdL199rw93BBoTO5zu16TgPc1cj8NksvD2UIhzUujAo',
  'X5myV86Vl6o0OwfM6CmtptWCRqDIogp9FrlhVy27wH28Op1FIvOFv/CDc/9t5BJ1',
  'zc6hVy9Brgp5afRqslaY/5VNRYOddQXqyOpc6D8wJTiA5i85BW64BsVuT3LR/RQM',
  '+RnpufNm9IuqXIe1SShuYp2HTIjo6W80FxWOpzvRvac0Kj4Prm8bGj8iMqQEqfa6',
  '10O0qcxzeUcGAlrFBJXzHlcQtt/dtzQpy8vXy/Duk/g5AgMBAAGjbzBtMB0GA1Ud',
  'DgQWBBSQc2VSgRenWtjFYObR2yem13M2WjAfBgNVHSMEGDAWgBSQc2VSgRenWtjF',
  'YObR2yem13M2WjAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGCCWxvY2FsaG9z',
  'dIcEfwAAATANBgkqhkiG9w0BAQsFAAOCAQEADBDcqIC3cuyyFg9zeGX5+379LkES',
  'tYjHnqNgq5XG3fJMQZSNyWS6LgNxKBmfWaYGtZoLqUNGDqpPPrwra1YniQNUHATL',
  '91qUttZB0PFuCiLxU5fHJtd+rQ9b+Ii8ld/LHo8KgCGsSqp9PlUAY22qtqU1tvCG',
  'C7wd+QgJ/IliTsC9HOWJhbTXS+banjG7XeoKT9g8Avkz2U/6HNdgvwPw5/4nUspX',
  'ZNeq/OiJWwn8YrEKgOhKQFX2fy8SnGCv88I8apgG78hlZ+90N4UZx4th1pYCAKfn',
  'IBhMsMJRZhKhicgEaHm0a+XNmkxYUA9MIvjl5mrxklAErmBSZ7gmAbq/AA==',
  '-----END CERTIFICATE-----',
].join('\n');

/**
 * Starts an SMTP server on 127.0.0.1 that requires authentication and
 * records every message as { from, to, raw, user, secure }.
 */
async function startSmtp(options = {}) {
  const messages = [];
  const authAttempts = [];
  const errors = [];
  const server = new SMTPServer({
    logger: false,
    key: TEST_KEY,
    cert: TEST_CERT,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, session, callback) {
      authAttempts.push(auth.username);
      if (auth.username === USER && auth.password === PASS) return callback(null, { user: USER });
      const error = new Error('Invalid username or password');
      error.responseCode = 535;
      return callback(error);
    },
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user,
          secure: session.secure,
        });
        callback();
      });
    },
    ...options,
  });
  // A failed TLS handshake is an 'error' on the server; without a listener it would throw.
  server.on('error', (error) => errors.push(error));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.server.address().port,
    messages,
    authAttempts,
    errors,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function emailService(port, email = {}) {
  return new PerformanceMonitoringService({
    alerting: {
      ...QUIET,
      email: {
        enabled: true,
        host: '127.0.0.1',
        port,
        starttls: 'never',
        auth: { user: USER, pass: PASS },
        from: 'perf-sentinel@example.test',
        to: RECIPIENTS,
        timeoutMs: 5000,
        retries: 1,
        backoffMs: 20,
        ...email,
      },
    },
    monitoring: { alertCooldownPeriod: 0 },
  });
}

function raiseOneViolation(service) {
  service.getPerformanceMonitor().setThreshold(METRIC, 100, 'ms');
  service.recordMetric(METRIC, 200, 'ms');
}

/** Returns the value of header `name` in a raw message, unfolded. */
function header(raw, name) {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line === undefined ? undefined : line.slice(name.length + 1).trim();
}

function emailStats(service) {
  return service.getDeliveryStats().find((entry) => entry.channel === 'email');
}

test('email reaches every recipient with subject and body', async () => {
  const smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
  const service = emailService(smtp.port);
  try {
    raiseOneViolation(service);
    assert.equal(await service.stop(), true);

    // One violation is routed as a 'threshold' and a 'regression_test' alert.
    assert.equal(smtp.messages.length, 2);
    for (const message of smtp.messages) {
      assert.deepEqual(message.to, RECIPIENTS);
      assert.equal(message.from, 'perf-sentinel@example.test');
      assert.equal(message.user, USER);
      assert.match(header(message.raw, 'To'), /oncall@example\.test/);
      assert.match(header(message.raw, 'To'), /team@example\.test/);
      assert.match(header(message.raw, 'Message-ID'), /@perf-sentinel>$/);
    }
    const threshold = smtp.messages.find((message) => / threshold alert/.test(header(message.raw, 'Subject')));
    assert.ok(threshold, 'no message for the threshold alert');
    assert.equal(header(threshold.raw, 'Subject'), `[perf-sentinel] CRITICAL threshold alert: ${METRIC}`);
    const body = threshold.raw.split(/\r?\n\r?\n/).slice(1).join('\n');
    assert.match(body, new RegExp(`Metric: +${METRIC}`));
    assert.match(body, /Current value: +200/);
    assert.match(body, /Threshold: +100/);
    assert.match(body, /Severity: +critical/);
    assert.match(body, /Change: +100\.00%/);
    assert.match(body, /Alert id: +[0-9a-f-]{36}/);

    const stats = emailStats(service);
    assert.equal(stats.sent, 2);
    assert.equal(stats.failed, 0);
  } finally {
    await service.cleanup();
    await smtp.close();
  }
});

test('wrong password fails without retry', async () => {
  const smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
  const service = emailService(smtp.port, { auth: { user: USER, pass: 'wrong' }, retries: 3 });
  const failures = [];
  service.on('deliveryError', (event) => failures.push(event));
  try {
    raiseOneViolation(service);
    assert.equal(await service.stop(), true);

    assert.equal(smtp.messages.length, 0);
    assert.equal(failures.length, 2);
    for (const failure of failures) {
      assert.equal(failure.channel, 'email');
      assert.equal(failure.attempts, 1);
      assert.match(failure.error, /535|Invalid username or password/);
    }
    assert.equal(smtp.authAttempts.length, 2, 'a permanent SMTP error was retried');
    assert.equal(emailStats(service).failed, 2);
  } finally {
    await service.cleanup();
    await smtp.close();
  }
});

test('starttls required upgrades the connection', async () => {
  const smtp = await startSmtp();
  const service = emailService(smtp.port, { starttls: 'required', rejectUnauthorized: false });
  try {
    raiseOneViolation(service);
    assert.equal(await service.stop(), true);

    assert.equal(smtp.messages.length, 2);
    for (const message of smtp.messages) assert.equal(message.secure, true);
  } finally {
    await service.cleanup();
    await smtp.close();
  }
});

test('untrusted certificate is rejected by default', async () => {
  const smtp = await startSmtp();
  const service = emailService(smtp.port, { starttls: 'required', retries: 3 });
  const failures = [];
  service.on('deliveryError', (event) => failures.push(event));
  try {
    raiseOneViolation(service);
    assert.equal(await service.stop(), true);

    assert.equal(smtp.messages.length, 0);
    assert.equal(failures.length, 2);
    for (const failure of failures) {
      assert.equal(failure.attempts, 1, 'a certificate error was retried');
      assert.match(failure.error, /certificate|tls/i);
    }
  } finally {
    await service.cleanup();
    await smtp.close();
  }
});

test('secure option uses implicit TLS', async () => {
  const smtp = await startSmtp({ secure: true });
  const service = emailService(smtp.port, { secure: true, rejectUnauthorized: false });
  try {
    raiseOneViolation(service);
    assert.equal(await service.stop(), true);

    assert.equal(smtp.messages.length, 2);
    for (const message of smtp.messages) assert.equal(message.secure, true);
  } finally {
    await service.cleanup();
    await smtp.close();
  }
});

test('burst beyond the rate limit becomes a digest', async () => {
  const smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
  const service = emailService(smtp.port, { rateLimit: { perSecond: 1, burst: 2 } });
  try {
    const monitor = service.getPerformanceMonitor();
    for (let i = 0; i < 10; i++) {
      monitor.setThreshold(`digest_metric_${i}`, 100, 'ms');
      service.recordMetric(`digest_metric_${i}`, 200, 'ms');
    }
    assert.equal(await service.stop(), true);

    const alertIds = new Set();
    let digests = 0;
    for (const message of smtp.messages) {
      for (const match of message.raw.matchAll(/Alert id: +([0-9a-f-]{36})/g)) alertIds.add(match[1]);
      if (/performance alerts:/.test(header(message.raw, 'Subject'))) digests++;
    }
    // Ten violations, each routed as 'threshold' and 'regression_test'.
    assert.equal(alertIds.size, 20, 'an alert is missing from the emails');
    assert.ok(digests >= 1, 'no digest was sent');
    assert.ok(smtp.messages.length < 20, `${smtp.messages.length} emails for 20 alerts`);
    const stats = emailStats(service);
    assert.equal(stats.sent, 20);
    assert.equal(stats.dropped, 0);
  } finally {
    await service.cleanup();
    await smtp.close();
  }
});
