module.exports = {
  ...require('../../jest.base.js'),
  coverageThreshold: { global: { lines: 95, statements: 95, functions: 90, branches: 85 } },
};
