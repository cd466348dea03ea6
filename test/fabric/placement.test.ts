import assert from 'node:assert/strict';
import type { Host } from '../../src/fabric/model.js';
import { allocateIp, chooseHost, diagnose, intToIp, ipToInt, parseCidr, placeAll, shortfallMessage, type PeerCounter } from '../../src/fabric/placement.js';

const host = (name: string, cores: number, usedCores = 0, state: Host['state'] = 'Up'): Host => ({
  name,
  state,
  cores,
  memoryGB: cores * 4,
  storageGB: 1000,
  usedCores,
  usedMemoryGB: usedCores * 4,
  usedStorageGB: 0,
});
const noPeers: PeerCounter = () => ({ sameRole: 0, sameOwner: 0 });
const vm = (name: string, cores: number, owner = 'c1', role: 'controlPlane' | 'worker' = 'worker') => ({
  name,
  owner,
  role,
  vmSize: `S${cores}`,
  cores,
  memoryGB: cores * 4,
  storageGB: 10,
});

describe('fabric placement', () => {
  it('picks the Up host with the most free capacity', () => {
    const h = chooseHost([host('a', 16, 10), host('b', 16, 2), host('c', 32, 0, 'Failed')], vm('x', 2), noPeers);
    assert.equal(h?.name, 'b');
  });

  it('spreads one owner’s VMs of a role across hosts before packing', () => {
    const res = placeAll([host('a', 64), host('b', 16), host('c', 16)], [vm('cp0', 2, 'c', 'controlPlane'), vm('cp1', 2, 'c', 'controlPlane'), vm('cp2', 2, 'c', 'controlPlane')], noPeers);
    assert.ok(res.ok);
    assert.deepEqual(new Set(res.placements.values()), new Set(['a', 'b', 'c']));
  });

  it('reports a core shortfall for the whole set with the numbers', () => {
    const hosts = [host('a', 8, 6), host('b', 8, 4)];
    const res = placeAll(hosts, [vm('w0', 4), vm('w1', 4)], noPeers);
    assert.ok(!res.ok);
    assert.equal(res.shortfall.kind, 'cores');
    assert.equal(res.shortfall.needed, 8);
    assert.equal(res.shortfall.free, 6);
    assert.equal(shortfallMessage("Azure Stack Hub stamp 'local'", res.shortfall), "Not enough cores on Azure Stack Hub stamp 'local': the operation needs 8 more cores, 6 are free.");
  });

  it('tells fragmentation apart from a lack of cores', () => {
    const hosts = [host('a', 8, 5), host('b', 8, 5)];
    const s = diagnose(hosts, [vm('big', 4)], vm('big', 4));
    assert.equal(s.kind, 'fragmented');
    assert.match(shortfallMessage('X', s), /No single host on X has room for VM 'big'.*3 cores.*6 cores free in total/);
  });

  it('reports memory when cores suffice but memory does not', () => {
    const hosts = [{ ...host('a', 16), memoryGB: 8 }];
    const s = diagnose(hosts, [vm('m', 3)], vm('m', 3));
    assert.equal(s.kind, 'memory');
    assert.equal(shortfallMessage('X', s), 'Not enough memory on X: the operation needs 12 GB more memory, 8 GB are free.');
  });

  it('says when no host is up', () => {
    const s = diagnose([host('a', 8, 0, 'Failed')], [vm('x', 1)], vm('x', 1));
    assert.equal(s.kind, 'noHostUp');
  });

  it('allocates addresses from pools, skipping used ones, wrapping at the end', () => {
    const pools = [
      { start: '10.0.0.1', end: '10.0.0.2' },
      { start: '10.0.1.1', end: '10.0.1.1' },
    ];
    const used = new Set([ipToInt('10.0.0.1')!]);
    assert.equal(intToIp(allocateIp(pools, used)!), '10.0.0.2');
    used.add(ipToInt('10.0.0.2')!);
    assert.equal(intToIp(allocateIp(pools, used, ipToInt('10.0.0.3'))!), '10.0.1.1');
    used.add(ipToInt('10.0.1.1')!);
    assert.equal(allocateIp(pools, used), undefined);
    used.delete(ipToInt('10.0.0.1')!);
    assert.equal(intToIp(allocateIp(pools, used, ipToInt('10.0.1.1'))!), '10.0.0.1');
  });

  it('parses CIDRs', () => {
    assert.deepEqual(parseCidr('192.168.0.0/24')!.map(intToIp), ['192.168.0.0', '192.168.0.255']);
    assert.equal(parseCidr('300.1.1.1/8'), undefined);
  });
});
