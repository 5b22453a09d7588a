// Preloaded into seed-README child processes (NODE_OPTIONS=--require): the README connects to
// redis://your-host (port 6379). AUTHX_TEST_REDIRECT="your-host:6379=127.0.0.1:<gateway port>" makes
// that name resolve to an otherwise unused loopback address and forwards its port to the gateway,
// as a hosts-file entry plus a port forward would. Nothing else is touched.
const dns = require('node:dns');
const dnsPromises = require('node:dns/promises');
const net = require('node:net');

const ALIAS_ADDRESS = '127.255.0.1';
const [from, to] = (process.env.AUTHX_TEST_REDIRECT ?? '').split('=');
if (from && to) {
  const [fromHost, fromPort] = from.split(':');
  const [toHost, toPort] = to.split(':');
  const lookupResult = (options) => {
    const all = typeof options === 'object' && options !== null && options.all;
    return all ? [{ address: ALIAS_ADDRESS, family: 4 }] : { address: ALIAS_ADDRESS, family: 4 };
  };

  const lookup = dns.lookup;
  dns.lookup = function redirectedLookup(hostname, options, callback) {
    if (hostname !== fromHost) return lookup.call(this, hostname, options, callback);
    const cb = typeof options === 'function' ? options : callback;
    const result = lookupResult(typeof options === 'function' ? undefined : options);
    process.nextTick(() =>
      Array.isArray(result) ? cb(null, result) : cb(null, result.address, result.family),
    );
  };

  const lookupAsync = dnsPromises.lookup;
  dnsPromises.lookup = function redirectedLookupAsync(hostname, options) {
    if (hostname !== fromHost) return lookupAsync.call(this, hostname, options);
    return Promise.resolve(lookupResult(options));
  };

  const createConnection = net.createConnection;
  net.createConnection = function redirectedConnection(options, ...rest) {
    const matches =
      typeof options === 'object' &&
      options !== null &&
      (options.host === fromHost || options.host === ALIAS_ADDRESS) &&
      String(options.port ?? 6379) === fromPort;
    return createConnection.call(
      this,
      matches ? { ...options, host: toHost, port: Number(toPort) } : options,
      ...rest,
    );
  };
}
