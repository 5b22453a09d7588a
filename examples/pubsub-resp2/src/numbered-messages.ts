/** What a subscriber received of the messages 0 … published−1. */
export interface DeliveryReport {
  published: number;
  received: number;
  lost: number;
  duplicates: number;
  /** Messages that arrived after a higher number had already arrived. */
  outOfOrder: number;
}

/** Records numbered messages as they arrive and compares them with what was published. */
export class NumberedMessages {
  readonly #seen = new Set<number>();
  #received = 0;
  #duplicates = 0;
  #outOfOrder = 0;
  #highest = -1;

  /** The subscriber's listener. */
  readonly onMessage = (message: string): void => {
    const n = Number(message);
    this.#received++;
    if (this.#seen.has(n)) this.#duplicates++;
    else this.#seen.add(n);
    if (n < this.#highest) this.#outOfOrder++;
    this.#highest = Math.max(this.#highest, n);
  };

  report(published: number): DeliveryReport {
    let lost = 0;
    for (let n = 0; n < published; n++) if (!this.#seen.has(n)) lost++;
    return {
      published,
      received: this.#received,
      lost,
      duplicates: this.#duplicates,
      outOfOrder: this.#outOfOrder,
    };
  }
}
