import { Timeline } from '../scripts/chaos/timeline';

// The chaos soak's blame rules (scripts/chaos/timeline.ts), pure.
const allowances = { recoveryMs: 30_000, reconnectMs: 3_000, expirySlackMs: 100, killSlackMs: 250 };

describe('chaos Timeline › did an outage outlive the token?', () => {
  const base = {
    outages: [{ downAtMs: 10_000, upAtMs: 11_300 }],
    kills: [],
    subscriberReadyAtMs: [],
    // Issued before the outage, estimated to last past it; the next one after it.
    tokens: [
      { fromMs: 9_000, toMs: 11_600 },
      { fromMs: 11_550, toMs: 13_550 },
    ],
  };

  it('trusts the issued tokens when the gateway evicted nobody for expiry', () => {
    const [outage] = new Timeline(base, allowances).outages;
    expect(outage?.outlivedAtMs).toBeUndefined();
  });

  it('takes a gateway eviction for a token that ran out before any newer one as proof it did', () => {
    const timeline = new Timeline(
      { ...base, expiryEvictions: [{ atMs: 11_420, tokenExpiresAtMs: 11_400 }] },
      allowances,
    );
    const [outage] = timeline.outages;
    expect(outage?.outlivedAtMs).toBe(11_300);
    expect(outage?.firstTokenAtMs).toBe(11_550);
    expect(timeline.loss(11_450)).toBe('outage-outliving-token');
  });

  it('does not excuse an eviction while a newer token had already been issued (the binding should have used it)', () => {
    const [outage] = new Timeline(
      { ...base, expiryEvictions: [{ atMs: 11_620, tokenExpiresAtMs: 11_600 }] },
      allowances,
    ).outages;
    expect(outage?.outlivedAtMs).toBeUndefined();
  });
});

describe('chaos Timeline › messages lost around a kill of the subscriber', () => {
  it("counts a message published just before the kill as the kill's (it was in flight on the killed socket)", () => {
    const timeline = new Timeline(
      {
        outages: [],
        tokens: [{ fromMs: 0, toMs: 100_000 }],
        kills: [{ atMs: 76_000, hitSubscriber: true }],
        subscriberReadyAtMs: [76_300],
      },
      allowances,
    );
    expect(timeline.loss(75_900)).toBe('subscriber-kill');
    expect(timeline.loss(76_200)).toBe('subscriber-kill');
    expect(timeline.loss(75_000)).toBe('other');
    expect(timeline.loss(77_000)).toBe('other');
  });
});
