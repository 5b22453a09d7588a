import { request } from 'node:https';

/**
 * Plays the browser: opens the authorization URL (trusting the emulator CA), lets the emulator
 * sign the default user in, and returns the query of the redirect (code, state, client_info).
 */
export function followAuthorizationUrl(url: string, caPem: string): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: caPem }, (response) => {
      response.resume();
      const location = response.headers.location;
      if (response.statusCode !== 302 || !location) {
        reject(new Error(`authorize answered ${response.statusCode} without a redirect`));
        return;
      }
      resolve(new URL(location).searchParams);
    });
    req.on('error', reject);
    req.end();
  });
}
