'use strict';

// Loads the generated Node-API loader and turns the binding's errors into
// the JavaScript error classes their messages name.

const binding = require('../binding.js');

const CLASS_PREFIX = /^(TypeError|RangeError): /;

/**
 * Converts an error thrown by the binding into a TypeError or RangeError
 * when its message starts with that class name; other errors pass through.
 */
function fromNative(error, method) {
  if (!(error instanceof Error)) return error;
  const match = CLASS_PREFIX.exec(error.message);
  if (!match) return error;
  const ErrorClass = match[1] === 'RangeError' ? RangeError : TypeError;
  const message = error.message.slice(match[0].length);
  return new ErrorClass(method ? `${method}: ${message}` : message);
}

module.exports = { binding, fromNative };
