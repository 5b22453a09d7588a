import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { FetchNetworkClient } from '../../src/network/fetch-network-client';
import { ObservingNetworkClient } from '../../src/network/observing-network-client';
import { type IdpRequestContext, idpRequestContext } from '../../src/network/request-context';
import { waitFor } from '../helpers/subscribe';

describe('FetchNetworkClient + ObservingNetworkClient (real HTTP on loopback)', () => {
  let server: Server;
  let baseUrl: string;
  const hung: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/ok') {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"access_token":"t","expires_in":60}');
      } else if (request.url === '/throttled') {
        response
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' })
          .end('{"error":"throttled"}');
      } else if (request.url === '/html') {
        response.writeHead(503, { 'content-type': 'text/html', 'retry-after': '2' }).end('<html>down</html>');
      } else {
        hung.push(response); // never answers
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const response of hung) response.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = new ObservingNetworkClient(new FetchNetworkClient());

  it('returns status, lower-case headers and the JSON body', async () => {
    const response = await client.sendPostRequestAsync(`${baseUrl}/ok`, {
      body: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response).toMatchObject({
      status: 200,
      body: { access_token: 't' },
      headers: { 'content-type': 'application/json' },
    });
  });

  it('records a non-2xx status and its Retry-After in the attempt context', async () => {
    const context: IdpRequestContext = {};
    const response = await idpRequestContext.run(context, () =>
      client.sendPostRequestAsync(`${baseUrl}/throttled`),
    );
    expect(response.status).toBe(429);
    expect(context.lastErrorResponse).toEqual({ status: 429, retryAfterMs: 3000 });
  });

  it('fails with MSAL’s token_parsing_error for a non-JSON body, without quoting the body', async () => {
    const error = await client.sendGetRequestAsync(`${baseUrl}/html`).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AuthError', errorCode: 'token_parsing_error' });
    expect((error as Error).message).toContain('HTTP 503, text/html');
    expect((error as Error).message).not.toContain('down');
  });

  it('keeps the status and Retry-After of a non-JSON error page in the attempt context', async () => {
    const context: IdpRequestContext = {};
    await expect(
      idpRequestContext.run(context, () => client.sendGetRequestAsync(`${baseUrl}/html`)),
    ).rejects.toMatchObject({ errorCode: 'token_parsing_error' });
    expect(context.lastErrorResponse).toEqual({ status: 503, retryAfterMs: 2000 });
  });

  it('sends every request through the given dispatcher', async () => {
    const agent = new Agent();
    const dispatched: string[] = [];
    const dispatcher = {
      dispatch(...[options, handler]: Parameters<Agent['dispatch']>) {
        dispatched.push(`${options.method} ${options.path}`);
        return agent.dispatch(options, handler);
      },
    };
    const viaDispatcher = new FetchNetworkClient({ dispatcher });
    try {
      await expect(viaDispatcher.sendGetRequestAsync(`${baseUrl}/ok`)).resolves.toMatchObject({
        status: 200,
      });
      expect(dispatched).toEqual(['GET /ok']);
    } finally {
      await agent.close();
    }
  });

  it('names an invalid dispatcher', () => {
    expect(() => new FetchNetworkClient({ dispatcher: {} as never })).toThrow(
      expect.objectContaining({ option: 'dispatcher' }),
    );
  });

  it('fails with MSAL’s network_error when the connection is refused', async () => {
    await expect(client.sendGetRequestAsync('http://127.0.0.1:1/x')).rejects.toMatchObject({
      name: 'AuthError',
      errorCode: 'network_error',
    });
  });

  it('aborts a hung request when the attempt’s signal fires', async () => {
    const controller = new AbortController();
    const hungBefore = hung.length;
    const pending = idpRequestContext.run({ signal: controller.signal }, () =>
      client.sendPostRequestAsync(`${baseUrl}/hang`),
    );
    await waitFor(() => hung.length > hungBefore, 5000, 'the request to reach the server');
    controller.abort();
    await expect(pending).rejects.toMatchObject({ errorCode: 'network_error' });
  });

  it('honours MSAL’s GET timeout argument', async () => {
    await expect(client.sendGetRequestAsync(`${baseUrl}/hang`, undefined, 50)).rejects.toMatchObject({
      errorCode: 'network_error',
    });
  });
});
