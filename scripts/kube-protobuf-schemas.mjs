// Generates schemas/kube/protobuf.json (one message a line), the data src/kube/http/protobuf/schemas.ts reads,
// from local clones of kubernetes/api and kubernetes/apimachinery (KUBE_API_REPO, KUBE_APIMACHINERY_REPO: git
// directories; HEAD is read): generated.proto gives field numbers and types, types.go which fields are Go pointers
// (zero values kept) and which structs are inlined in JSON. Usage: node scripts/kube-protobuf-schemas.mjs apps.v1.Deployment core.v1.Service … (the
// messages the kinds in src/kube/http/protobuf.ts name; everything they reach is included).
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const API = process.env.KUBE_API_REPO ?? '../kubernetes-api.git',
  AM = process.env.KUBE_APIMACHINERY_REPO ?? '../kubernetes-apimachinery.git';
const show = (repo, p) => execSync(`git -C ${repo} show HEAD:${p}`, { maxBuffer: 1 << 28 }).toString();
const groups = [
  'core/v1',
  'apps/v1',
  'batch/v1',
  'rbac/v1',
  'networking/v1',
  'policy/v1',
  'scheduling/v1',
  'autoscaling/v1',
  'autoscaling/v2',
  'certificates/v1',
  'authorization/v1',
  'authentication/v1',
];
const files = groups.map((g) => ({ repo: API, dir: g, pkg: `k8s.io.api.${g.replace('/', '.')}` }));
files.push(
  { repo: AM, dir: 'pkg/apis/meta/v1', pkg: 'k8s.io.apimachinery.pkg.apis.meta.v1' },
  { repo: AM, dir: 'pkg/util/intstr', pkg: 'k8s.io.apimachinery.pkg.util.intstr', noTypes: true },
  { repo: AM, dir: 'pkg/api/resource', pkg: 'k8s.io.apimachinery.pkg.api.resource', noTypes: true },
  { repo: AM, dir: 'pkg/runtime', pkg: 'k8s.io.apimachinery.pkg.runtime', noTypes: true },
);
const short = (pkg) => pkg.replace('k8s.io.api.', '').replace('k8s.io.apimachinery.pkg.apis.', '').replace('k8s.io.apimachinery.pkg.', '').replace('util.', '').replace('api.', '');
const messages = {}; // full name -> {fields}
const pointers = new Set();
const inline = new Set(); // shortpkg.Struct.protoName
for (const f of files) {
  const text = show(f.repo, `${f.dir}/generated.proto`);
  let cur = null;
  for (const line of text.split('\n')) {
    let m = line.match(/^message (\w+) \{/);
    if (m) {
      cur = { name: `${f.pkg}.${m[1]}`, pkg: f.pkg, fields: [] };
      messages[cur.name] = cur;
      continue;
    }
    if (line.startsWith('}')) {
      cur = null;
      continue;
    }
    if (!cur) continue;
    m = line.match(/^\s+(optional|repeated) ([\w.]+) (\w+) = (\d+);/);
    if (m) {
      cur.fields.push({ label: m[1], type: m[2], name: m[3], num: +m[4] });
      continue;
    }
    m = line.match(/^\s+map<string, ([\w.]+)> (\w+) = (\d+);/);
    if (m) {
      cur.fields.push({ label: 'map', type: m[1], name: m[2], num: +m[3] });
      continue;
    }
    if (/^\s+(optional|repeated|map)/.test(line)) throw new Error('unparsed: ' + line);
  }
  if (f.noTypes) continue;
  const types = show(f.repo, `${f.dir}/types.go`);
  let st = null;
  for (const line of types.split('\n')) {
    let m = line.match(/^type (\w+) struct/);
    if (m) {
      st = m[1];
      continue;
    }
    m = line.match(/^\s+\w+\s+(\S+)\s+`.*protobuf:"[^"]*name=(\w+)/);
    if (m && st && m[1].startsWith('*')) pointers.add(`${short(f.pkg)}.${st}.${m[2]}`);
    m = line.match(/^\s+\*?[\w.]+\s+`json:"(,inline)?"[^`]*protobuf:"[^"]*name=(\w+)/);
    if (m && st) inline.add(`${short(f.pkg)}.${st}.${m[2]}`);
  }
}
const SCALAR = { string: 's', int32: 'i', int64: 'i', bool: 'b', bytes: 'y', double: 'd', float: 'd' };
const resolve = (type, pkg) => {
  if (SCALAR[type]) return null;
  const full = type.startsWith('.') ? type.slice(1) : `${pkg}.${type}`;
  if (!messages[full]) return 'skip';
  return full;
};
const roots = process.argv.slice(2);
const need = new Set();
const visit = (full) => {
  if (need.has(full)) return;
  need.add(full);
  for (const fl of messages[full].fields) {
    const r = resolve(fl.type, messages[full].pkg);
    if (r && r !== 'skip') visit(r);
  }
};
for (const r of roots) visit(r.includes('k8s.io') ? r : `k8s.io.api.${r}`);
const out = [];
for (const full of [...need].sort()) {
  const msg = messages[full];
  const key = `${short(msg.pkg)}.${full.split('.').pop()}`;
  const fields = msg.fields
    .filter((fl) => resolve(fl.type, msg.pkg) !== 'skip')
    .map((fl) => {
      const r = resolve(fl.type, msg.pkg);
      const t = r ? `${short(messages[r].pkg)}.${r.split('.').pop()}` : SCALAR[fl.type];
      const flags = (fl.label === 'repeated' ? 'r' : fl.label === 'map' ? 'm' : '') + (pointers.has(`${key}.${fl.name}`) ? 'p' : '') + (inline.has(`${key}.${fl.name}`) ? 'n' : '');
      return [fl.num, flags ? [fl.name, t, flags] : [fl.name, t]];
    });
  out.push(`  ${JSON.stringify(key)}: ${JSON.stringify(Object.fromEntries(fields))}`);
}
writeFileSync(new URL('../schemas/kube/protobuf.json', import.meta.url), `{\n${out.join(',\n')}\n}\n`);
