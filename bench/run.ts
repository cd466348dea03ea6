// npm run bench: prints each benchmark's figures and its ratio against the target.
import { benchArm } from './arm.js';
import { benchRbac, benchAuthorizeCall } from './rbac.js';

const fmt = (n: number, d = 2) => n.toFixed(d);
const verdict = (ok: boolean) => (ok ? 'meets target' : 'BELOW TARGET');

async function main() {
  const only = process.argv[2];
  if (!only || only === 'arm') {
    console.log('== ARM front door (emulator in its own process, durable store with fsync, 16 connections, loopback) ==');
    const a = await benchArm();
    console.log(`bare Express HTTPS, fixed JSON:       ${fmt(a.bareRps, 0)} req/s`);
    console.log(`GET resource group (authenticated):   ${fmt(a.getRps, 0)} req/s   ratio ${fmt(a.getRatio)} (target >= 0.5: ${verdict(a.getRatio >= 0.5)})`);
    console.log(`PUT resource group (100 stored):      ${fmt(a.put100Rps, 0)} req/s   ratio ${fmt(a.putRatio)} (target >= 0.25: ${verdict(a.putRatio >= 0.25)})`);
    console.log(`PUT resource group (10,000 stored):   ${fmt(a.put10kRps, 0)} req/s   10k/100 ratio ${fmt(a.scaleRatio)} (target >= 0.8: ${verdict(a.scaleRatio >= 0.8)})`);
  }
  if (!only || only === 'rbac') {
    console.log('\n== RBAC enforcement (three emulator processes, alternating rounds, medians) ==');
    const r = await benchRbac();
    console.log(`GET resource group, enforcement off:            ${fmt(r.getEnforcementOffRps, 0)} req/s`);
    console.log(`GET resource group, enforcement on (Owner only): ${fmt(r.getOwnerOnlyRps, 0)} req/s`);
    console.log(
      `GET resource group, 1,000 more assignments:     ${fmt(r.get1000AssignmentsRps, 0)} req/s   ratio to off ${fmt(r.ratio1000VsOff)} (target >= 0.9: ${verdict(r.ratio1000VsOff >= 0.9)})`,
    );
    console.log(
      `emulator CPU per GET (median of rounds):        ${fmt(r.cpuPerGetOffMicros, 0)} us off, ${fmt(r.cpuPerGetOwnerOnlyMicros, 0)} us Owner only, ${fmt(r.cpuPerGet1000Micros, 0)} us with 1,000 assignments   ratio off/1,000 ${fmt(r.cpuPerGetOffMicros / r.cpuPerGet1000Micros)} (target >= 0.9: ${verdict(r.cpuPerGetOffMicros / r.cpuPerGet1000Micros >= 0.9)})`,
    );
    const c = await benchAuthorizeCall();
    console.log(`authorize() CPU per GET, in process:            ${fmt(c.ownerOnlyMicros, 2)} us (Owner only), ${fmt(c.with1000Micros, 2)} us (1,000 assignments stored, 20 of them the caller's)`);
    console.log(`  = ${fmt((c.with1000Micros / (1e6 / r.getEnforcementOffRps)) * 100, 2)} % of one GET's wall time at the baseline rate`);
  }
  for (const [name, mod, fn] of [
    ['startup', './startup.js', 'benchStartup'],
    ['scale', './scale.js', 'benchScale'],
    ['fabric', './fabric.js', 'benchFabric'],
    ['aks', './aks.js', 'benchAks'],
    ['arc', './arc.js', 'benchArc'],
    ['deployments', './deployments.js', 'benchDeployments'],
    ['templates', './templates.js', 'benchTemplates'],
    ['hybrid', './hybrid.js', 'benchHybrid'],
    ['dashboard', './dashboard.js', 'benchDashboard'],
    ['postgres', './postgres.js', 'benchPostgres'],
    ['farm', './farm.js', 'benchFarm'],
    ['catalogue', './catalogue.js', 'benchCatalogue'],
    ['kube', './kube.js', 'benchKube'],
  ] as const) {
    if (only && only !== name) continue;
    if (!only && name === 'scale') continue; // minutes: only as `npm run bench scale`
    let m: any;
    try {
      m = await import(mod);
    } catch {
      continue; // that part of the emulator is not built yet
    }
    if (typeof m[fn] !== 'function') continue;
    console.log(`\n== ${name} ==${name === 'kube' ? ' (emulator in its own process, --time-scale 0, durable store)' : ''}`);
    const r = await m[fn]();
    for (const [k, v] of Object.entries(r)) console.log(`${k}: ${typeof v === 'number' ? fmt(v as number, 3) : v}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
