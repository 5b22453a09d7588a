// Preloaded into seed-README child processes (NODE_OPTIONS=--require): the README connects to
// redis://your-host (port 6379); AUTHX_TEST_REDIRECT="your-host:6379=127.0.0.1:<gateway port>" maps that
// address to the emulator's gateway, as a hosts-file entry plus port forward would.
const net = require('node:net');

const [from, to] = (process.env.AUTHX_TEST_REDIRECT ?? '').split('=');
if (from && to) {
  const [fromHost, fromPort] = from.split(':');
  const [toHost, toPort] = to.split(':');
  const createConnection = net.createConnection;
  net.createConnection = function redirected(options, ...rest) {
    if (typeof options === 'object' && options !== null && options.host === fromHost && String(options.port ?? 6379) === fromPort) {
      return createConnection.call(this, { ...options, host: toHost, port: Number(toPort) }, ...rest);
    }
    return createConnection.call(this, options, ...rest);
  };
}
