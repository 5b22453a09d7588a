import { REPLIES } from './replies';

/** `HELLO [protover [AUTH username password] [SETNAME clientname]]`, checked as redis-server 7 checks it. */
export type HelloCommand =
  | {
      readonly ok: true;
      /** Requested protocol; undefined for a bare `HELLO`. */
      readonly version: 2 | 3 | undefined;
      readonly credentials: { readonly username: string; readonly token: string } | undefined;
      readonly setName: Buffer | undefined;
    }
  | { readonly ok: false /** Redis' own error reply. */; readonly reply: Buffer };

/** Parses HELLO's arguments (`args[0]` is `HELLO`) in redis-server's order of checks. */
export function parseHello(args: Buffer[]): HelloCommand {
  let version: 2 | 3 | undefined;
  if (args.length >= 2) {
    const text = args[1].toString('latin1');
    if (!/^-?\d{1,18}$/.test(text)) return { ok: false, reply: REPLIES.badProtocolVersion };
    const requested = Number(text);
    if (requested !== 2 && requested !== 3) return { ok: false, reply: REPLIES.noProto };
    version = requested;
  }
  let credentials: { username: string; token: string } | undefined;
  let setName: Buffer | undefined;
  for (let j = 2; j < args.length; j++) {
    const option = args[j].toString('latin1');
    const moreArgs = args.length - 1 - j;
    if (option.toLowerCase() === 'auth' && moreArgs >= 2) {
      credentials = { username: args[j + 1].toString('utf8'), token: args[j + 2].toString('utf8') };
      j += 2;
    } else if (option.toLowerCase() === 'setname' && moreArgs >= 1) {
      setName = args[j + 1];
      j++;
    } else return { ok: false, reply: REPLIES.helloSyntax(option) };
  }
  return { ok: true, version, credentials, setName };
}
