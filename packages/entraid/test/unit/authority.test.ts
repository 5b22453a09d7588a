import { InvalidOptionError } from '@authx/token-core';
import { resolveAuthority } from '../../src/authority';

const noEnv = {};

describe('resolveAuthority', () => {
  describe('multi-tenant', () => {
    it('uses the public cloud login host with the tenant', () => {
      expect(
        resolveAuthority(
          { type: 'multi-tenant', tenantId: 'contoso.onmicrosoft.com' },
          { appOnly: true, env: noEnv },
        ),
      ).toEqual({
        authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
        knownAuthorities: [],
      });
    });

    it.each([
      ['AzureChina', 'https://login.chinacloudapi.cn/t1'],
      ['AzureGovernment', 'https://login.microsoftonline.us/t1'],
      ['AzurePublicCloud', 'https://login.microsoftonline.com/t1'],
    ] as const)('uses the %s login host when cloud is set', (cloud, authority) => {
      expect(
        resolveAuthority({ type: 'multi-tenant', tenantId: 't1', cloud }, { appOnly: true, env: noEnv }),
      ).toEqual({ authority, knownAuthorities: [] });
    });

    it('honours AZURE_AUTHORITY_HOST and lists a non-Microsoft host with its port as known authority', () => {
      const env = { AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443/' };
      expect(resolveAuthority({ type: 'multi-tenant', tenantId: 't1' }, { appOnly: true, env })).toEqual({
        authority: 'https://127.0.0.1:8443/t1',
        knownAuthorities: ['127.0.0.1:8443'],
      });
    });

    it('prefers an explicit cloud over AZURE_AUTHORITY_HOST, as @azure/identity prefers authorityHost', () => {
      const env = { AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443' };
      expect(
        resolveAuthority(
          { type: 'multi-tenant', tenantId: 't1', cloud: 'AzureChina' },
          { appOnly: true, env },
        ).authority,
      ).toBe('https://login.chinacloudapi.cn/t1');
    });

    it('does not list a Microsoft sovereign host from AZURE_AUTHORITY_HOST as known authority', () => {
      const env = { AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us' };
      expect(
        resolveAuthority({ type: 'multi-tenant', tenantId: 't1' }, { appOnly: true, env }).knownAuthorities,
      ).toEqual([]);
    });

    it.each(['common', 'organizations', 'consumers', 'Common'])(
      'rejects tenant %s for app-only flows, naming the option',
      (tenantId) => {
        expect(() =>
          resolveAuthority({ type: 'multi-tenant', tenantId }, { appOnly: true, env: noEnv }),
        ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', option: 'authorityConfig.tenantId' }));
      },
    );

    it('accepts organizations for the user sign-in flow', () => {
      expect(
        resolveAuthority({ type: 'multi-tenant', tenantId: 'organizations' }, { appOnly: false, env: noEnv })
          .authority,
      ).toBe('https://login.microsoftonline.com/organizations');
    });

    it.each(['', 'a/b', 'x y', 42])('rejects tenantId %p', (tenantId) => {
      expect(() =>
        resolveAuthority(
          { type: 'multi-tenant', tenantId: tenantId as string },
          { appOnly: true, env: noEnv },
        ),
      ).toThrow(InvalidOptionError);
    });

    it('rejects an AZURE_AUTHORITY_HOST that is not https, naming the variable', () => {
      const env = { AZURE_AUTHORITY_HOST: 'http://127.0.0.1:8080' };
      expect(() =>
        resolveAuthority({ type: 'multi-tenant', tenantId: 't1' }, { appOnly: true, env }),
      ).toThrow(/AZURE_AUTHORITY_HOST/);
    });

    it('rejects an unknown cloud, listing the accepted ones', () => {
      expect(() =>
        resolveAuthority(
          { type: 'multi-tenant', tenantId: 't1', cloud: 'Mars' as never },
          { appOnly: true, env: noEnv },
        ),
      ).toThrow(/authorityConfig\.cloud.*'AzurePublicCloud', 'AzureChina', 'AzureGovernment'/);
    });
  });

  describe('default', () => {
    it('is the common endpoint for user sign-in', () => {
      expect(resolveAuthority(undefined, { appOnly: false, env: noEnv }).authority).toBe(
        'https://login.microsoftonline.com/common',
      );
    });

    it('fails at construction for app-only flows, naming authorityConfig', () => {
      expect(() => resolveAuthority({ type: 'default' }, { appOnly: true, env: noEnv })).toThrow(
        expect.objectContaining({
          option: 'authorityConfig',
          message: expect.stringContaining("'multi-tenant'"),
        }),
      );
      expect(() => resolveAuthority(undefined, { appOnly: true, env: noEnv })).toThrow(InvalidOptionError);
    });
  });

  describe('custom', () => {
    it('keeps the URL, trims trailing slashes and lists a private host', () => {
      expect(
        resolveAuthority(
          { type: 'custom', authorityUrl: 'https://localhost:9443/tenant-1/' },
          { appOnly: true, env: noEnv },
        ),
      ).toEqual({
        authority: 'https://localhost:9443/tenant-1',
        knownAuthorities: ['localhost:9443'],
      });
    });

    it('ignores AZURE_AUTHORITY_HOST', () => {
      const env = { AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443' };
      expect(
        resolveAuthority(
          { type: 'custom', authorityUrl: 'https://login.microsoftonline.com/t1' },
          { appOnly: true, env },
        ).authority,
      ).toBe('https://login.microsoftonline.com/t1');
    });

    it.each(['https://login.microsoftonline.com/common', 'https://login.microsoftonline.com/consumers/'])(
      'rejects %s for app-only flows',
      (authorityUrl) => {
        expect(() =>
          resolveAuthority({ type: 'custom', authorityUrl }, { appOnly: true, env: noEnv }),
        ).toThrow(expect.objectContaining({ option: 'authorityConfig.authorityUrl' }));
      },
    );

    it.each(['http://login.microsoftonline.com/t1', 'not a url', 'https://login.microsoftonline.com/'])(
      'rejects %s',
      (authorityUrl) => {
        expect(() =>
          resolveAuthority({ type: 'custom', authorityUrl }, { appOnly: false, env: noEnv }),
        ).toThrow(expect.objectContaining({ option: 'authorityConfig.authorityUrl' }));
      },
    );
  });

  it('rejects an unknown type, listing the accepted ones', () => {
    expect(() =>
      resolveAuthority({ type: 'single-tenant' } as never, { appOnly: false, env: noEnv }),
    ).toThrow(/authorityConfig\.type.*'default', 'multi-tenant'.*'custom'/);
  });
});
