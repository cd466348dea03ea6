import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/config.js';
import { defaultSites, loadSites, parseSites } from '../../src/fabric/sites.js';

describe('fabric sites', () => {
  it('defaults: Azure regions, Hub stamp local, one HCI site', () => {
    const s = defaultSites();
    const hub = s.find((x) => x.kind === 'AzureStackHub')!;
    const hci = s.find((x) => x.kind === 'AzureStackHCI')!;
    assert.equal(hub.name, 'local');
    assert.equal(hub.location, 'local');
    assert.equal(hub.hosts.length, 4);
    assert.equal(hci.name, 'hci-site-1');
    assert.equal(hci.location, undefined);
    assert.ok(hci.logicalNetworks[0].ipPools.length > 0);
    assert.ok(hci.infrastructureVms.some((v) => v.role === 'managementCluster'));
    assert.ok(s.some((x) => x.name === 'eastus' && x.elastic));
  });

  it('adds sites and replaces defaults by name', () => {
    const s = parseSites({
      sites: [
        { name: 'local', kind: 'AzureStackHub', hosts: { count: 2, cores: 24, memoryGB: 192 } },
        { name: 'branch-2', kind: 'AzureStackHCI', hosts: [{ cores: 16, memoryGB: 128 }], remote: 'http://127.0.0.1:7101' },
      ],
    });
    assert.equal(s.filter((x) => x.name === 'local').length, 1);
    assert.equal(s.find((x) => x.name === 'local')!.hosts.length, 2);
    const b = s.find((x) => x.name === 'branch-2')!;
    assert.equal(b.remote, 'http://127.0.0.1:7101');
    assert.equal(b.hosts[0].name, 'branch-2-host-01');
    assert.ok(s.find((x) => x.name === 'hci-site-1'));
    assert.ok(!parseSites({ defaultSites: false }).some((x) => x.kind !== 'AzureRegion'));
  });

  it('refuses bad entries with a clear message', () => {
    const bad = (sites: unknown, re: RegExp) =>
      assert.throws(
        () => parseSites({ sites }),
        (e: any) => e instanceof ConfigError && re.test(e.message),
      );
    bad([{ name: 'x', kind: 'Cloud' }], /sites\[0\]\.kind must be one of AzureRegion, AzureStackHub, AzureStackHCI/);
    bad([{ name: 'x', kind: 'AzureStackHCI', hosts: [{ cores: 0, memoryGB: 1 }] }], /sites\[0\]\.hosts\[0\]\.cores must be a positive integer/);
    bad(
      [{ name: 'x', kind: 'AzureStackHCI', logicalNetworks: [{ name: 'n', addressPrefix: '10.0.0.0/24', ipPools: [{ start: '10.0.1.1', end: '10.0.1.9' }] }] }],
      /outside the network's address prefix/,
    );
    bad([{ name: 'x', kind: 'AzureStackHCI', location: 'x' }], /not an ARM location/);
    bad([{ name: 'x', kind: 'AzureStackHub', location: 'eastus' }], /both claim ARM location 'eastus'/);
    bad(
      [
        { name: 'x', kind: 'AzureStackHub' },
        { name: 'X', kind: 'AzureStackHub' },
      ],
      /declared twice/,
    );
    bad([{ name: 'x', kind: 'AzureStackHCI', remote: 'ftp://h' }], /http:\/\//);
    bad([{ name: 'x', kind: 'AzureStackHCI', capabilities: { vmSizes: ['Standard_Nope'] } }], /unknown VM size/);
  });

  it('loads the "sites" key of the config file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sites-'));
    try {
      const f = path.join(dir, 'c.json');
      writeFileSync(f, JSON.stringify({ subscriptions: [], sites: [{ name: 'edge', kind: 'AzureStackHub', location: 'edge', hosts: { count: 1, cores: 8, memoryGB: 32 } }] }));
      assert.ok(loadSites({ configFile: f }).some((s) => s.name === 'edge'));
      writeFileSync(f, '{nope');
      assert.throws(() => loadSites({ configFile: f }), /not valid JSON/);
      assert.throws(() => loadSites({ configFile: path.join(dir, 'missing.json') }), /cannot read config file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
