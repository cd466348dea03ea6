// The request and operation log (--log-level) and the retention of finished operations (--operation-retention).
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/config.js';
import { rgPath, startTestEmulator, waitForOperation } from '../support/emulator.js';

const V = 'api-version=2021-04-01';

describe('request and operation log; operation retention', function () {
  this.timeout(60_000);

  it('--log-level info: one line per request (id, method, path, status, time) and each operation transition', async () => {
    const lines: string[] = [];
    const emu = await startTestEmulator(['--log-level', 'info'], { logSink: (l) => lines.push(l) });
    try {
      const put = await emu
        .http()
        .put(`${rgPath('logged')}?${V}`)
        .send({ location: 'eastus' });
      assert.equal(put.status, 201);
      const bad = await emu
        .http()
        .put(`${rgPath('logged')}?${V}`)
        .send({ location: 'westus' });
      assert.equal(bad.status, 409);
      const del = await emu.http().delete(`${rgPath('logged')}?${V}`);
      assert.equal(del.status, 202);
      const op = await waitForOperation(emu, del.headers['azure-asyncoperation']);
      assert.equal(op.status, 'Succeeded');

      const reqLine = (id: string) => lines.find((l) => l.includes(` request ${id} `));
      const created = reqLine(put.headers['x-ms-request-id']);
      assert.match(
        created ?? '',
        new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z info  request ${put.headers['x-ms-request-id']} PUT /subscriptions/[^ ]+/resourceGroups/logged\\?${V} 201 \\d+\\.\\dms$`),
      );
      assert.match(reqLine(bad.headers['x-ms-request-id']) ?? '', / PUT \S+ 409 /);
      assert.match(reqLine(del.headers['x-ms-request-id']) ?? '', / DELETE \S+ 202 /);
      const opId = new URL(del.headers['azure-asyncoperation']).pathname.split('/').pop()!;
      const ops = lines.filter((l) => l.includes(` operation ${opId} `));
      assert.deepEqual(
        ops.map((l) => / (\w+) -> (\w+) /.exec(l)?.slice(1).join('->')),
        ['Accepted->InProgress', 'InProgress->Succeeded'],
        ops.join('\n'),
      );
      assert.match(ops[1], new RegExp(`operation ${opId} delete /subscriptions/\\S+/resourceGroups/logged InProgress -> Succeeded \\d+ms$`));
    } finally {
      await emu.close();
    }
  });

  it('--log-level warn (the default) writes no request lines; a bad level is refused', async () => {
    const lines: string[] = [];
    const emu = await startTestEmulator(['--log-level', 'warn'], { logSink: (l) => lines.push(l) });
    try {
      assert.equal(
        (
          await emu
            .http()
            .put(`${rgPath('quiet')}?${V}`)
            .send({ location: 'eastus' })
        ).status,
        201,
      );
      assert.deepEqual(lines, []);
    } finally {
      await emu.close();
    }
    assert.equal(parseConfig([]).logLevel, 'warn');
    assert.equal(parseConfig(['--quiet']).logLevel, 'error');
    assert.equal(parseConfig([], { ARM_EMULATOR_LOG_LEVEL: 'DEBUG' }).logLevel, 'debug');
    assert.throws(
      () => parseConfig(['--log-level', 'verbose']),
      (e: Error) => e instanceof ConfigError && /--log-level must be one of error, warn, info, debug/.test(e.message),
    );
    assert.equal(parseConfig([]).operationRetentionHours, 24);
    assert.throws(() => parseConfig(['--operation-retention', '-1']), ConfigError);
  });

  it('a finished operation is kept 24 hours (emulator clock), then its status URL answers 404; --operation-retention 0 keeps it', async () => {
    for (const [flags, keptAfterTwoDays] of [
      [[], false],
      [['--operation-retention', '0'], true],
    ] as const) {
      const emu = await startTestEmulator([...flags]);
      try {
        await emu
          .http()
          .put(`${rgPath('old')}?${V}`)
          .send({ location: 'eastus' })
          .expect(201);
        const del = await emu.http().delete(`${rgPath('old')}?${V}`);
        const status = new URL(del.headers['azure-asyncoperation']);
        assert.equal((await waitForOperation(emu, status.href)).status, 'Succeeded');
        // 23 hours later it is still there
        await emu
          .http()
          .post('/_emulator/clock/advance')
          .send({ seconds: 23 * 3600 })
          .expect(200);
        assert.equal((await emu.http().get(status.pathname + status.search)).status, 200);
        // two days later it is gone (unless kept for ever)
        await emu.http().post('/_emulator/clock/advance').send({ days: 2 }).expect(200);
        const later = await emu.http().get(status.pathname + status.search);
        if (keptAfterTwoDays) assert.equal(later.status, 200);
        else {
          assert.equal(later.status, 404, JSON.stringify(later.body));
          assert.ok(later.body.error?.code, JSON.stringify(later.body));
          assert.equal(emu.services.asyncOperations.list().length, 0);
        }
      } finally {
        await emu.close();
      }
    }
  });
});
