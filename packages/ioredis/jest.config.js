// Shared jest settings; the tests run against real redis-servers behind the emulator's gateway.
module.exports = { ...require('../../jest.base.js'), displayName: '@authx/ioredis' };
