// Start-up options through util.parseArgs: every flag, its environment variable, and clear refusals.
import assert from 'node:assert/strict';
import { parseConfig, ConfigError } from '../../src/config/config.js';

describe('config: flags and environment variables', () => {
  it('reads every flag, with a value after it or after =, and booleans with or without a value', () => {
    const c = parseConfig(
      [
        '--port',
        '9000',
        '--host=0.0.0.0',
        '--data-dir',
        '/d',
        '--in-memory',
        '--time-scale',
        '0.5',
        '--retry-after=3',
        '--no-auth',
        '--http',
        '--cert',
        'c.pem',
        '--key',
        'k.pem',
        '--config',
        'x.json',
        '--no-fsync',
        '--quiet=false',
        '--recover',
        '--public-url',
        'https://arm.example.test:9443/',
        '--request-timeout',
        '5',
      ],
      {},
      '/cwd',
    );
    assert.deepEqual(
      [c.port, c.host, c.dataDir, c.inMemory, c.timeScale, c.retryAfter, c.auth, c.tls, c.certPath, c.keyPath, c.configFile, c.fsync, c.quiet, c.recover, c.publicUrl, c.requestTimeout],
      [9000, '0.0.0.0', '/d', true, 0.5, 3, false, false, 'c.pem', 'k.pem', 'x.json', false, false, true, 'https://arm.example.test:9443', 5],
    );
    const d = parseConfig([], {}, '/cwd');
    assert.deepEqual([d.port, d.host, d.dataDir, d.auth, d.tls, d.fsync, d.recover, d.publicUrl, d.requestTimeout], [8443, '127.0.0.1', '/cwd/.arm-emulator', true, true, true, false, undefined, 60]);
  });

  it('takes each option from its environment variable; a flag wins over the environment', () => {
    const env = {
      ARM_EMULATOR_PORT: '7000',
      ARM_EMULATOR_NO_AUTH: '1',
      ARM_EMULATOR_QUIET: 'off',
      ARM_EMULATOR_RECOVER: 'yes',
      ARM_EMULATOR_PUBLIC_URL: 'http://h:1',
      ARM_EMULATOR_REQUEST_TIMEOUT: '2',
      ARM_EMULATOR_TENANT_ID: 't1',
      ARM_EMULATOR_CLIENT_SECRET: 's',
    };
    const c = parseConfig(['--port', '7001'], env);
    assert.deepEqual([c.port, c.auth, c.quiet, c.recover, c.publicUrl, c.requestTimeout, c.tenantId, c.servicePrincipals[0].clientSecret], [7001, false, false, true, 'http://h:1', 2, 't1', 's']);
  });

  it('refuses unknown options, positionals, missing values and bad numbers or URLs, saying which', () => {
    const bad: [string[], RegExp][] = [
      [['--bogus'], /unknown option '--bogus'/],
      [['-p', '1'], /unknown option '-p'/],
      [['extra'], /unexpected argument 'extra'/],
      [['--port'], /option '--port' needs a value/],
      [['--port', '70000'], /--port must be an integer 0-65535/],
      [['--time-scale', 'fast'], /--time-scale must be a number >= 0/],
      [['--public-url', 'https://h/path'], /--public-url must be an http\(s\) origin/],
      [['--public-url', 'ftp://h'], /--public-url must be an http\(s\) origin/],
    ];
    for (const [argv, re] of bad)
      assert.throws(
        () => parseConfig(argv, {}),
        (e: Error) => e instanceof ConfigError && re.test(e.message),
        argv.join(' '),
      );
  });
});
