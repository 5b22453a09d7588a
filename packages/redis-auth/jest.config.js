const path = require('node:path');

const redisDir = path.dirname(require.resolve('redis/package.json'));
const { version } = require(require.resolve('@redis/client/package.json', { paths: [redisDir] }));

// The newest node-redis 6.x (devDependency `redis`); jest.node-redis-lowest.config.js runs the
// same suite against the lowest one the peer range allows. displayName labels each run.
module.exports = { ...require('../../jest.base.js'), displayName: `node-redis ${version}` };
