// RBAC benchmark: authenticated GET of a resource group with enforcement off (baseline), with
// enforcement on and only the bootstrap Owner assignment, and with enforcement on and 1,000 role
// assignments stored (50 Graph service principals x 20 groups). Three emulator processes, measured
// in alternating rounds so machine noise hits all three alike; the medians are reported.
import https from 'node:https';
import { randomUUID } from 'node:crypto';

import { load } from './load.js';
import { benchTls, cpuSeconds, startEmulator, type BenchEmulator } from './process.js';
import { WELL_KNOWN } from '../src/config/config.js';

const SUB = WELL_KNOWN.subscriptionId;
const CONCURRENCY = 16;
const ROUND_SECONDS = 2;
const ROUNDS = 7;
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

function call(url: string, ca: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const u = new URL(url + p);
  const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        ca,
        headers: { ...headers, ...(data ? { 'content-type': typeof body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json', 'content-length': Buffer.byteLength(data) } : {}) },
      },
      (res) => {
        let d = '';
        res.on('data', (c) => (d += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: d ? JSON.parse(d) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function token(url: string, ca: string, scope = 'https://management.azure.com/.default'): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: WELL_KNOWN.clientId, client_secret: WELL_KNOWN.clientSecret, scope }).toString();
  return (await call(url, ca, 'POST', `/${WELL_KNOWN.tenantId}/oauth2/v2.0/token`, form)).json.access_token;
}

export interface RbacBench {
  assignmentsStored: number;
  getEnforcementOffRps: number;
  getOwnerOnlyRps: number;
  get1000AssignmentsRps: number;
  ratio1000VsOff: number;
  ratio1000VsOwnerOnly: number;
  /** CPU the emulator process spent per GET (microseconds): insensitive to other load on the machine. */
  cpuPerGetOffMicros: number;
  cpuPerGetOwnerOnlyMicros: number;
  cpuPerGet1000Micros: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchRbac(): Promise<RbacBench> {
  const tls = await benchTls('rbac');
  const ca = tls.ca;
  const emus: BenchEmulator[] = [];
  const start = async (env: Record<string, string>) => {
    const emu = await startEmulator('rbac', tls, { env });
    emus.push(emu);
    return emu;
  };
  const off = await start({ ARM_EMULATOR_RBAC_ENFORCEMENT: 'off' });
  const owner = await start({});
  const loaded = await start({});
  const procs = [off, owner, loaded];
  try {
    const auth: Record<string, string>[] = [];
    const rg = (i: number) => `/subscriptions/${SUB}/resourcegroups/seed-${i}?api-version=2021-04-01`;
    for (const p of procs) {
      const h = { authorization: `Bearer ${await token(p.url, ca)}` };
      auth.push(h);
      const r = await load({
        url: p.url,
        method: 'PUT',
        concurrency: CONCURRENCY,
        seconds: 600,
        maxRequests: 100,
        ca,
        headers: h,
        path: (i) => rg(i),
        body: () => JSON.stringify({ location: 'eastus' }),
        expect: [201],
      });
      if (r.errors) throw new Error(`seeding groups failed: ${r.errors}`);
    }
    // 1,000 role assignments on the loaded emulator: 50 service principals made through Graph, 20 groups each
    const h = auth[2];
    const g = { authorization: `Bearer ${await token(loaded.url, ca, `${loaded.url}/graph/.default`)}` };
    const principals: string[] = [];
    for (let i = 0; i < 50; i++) {
      const app = await call(loaded.url, ca, 'POST', '/graph/v1.0/applications', { displayName: `bench-${i}` }, g);
      const sp = await call(loaded.url, ca, 'POST', '/graph/v1.0/servicePrincipals', { appId: app.json.appId }, g);
      if (sp.status !== 201) throw new Error(`graph: ${sp.status} ${JSON.stringify(sp.json)}`);
      principals.push(sp.json.id);
    }
    const seeded = await load({
      url: loaded.url,
      method: 'PUT',
      concurrency: CONCURRENCY,
      seconds: 600,
      maxRequests: 1000,
      ca,
      headers: h,
      path: (i) => `/subscriptions/${SUB}/resourceGroups/seed-${Math.floor(i / 50)}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?api-version=2022-04-01`,
      body: (i) =>
        JSON.stringify({
          properties: { roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: principals[i % 50], principalType: 'ServicePrincipal' },
        }),
      expect: [201],
    });
    if (seeded.errors) throw new Error(`seeding role assignments failed: ${seeded.errors}`);
    const count = (await call(loaded.url, ca, 'GET', `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$top=1000`, undefined, h)).json.value.length;

    const runs: number[][] = [[], [], []];
    const cpu: number[][] = [[], [], []];
    for (let p = 0; p < 3; p++) await load({ url: procs[p].url, method: 'GET', concurrency: CONCURRENCY, seconds: 1, ca, headers: auth[p], path: (i) => rg(i % 100) });
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < 3; k++) {
        const p = (round + k) % 3; // rotate the order so no configuration always runs first
        const c0 = cpuSeconds(procs[p].child.pid);
        const r = await load({ url: procs[p].url, method: 'GET', concurrency: CONCURRENCY, seconds: ROUND_SECONDS, ca, headers: auth[p], path: (i) => rg(i % 100), expect: [200] });
        const c1 = cpuSeconds(procs[p].child.pid);
        if (r.errors) throw new Error(`GET: ${r.errors} unexpected responses`);
        runs[p].push(r.perSecond);
        cpu[p].push(((c1 - c0) * 1e6) / r.requests);
      }
    }
    const [o, w, l] = runs.map(median);
    const [co, cw, cl] = cpu.map(median);
    return {
      assignmentsStored: count,
      getEnforcementOffRps: o,
      getOwnerOnlyRps: w,
      get1000AssignmentsRps: l,
      ratio1000VsOff: l / o,
      ratio1000VsOwnerOnly: l / w,
      cpuPerGetOffMicros: co,
      cpuPerGetOwnerOnlyMicros: cw,
      cpuPerGet1000Micros: cl,
    };
  } finally {
    for (const e of emus) await e.stop();
    tls.remove();
  }
}

/**
 * In-process: the CPU cost of one authorize() for an authenticated GET of a resource group,
 * with only the bootstrap Owner assignment and with 1,000 more assignments stored (other principals,
 * plus 20 of them held by the caller at group scope).
 */
export async function benchAuthorizeCall(): Promise<{ ownerOnlyMicros: number; with1000Micros: number }> {
  const { parseConfig } = await import('../src/config/config.js');
  const { createServices } = await import('../src/emulator.js');
  const { authorize, authorizerOf } = await import('../src/authorization/enforce.js');
  const { resolve } = await import('../src/framework/routing.js');
  const { parsePath, splitPath } = await import('../src/arm/paths.js');
  const { objectIdFor } = await import('../src/identity/tokens.js');
  const services = await createServices(parseConfig(['--in-memory', '--quiet']), { fabric: false });
  const principal = { tenantId: WELL_KNOWN.tenantId, clientId: WELL_KNOWN.clientId, objectId: objectIdFor(WELL_KNOWN.clientId) };
  const pathname = `/subscriptions/${SUB}/resourceGroups/seed-7`;
  const target = resolve(services.registry, parsePath(splitPath(pathname)), 'GET');
  const ctx: any = { method: 'GET', apiVersion: '2021-04-01', path: target.path, def: target.def, query: {}, headers: {}, body: undefined, baseUrl: '', principal, services };
  const time = () => {
    const n = 200_000;
    for (let i = 0; i < 10_000; i++) authorize(ctx, target);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) authorize(ctx, target);
    return Number(process.hrtime.bigint() - t0) / 1e3 / n;
  };
  const ownerOnly = time();
  const authz = authorizerOf(services)!;
  const ops = [];
  for (let i = 0; i < 1000; i++) {
    const holder = i < 20 ? principal.objectId : randomUUID();
    const scope = `/subscriptions/${SUB}/resourceGroups/seed-${i % 100}`;
    const name = randomUUID();
    const resource = {
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: { roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: holder, scope },
    };
    ops.push(...services.resources.putOps({ resource, internal: {}, parent: scope.toLowerCase(), typeKey: 'microsoft.authorization/roleassignments' }));
    authz.noteAssignment(resource);
  }
  await services.resources.commit(ops);
  const with1000 = time();
  await services.store.close();
  return { ownerOnlyMicros: ownerOnly, with1000Micros: with1000 };
}
