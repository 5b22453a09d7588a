// `pnpm test`: the suite against the newest and the lowest node-redis 6.x in ONE jest run, as two
// projects sharing the workers. The tests mostly wait on real servers and sockets (little CPU), so
// more workers than cores shortens the run without slowing any test down.
/** @type {import('jest').Config} */
module.exports = {
  projects: ['<rootDir>/jest.config.js', '<rootDir>/jest.node-redis-lowest.config.js'],
  maxWorkers: 4,
  // Global options are not taken from the projects' configs.
  testTimeout: require('../../jest.base.js').testTimeout,
};
