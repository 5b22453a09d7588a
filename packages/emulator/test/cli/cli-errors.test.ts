import { DEFAULT_CLIENT_SECRET, LocalAzureRedisError, LocalAzureRedisErrorCode } from '../../src';
import { CliUsageError } from '../../src/local/cli-args';
import { describeCliFailure, EXIT_FAILURE, EXIT_USAGE } from '../../src/local/cli-errors';
import { TokenRequestError } from '../../src/local/token-request';

describe('describeCliFailure', () => {
  it('names the flag of a taken port', () => {
    const error = new LocalAzureRedisError(LocalAzureRedisErrorCode.PORT_IN_USE, 'port 8080 …', {
      option: 'managedIdentityPort',
      port: 8080,
    });
    expect(describeCliFailure(error)).toEqual({
      message:
        'port 8080 is already in use (--mi-port). Choose another port, or leave --mi-port out to use a free one.',
      exitCode: EXIT_FAILURE,
    });
  });

  it('says how to install a missing redis-server', () => {
    const error = new LocalAzureRedisError(LocalAzureRedisErrorCode.REDIS_SERVER_MISSING, 'not found');
    const { message, exitCode } = describeCliFailure(error);
    expect(message).toContain('sudo apt-get install redis-server');
    expect(message).toContain('REDIS_SERVER_BIN');
    expect(exitCode).toBe(EXIT_FAILURE);
  });

  it('treats usage errors and invalid options as exit 2', () => {
    expect(describeCliFailure(new CliUsageError('--port must be …')).exitCode).toBe(EXIT_USAGE);
    const invalid = new LocalAzureRedisError(LocalAzureRedisErrorCode.INVALID_OPTION, 'bad', {
      option: 'graceMs',
    });
    expect(describeCliFailure(invalid)).toEqual({ message: '--grace is invalid: bad', exitCode: EXIT_USAGE });
  });

  it('never adds the secret of a request it describes', () => {
    const cause = Object.assign(new Error('socket hang up'), {
      body: `client_secret=${DEFAULT_CLIENT_SECRET}`,
    });
    for (const error of [
      new TokenRequestError('cannot reach https://127.0.0.1:1: socket hang up', { cause }),
      new LocalAzureRedisError(LocalAzureRedisErrorCode.START_FAILED, 'the Redis gateway could not start', {
        cause,
      }),
      cause,
    ]) {
      expect(describeCliFailure(error).message).not.toContain(DEFAULT_CLIENT_SECRET);
    }
  });
});
