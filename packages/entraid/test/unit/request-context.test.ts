import { idpRequestContext } from '../../src/network/request-context';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('idpRequestContext', () => {
  it('gives an attempt its own context across awaits', async () => {
    const context = { signal: new AbortController().signal };
    const seen = await idpRequestContext.run(context, async () => {
      await tick();
      return idpRequestContext.getStore();
    });
    expect(seen).toBe(context);
  });

  it('has no context outside an attempt, before and after one', async () => {
    expect(idpRequestContext.getStore()).toBeUndefined();
    await idpRequestContext.run({}, async () => undefined);
    expect(idpRequestContext.getStore()).toBeUndefined();
  });

  it('keeps a running attempt’s context when an overlapping attempt ends first', async () => {
    const first = {};
    const second = {};
    let releaseSecond!: () => void;
    const secondGate = new Promise<void>((resolve) => {
      releaseSecond = resolve;
    });
    const secondRun = idpRequestContext.run(second, async () => {
      await secondGate;
      await tick();
      return idpRequestContext.getStore();
    });
    await idpRequestContext.run(first, async () => tick());
    releaseSecond();
    expect(await secondRun).toBe(second);
  });

  it('is usable again after every attempt ended (the storage is re-enabled)', async () => {
    await idpRequestContext.run({}, async () => undefined);
    const context = {};
    expect(await idpRequestContext.run(context, async () => idpRequestContext.getStore())).toBe(context);
  });

  it('releases the context when the attempt fails', async () => {
    await expect(
      idpRequestContext.run({}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(idpRequestContext.getStore()).toBeUndefined();
  });
});
