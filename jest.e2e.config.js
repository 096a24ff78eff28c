/** End-to-end tests: a real n8n (installed once into a cache) against the Bird sandbox. */
const base = require('./jest.config.js');

module.exports = { ...base, testMatch: ['**/e2e/**/*.e2e.ts'], testTimeout: 120000 };
