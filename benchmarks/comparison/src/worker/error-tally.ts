const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;

/** Counts client `error` events and keeps a few distinct messages (node-redis errors carry no credentials). */
export class ErrorTally {
  count = 0;
  readonly #messages = new Set<string>();

  constructor(private readonly maxSamples = 5) {}

  /** An `error` event of a client. */
  readonly onClientError = (error: Error): void => {
    this.count++;
    this.sample(error);
  };

  /** Keeps the message of a failed command or error event (up to `maxSamples` distinct ones). */
  sample(error: Error): void {
    // Belt and braces: a JWT in a message would be a leaked token.
    const message = `${error.name}: ${error.message}`.replace(JWT_PATTERN, '[token]');
    if (this.#messages.size < this.maxSamples) this.#messages.add(message);
  }

  samples(): string[] {
    return [...this.#messages];
  }
}
