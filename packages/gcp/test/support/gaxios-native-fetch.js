// gaxios 7 (under google-auth-library / gcp-metadata) loads node-fetch with a dynamic import(),
// which jest's CommonJS sandbox refuses (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG). Plain
// Node runs it fine; in tests the default gaxios instance uses Node's own fetch instead.
const path = require('node:path');

const gaxiosPath = require.resolve('gaxios', {
  paths: [path.dirname(require.resolve('google-auth-library'))],
});
const gaxios = require(gaxiosPath);
gaxios.instance.defaults = { ...gaxios.instance.defaults, fetchImplementation: globalThis.fetch };
