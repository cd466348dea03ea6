#!/usr/bin/env node
// `npm run new-type -- Contoso.Gizmos/gizmos [--api-version 2024-01-01] [--scope resourceGroup|subscription]`
// Scaffolds a resource type with a long-running PUT and DELETE in ONE file, src/providers/<Namespace>/<type>.ts
// (the type, its hooks and its task kind), as every provider folder has them: one file per resource type, and
// index.ts only lists them. A new namespace also gets its index.ts (the provider) and a line in
// src/providers/index.ts; in an existing namespace the type is added to its index.ts. Then `npm run build` and
// `npm start` serve it: PUT answers 201 + Azure-AsyncOperation, the operation runs its one task (30 s of
// simulated time, scaled by --time-scale) and the resource ends Succeeded. Edit the hooks from there
// (src/framework/types.ts documents them).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NS = /^[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)+$/;
const TYPE = /^[a-z][A-Za-z0-9]*$/;

/** `Contoso.Gizmos` -> `contosoGizmos`. */
const camel = (s) => s.replace(/[^A-Za-z0-9]+(.)/g, (_m, c) => c.toUpperCase()).replace(/^./, (c) => c.toLowerCase());

const pascal = (s) => camel(s).replace(/^./, (c) => c.toUpperCase());

/** The type's file: its definition, its hooks and its task kind. */
export function typeSource({ namespace, type, apiVersion = '2024-01-01', scope = 'resourceGroup' }) {
  if (!NS.test(namespace)) throw new Error(`the namespace must look like Contoso.Gizmos (PascalCase segments), got '${namespace}'`);
  if (!TYPE.test(type)) throw new Error(`the type must be a camelCase plural such as gizmos (a top-level type), got '${type}'`);
  if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion)) throw new Error(`the api-version must look like 2024-01-01 or 2024-01-01-preview, got '${apiVersion}'`);
  if (scope !== 'resourceGroup' && scope !== 'subscription') throw new Error(`--scope is resourceGroup or subscription, got '${scope}'`);
  const kind = `${namespace.toLowerCase()}.${type.toLowerCase()}.provision`;
  const typeName = `${camel(type)}Type`;
  const register = `register${pascal(type)}Tasks`;
  return `// ${namespace}/${type}: scaffolded by \`npm run new-type\`. A tracked ${scope === 'resourceGroup' ? 'resource-group' : 'subscription'}-scoped type whose PUT and DELETE are
// long-running: the hook returns the resource as Creating/Deleting with an operation plan; the engine runs
// the plan's task after its simulated duration and the framework commits the outcome (provisioningState Succeeded).
import { ArmError } from '../../arm/errors.js';
import type { ResourceTypeDefinition, Services } from '../../framework/types.js';

const NAMESPACE = '${namespace}';
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

/** The work behind the operation; it runs after the task's simulated duration. Throwing an ArmError fails the
 * operation with that error (the framework rolls back and the resource ends Failed). */
export function ${register}(services: Services): void {
  services.asyncOperations.registerTaskKind(PROVISION, {
    run: () => ({ done: true }),
  });
}
`;
}

/** A new namespace's index.ts: the provider, listing its one type. */
export function indexSource({ namespace, type }) {
  return `// ${namespace}: scaffolded by \`npm run new-type\`. One file per resource type; this index lists them.
import type { ResourceProvider } from '../../framework/types.js';
import { ${camel(type)}Type, register${pascal(type)}Tasks } from './${type}.js';

export const ${camel(namespace)}Provider: ResourceProvider = {
  namespace: '${namespace}',
  registeredByDefault: true,
  types: [${camel(type)}Type],
  init(services) {
    register${pascal(type)}Tasks(services);
  },
};
`;
}

/** An existing namespace's index.ts with the type imported, listed and its task kind registered (unchanged when it already is). */
export function listedInNamespace(indexText, { namespace, type }) {
  const typeName = `${camel(type)}Type`;
  const register = `register${pascal(type)}Tasks`;
  if (indexText.includes(`from './${type}.js'`)) return indexText;
  const types = /\btypes: \[/.exec(indexText);
  const init = /\binit\(services\) \{\n/.exec(indexText);
  if (!types) throw new Error(`src/providers/${namespace}/index.ts: cannot find the provider's types: [...] list`);
  if (!init && /\binit\b/.test(indexText)) throw new Error(`src/providers/${namespace}/index.ts: its init is not an init(services) { ... } block; call ${register}(services) from it by hand`);
  // after the last entry of the list (its closing bracket, nested brackets skipped)
  let end = types.index + types[0].length;
  for (let depth = 1; depth > 0; end++) depth += indexText[end] === '[' ? 1 : indexText[end] === ']' ? -1 : 0;
  end--;
  const before = indexText.slice(0, end).replace(/,?\s*$/, '');
  let out = `${before}, ${typeName}` + indexText.slice(end);
  if (init) {
    const at = out.indexOf(init[0]) + init[0].length;
    out = out.slice(0, at) + `    ${register}(services);\n` + out.slice(at);
  } else {
    const close = out.lastIndexOf('\n};');
    out = out.slice(0, close) + `\n  init(services) {\n    ${register}(services);\n  },` + out.slice(close);
  }
  const lastImport = out.lastIndexOf('\nimport ');
  const afterImports = out.indexOf('\n', lastImport + 1) + 1;
  return out.slice(0, afterImports) + `import { ${typeName}, ${register} } from './${type}.js';\n` + out.slice(afterImports);
}

/** src/providers/index.ts with the provider imported and listed (unchanged when it already is). */
export function registered(indexText, { namespace }) {
  const name = `${camel(namespace)}Provider`;
  if (indexText.includes(name)) return indexText;
  const imp = `import { ${name} } from './${namespace}/index.js';\n`;
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
  const nsIndex = path.join(dir, 'index.ts');
  if (existsSync(file)) throw new Error(`src/providers/${namespace}/${type}.ts exists already`);
  const text = typeSource({ namespace, type, apiVersion, scope });
  let done;
  if (existsSync(nsIndex)) {
    const listed = listedInNamespace(readFileSync(nsIndex, 'utf8'), { namespace, type });
    writeFileSync(file, text);
    writeFileSync(nsIndex, listed);
    done = `created src/providers/${namespace}/${type}.ts and listed it in src/providers/${namespace}/index.ts`;
  } else {
    const indexFile = path.join(root, 'src', 'providers', 'index.ts');
    const index = registered(readFileSync(indexFile, 'utf8'), { namespace, type });
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    writeFileSync(nsIndex, indexSource({ namespace, type }));
    writeFileSync(indexFile, index);
    done = `created src/providers/${namespace}/${type}.ts and its index.ts, and listed the provider in src/providers/index.ts`;
  }
  console.log(`${done}\nnext: npm run build && npm start, then PUT /subscriptions/{sub}/resourceGroups/{rg}/providers/${namespace}/${type}/{name}?api-version=${apiVersion ?? '2024-01-01'}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
