// Bad admin API requests: malformed bodies, unknown sites, hosts and operations, foreign origins, and every
// change by a principal the emulator does not trust with its fabric (403 AuthorizationFailed).
import type { Case, Kind } from '../corpus.js';

export function adminCases(untrusted: string): Case[] {
  const json = (body: string): Partial<Case> => ({ body, headers: { 'Content-Type': 'application/json' } });
  const list: [string, string, string, Partial<Case>, boolean][] = [
    ['gates not JSON', 'PUT', '/_emulator/operations/gates', json('{oops'), true],
    ['gates wrong shape', 'PUT', '/_emulator/operations/gates', json('{"rules":"all"}'), true],
    ['gates rule null', 'PUT', '/_emulator/operations/gates', json('{"rules":[null]}'), true],
    ['gate mode unknown', 'POST', '/_emulator/operations/gates', json('{"typeKey":"*","gate":{"mode":"never"}}'), true],
    ['gate polls negative', 'PUT', '/_emulator/operations/gates', json('{"rules":[{"gate":{"mode":"polls","polls":-1}}]}'), true],
    ['gate seconds NaN-ish', 'PUT', '/_emulator/operations/gates', json('{"rules":[{"gate":{"mode":"time","seconds":"1e999"}}]}'), true],
    ['gate typeKey a number', 'PUT', '/_emulator/operations/gates', json('{"rules":[{"typeKey":1,"gate":{"mode":"immediate"}}]}'), true],
    ['gates deeply nested', 'PUT', '/_emulator/operations/gates', json(`${'{"rules":'.repeat(200)}1${'}'.repeat(200)}`), true],
    ['time-scale string', 'PUT', '/_emulator/operations/time-scale', json('{"timeScale":"fast"}'), true],
    ['time-scale negative', 'PUT', '/_emulator/operations/time-scale', json('{"timeScale":-5}'), true],
    ['time-scale Infinity', 'PUT', '/_emulator/operations/time-scale', json('{"timeScale":1e999}'), true],
    ['time-scale missing', 'PUT', '/_emulator/operations/time-scale', json('{}'), true],
    ['time-scale body over 1 MB', 'PUT', '/_emulator/operations/time-scale', json(`{"timeScale":1,"pad":"${'x'.repeat(1024 * 1024 + 1)}"}`), true],
    ['unknown site', 'POST', '/_emulator/fabric/sites/%3Cscript%3E/disconnect', {}, true],
    ['bad percent-encoding in a site', 'POST', '/_emulator/fabric/sites/%zz/disconnect', {}, true],
    ['unknown host', 'POST', '/_emulator/fabric/sites/local/hosts/..%2F..%2Fetc/fail', {}, true],
    ['recover an unknown host', 'POST', '/_emulator/fabric/sites/local/hosts/nope/recover', {}, true],
    ['unknown site capabilities', 'GET', '/_emulator/fabric/sites/nope/capabilities', {}, true],
    ['cancel an unknown operation', 'POST', '/_emulator/operations/nope/cancel', {}, true],
    ['hold an unknown operation', 'POST', '/_emulator/operations/nope/hold', {}, true],
    ['release an unknown operation', 'POST', '/_emulator/operations/nope/release', {}, true],
    ['unknown operation', 'GET', '/_emulator/operations/%00', {}, true],
    ['owners without id', 'GET', '/_emulator/fabric/owners', {}, true],
    ['dashboard resources without scope', 'GET', '/_emulator/dashboard/resources', {}, true],
    ['dashboard resources of a bad scope', 'GET', '/_emulator/dashboard/resources?scope=%2Fetc%2Fpasswd', {}, true],
    ['dashboard resources of a missing group', 'GET', '/_emulator/dashboard/resources?scope=%2Fsubscriptions%2Fbbbbbbbb-0000-0000-0000-000000000001%2FresourceGroups%2Fnope', {}, true],
    ['dashboard resource without id', 'GET', '/_emulator/dashboard/resource', {}, true],
    ['dashboard resource of a missing one', 'GET', '/_emulator/dashboard/resource?id=%2Fsubscriptions%2Fbbbbbbbb-0000-0000-0000-000000000001%2FresourceGroups%2Fnope', {}, true],
    ['dashboard resource of a bad path', 'GET', '/_emulator/dashboard/resource?id=%2Fsubscriptions%2F..%2F..', {}, true],
    ['foreign Origin', 'POST', '/_emulator/fabric/sites/local/disconnect', { headers: { Origin: 'https://evil.example.com' } }, true],
    ['foreign Origin on a read', 'GET', '/_emulator/fabric', { headers: { Origin: 'null' } }, true],
    ['simple POST from a page (text/plain, no token)', 'PUT', '/_emulator/operations/time-scale', { body: '{"timeScale":9}', headers: { 'Content-Type': 'text/plain', Authorization: '' } }, true],
    ['no token', 'POST', '/_emulator/fabric/sites/local/disconnect', { token: '' }, true],
    ['garbage token', 'POST', '/_emulator/fabric/sites/local/disconnect', { token: 'a.b.c' }, true],
    ['fabric kind filter garbage', 'GET', '/_emulator/fabric?kind=%27%3B&site[]=x', {}, false],
    ['unknown admin path', 'GET', '/_emulator/nope', {}, true],
    ['clock advance not JSON', 'POST', '/_emulator/clock/advance', json('{'), true],
    ['clock advance negative', 'POST', '/_emulator/clock/advance', json('{"days":-1}'), true],
    ['clock advance a string', 'POST', '/_emulator/clock/advance', json('{"seconds":"soon"}'), true],
    ['clock advance nothing', 'POST', '/_emulator/clock/advance', json('{}'), true],
    ['clock advance huge', 'POST', '/_emulator/clock/advance', json('{"days":1e308}'), true],
  ];
  const out: Case[] = list.map(([what, method, p, extra, refuse]) => ({ what: `admin: ${what}`, method, path: p, kind: 'admin' as Kind, refuse, ...extra }));
  // a principal the emulator does not trust: every change refused with the reason, from a script and from the page's origin
  const changes: [string, string, string?][] = [
    ['POST', '/_emulator/fabric/sites/local/disconnect'],
    ['POST', '/_emulator/fabric/sites/local/connect'],
    ['POST', '/_emulator/fabric/sites/hci-site-1/hosts/hci-site-1-host-01/fail'],
    ['POST', '/_emulator/fabric/sites/hci-site-1/hosts/hci-site-1-host-01/recover'],
    ['PUT', '/_emulator/operations/time-scale', '{"timeScale":3}'],
    ['PUT', '/_emulator/operations/gates', '{"rules":[]}'],
    ['POST', '/_emulator/operations/gates', '{"typeKey":"*","gate":{"mode":"immediate"}}'],
    ['DELETE', '/_emulator/operations/gates'],
    ['POST', '/_emulator/clock/advance', '{"days":1}'],
    ['POST', '/_emulator/operations/00000000-0000-0000-0000-000000000000/hold'],
    ['POST', '/_emulator/operations/00000000-0000-0000-0000-000000000000/release'],
    ['POST', '/_emulator/operations/00000000-0000-0000-0000-000000000000/cancel'],
  ];
  for (const [method, p, body] of changes) {
    for (const origin of [undefined, 'SELF']) {
      out.push({
        what: `admin: untrusted principal ${method} ${p}${origin ? ' from the page' : ''}`,
        method,
        path: p,
        kind: 'admin',
        body,
        token: untrusted,
        headers: origin ? { Origin: origin } : undefined,
        status: 403,
        code: 'AuthorizationFailed',
      });
    }
  }
  return out;
}
