module.exports = {
  ...require('../../jest.base.js'),
  setupFiles: ['<rootDir>/test/support/gaxios-native-fetch.js'],
};
