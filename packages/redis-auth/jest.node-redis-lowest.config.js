const path = require('node:path');
const { peerDependencies } = require('./package.json');

// The same suite against the lowest node-redis the peer range allows: the tests import 'redis',
// which is mapped to the devDependency alias `redis-lowest` (npm:redis@6.0.0, with its own
// @redis/client 6.0.0 in node_modules/.pnpm).
const lowest = peerDependencies['@redis/client'].replace(/^\^/, '');
const redisDir = path.dirname(require.resolve('redis-lowest/package.json'));
const { version } = require(require.resolve('@redis/client/package.json', { paths: [redisDir] }));
if (version !== lowest) {
  throw new Error(
    `redis-lowest runs on @redis/client ${version}, but the peer range "${peerDependencies['@redis/client']}" starts at ${lowest}: update the alias in package.json`,
  );
}

module.exports = {
  ...require('./jest.config.js'),
  displayName: `node-redis ${version}`,
  moduleNameMapper: { '^redis$': 'redis-lowest' },
};
