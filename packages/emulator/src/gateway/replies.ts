import { errorReply } from './resp-value';

/** Replies the gateway writes itself, worded exactly as redis-server 7 words them. */
export const REPLIES = {
  ok: Buffer.from('+OK\r\n'),
  reset: Buffer.from('+RESET\r\n'),
  noAuth: errorReply('NOAUTH Authentication required.'),
  // redis-server words any refusal of EXEC this way (server.c rejectCommand).
  execNoAuth: errorReply('EXECABORT Transaction discarded because of: NOAUTH Authentication required.'),
  helloNoAuth: errorReply(
    'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
  ),
  wrongPass: errorReply('WRONGPASS invalid username-password pair or user is disabled.'),
  noProto: errorReply('NOPROTO unsupported protocol version'),
  badProtocolVersion: errorReply('ERR Protocol version is not an integer or out of range'),
  helloSyntax: (option: string) => errorReply(`ERR Syntax error in HELLO option '${option}'`),
  authArity: errorReply("ERR wrong number of arguments for 'auth' command"),
  syntax: errorReply('ERR syntax error'),
  protocolError: (message: string) => errorReply(`ERR Protocol error: ${message}`),
  // The emulator's wording (ElastiCache / MemoryDB refuse AUTH in a transaction; their text is not published).
  authInsideMulti: errorReply('ERR AUTH and HELLO AUTH are not allowed inside MULTI'),
  backendUnavailable: errorReply('ERR gateway could not prepare the backend user'),
} as const;

/** A username that never exists on the backend: forwarding AUTH with it yields Redis' own refusal. */
export const REFUSED_USERNAME = 'authx-gateway-refused';
