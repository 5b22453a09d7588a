import { get } from 'node:https';

/** Performs the browser's part: GET the authorize URL and return the redirect's query parameters. */
export function followAuthorize(
  authorizeUrl: string,
  caPem: string,
): Promise<{ status: number; location: URL }> {
  return new Promise((resolve, reject) => {
    get(authorizeUrl, { ca: caPem }, (response) => {
      response.resume();
      const location = response.headers.location;
      if (!location) {
        reject(new Error(`authorize answered ${response.statusCode} without a Location`));
        return;
      }
      resolve({ status: response.statusCode ?? 0, location: new URL(location) });
    }).on('error', reject);
  });
}
