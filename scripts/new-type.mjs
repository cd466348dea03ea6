#!/usr/bin/env node
// `npm run new-type -- Contoso.Gizmos/gizmos [--api-version 2024-01-01] [--scope resourceGroup|subscription]`
// Scaffolds a resource type with a long-running PUT and DELETE in ONE file, src/providers/<Namespace>/<type>.ts
// (the type, its provider and its task kind), and lists the provider in src/providers/index.ts. Then
// `npm run build` and `npm start` serve it: PUT answers 201 + Azure-AsyncOperation, the operation runs its one
// task (30 s of simulated time, scaled by --time-scale) and the resource ends Succeeded. Edit the hooks from there
// (src/framework/types.ts documents them).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NS = /^[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)+$/;
const TYPE = /^[a-z][A-Za-z0-9]*$/;

/** `Contoso.Gizmos` -> `contosoGizmos`. */
const camel = (s) => s.replace(/[^A-Za-z0-9]+(.)/g, (_m, c) => c.toUpperCase()).replace(/^./, (c) => c.toLowerCase());

/** The type's file: its definition, its provider and its task kind. */
export function typeSource({ namespace, type, apiVersion = '2024-01-01', scope = 'resourceGroup' }) {
  if (!NS.test(namespace)) throw new Error(`the namespace must look like Contoso.Gizmos (PascalCase segments), got '${namespace}'`);
  if (!TYPE.test(type)) throw new Error(`the type must be a camelCase plural such as gizmos (a top-level type), got '${type}'`);
  if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion)) throw new Error(`the api-version must look like 2024-01-01 or 2024-01-01-preview, got '${apiVersion}'`);
  if (scope !== 'resourceGroup' && scope !== 'subscription') throw new Error(`--scope is resourceGroup or subscription, got '${scope}'`);
  const kind = `${namespace.toLowerCase()}.${type.toLowerCase()}.provision`;
  const name = camel(namespace);
  const typeName = `${camel(type)}Type`;
  return `// ${namespace}/${type}: scaffolded by \`npm run new-type\`. A tracked ${scope === 'resourceGroup' ? 'resource-group' : 'subscription'}-scoped type whose PUT and DELETE are
// long-running: the hook returns the resource as Creating/Deleting with an operation plan; the engine runs
// the plan's task after its simulated duration and the framework commits the outcome (provisioningState Succeeded).
import { ArmError } from '../../arm/errors.js';
import type { ResourceProvider, ResourceTypeDefinition } from '../../framework/types.js';

export const NAMESPACE = '${namespace}';
const PROVISION = '${kind}';

export const ${typeName}: ResourceTypeDefinition = {
  namespace: NAMESPACE,
  type: '${type}',
  scope: '${scope}',
  tracked: true,
  locations: '*',
  apiVersions: ['${apiVersion}'],
  nameRule: { pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$/, message: 'The name must be 1-63 letters, digits or dashes, starting with a letter or digit.' },
  patch: 'merge',
  listBySubscription: true,
  validate(_ctx, candidate) {
    const p = candidate.properties;
    if (p !== undefined && (p === null || typeof p !== 'object' || Array.isArray(p))) throw new ArmError(400, 'InvalidRequestContent', "'properties' must be an object.", { target: 'properties' });
  },
  onPut(_ctx, candidate) {
    return {
      resource: { ...candidate, properties: { ...candidate.properties, provisioningState: 'Creating' } },
      operation: { kind: 'create', tasks: [{ id: 'provision', kind: PROVISION, params: {}, durationMs: 30_000 }] },
    };
  },
  onDelete() {
    return { operation: { kind: 'delete', tasks: [{ id: 'deprovision', kind: PROVISION, params: { deleting: true }, durationMs: 10_000 }] } };
  },
};

export const ${name}Provider: ResourceProvider = {
  namespace: NAMESPACE,
  registeredByDefault: true,
  types: [${typeName}],
  init(services) {
    // The work behind the operation; it runs after the task's simulated duration. Throwing an ArmError fails the
    // operation with that error (the framework rolls back and the resource ends Failed).
    services.asyncOperations.registerTaskKind(PROVISION, {
      run: () => ({ done: true }),
    });
  },
};
`;
}

/** src/providers/index.ts with the provider imported and listed (unchanged when it already is). */
export function registered(indexText, { namespace, type }) {
  const name = `${camel(namespace)}Provider`;
  if (indexText.includes(name)) return indexText;
  const imp = `import { ${name} } from './${namespace}/${type}.js';\n`;
  const lastImport = indexText.lastIndexOf('\nimport ');
  const afterImports = indexText.indexOf('\n', lastImport + 1) + 1;
  let out = indexText.slice(0, afterImports) + imp + indexText.slice(afterImports);
  const list = out.indexOf('...declaredProviders()');
  if (list < 0) throw new Error('src/providers/index.ts: cannot find where allProviders() lists the providers');
  out = out.slice(0, list) + `${name},\n    ` + out.slice(list);
  return out;
}

function main(argv) {
  const args = [...argv];
  const opt = (flag) => {
    const i = args.indexOf(flag);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const apiVersion = opt('--api-version');
  const scope = opt('--scope');
  const root = path.resolve(opt('--root') ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const [spec] = args;
  const m = /^([^/]+)\/([^/]+)$/.exec(spec ?? '');
  if (!m) throw new Error('usage: npm run new-type -- <Namespace>/<type> [--api-version 2024-01-01] [--scope resourceGroup|subscription]');
  const [, namespace, type] = m;
  const dir = path.join(root, 'src', 'providers', namespace);
  const file = path.join(dir, `${type}.ts`);
  if (existsSync(path.join(dir, 'index.ts'))) throw new Error(`${namespace} is a provider already (src/providers/${namespace}/index.ts): add the type to its index by hand`);
  if (existsSync(file)) throw new Error(`src/providers/${namespace}/${type}.ts exists already`);
  const text = typeSource({ namespace, type, apiVersion, scope });
  const indexFile = path.join(root, 'src', 'providers', 'index.ts');
  const index = registered(readFileSync(indexFile, 'utf8'), { namespace, type });
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text);
  writeFileSync(indexFile, index);
  console.log(
    `created src/providers/${namespace}/${type}.ts and listed it in src/providers/index.ts\nnext: npm run build && npm start, then PUT /subscriptions/{sub}/resourceGroups/{rg}/providers/${namespace}/${type}/{name}?api-version=${apiVersion ?? '2024-01-01'}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
