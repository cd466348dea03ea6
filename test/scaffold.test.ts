// `npm run new-type`: the scaffolded file type-checks against src/, builds, and serves a resource type whose PUT
// and DELETE are long-running (201/202 + Azure-AsyncOperation, polled to Succeeded, the resource Succeeded, then
// gone), and the script lists the provider in src/providers/index.ts. Done in a temporary tree whose other
// folders link to this checkout's src/ (for the type check) and dist/src/ (to run it), so the checkout is untouched.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { allProviders } from '../src/providers/index.js';
import { rgPath, startTestEmulator, tmpDir, waitForOperation } from './support/emulator.js';

// typescript is CommonJS: required, not imported (an ECMAScript import of it first scans its 9 MB for named exports:
// ~0.7 s of CPU)
const ts: typeof TS = createRequire(import.meta.url)('typescript');

const ROOT = process.cwd();
const spec = { namespace: 'Contoso.Gizmos', type: 'gizmos', apiVersion: '2024-05-01' };

/** A tree like this checkout's `from` folder, its providers/ a real folder holding the scaffolded files (name -> text). */
function tree(from: string, files: Record<string, string>): string {
  const root = path.join(tmpDir('scaffold-'), 'src');
  mkdirSync(path.join(root, 'providers', spec.namespace), { recursive: true });
  for (const e of readdirSync(from)) if (e !== 'providers') symlinkSync(path.join(from, e), path.join(root, e));
  for (const e of readdirSync(path.join(from, 'providers'))) symlinkSync(path.join(from, 'providers', e), path.join(root, 'providers', e));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, 'providers', spec.namespace, file), text);
  return root;
}

describe('npm run new-type: a scaffolded resource type with a long-running PUT', function () {
  this.timeout(10 * 60_000);
  let mod: any;
  before(async () => {
    mod = await import(pathToFileURL(path.join(ROOT, 'scripts/new-type.mjs')).href);
  });

  it('type-checks, builds, and serves PUT (201, polled to Succeeded), GET, list and DELETE (202, then 404)', async () => {
    const text: string = mod.typeSource(spec);
    const indexText: string = mod.indexSource(spec);
    // the type check, against this checkout's sources (strict, as tsconfig.json)
    const src = tree(path.join(ROOT, 'src'), { 'gizmos.ts': text, 'index.ts': indexText });
    const files = ['gizmos.ts', 'index.ts'].map((f) => path.join(src, 'providers', spec.namespace, f));
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const options = { ...parsed.options, noEmit: true, incremental: false, rootDir: undefined, outDir: undefined, tsBuildInfoFile: undefined };
    // JSDoc parsed only where it carries types (JavaScript files): no type of a .ts or .d.ts file comes from its JSDoc,
    // and skipping it makes parsing the sources and @types/node the two files pull in cheaper.
    const host = ts.createCompilerHost(options);
    host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeInfo;
    const program = ts.createProgram(files, options, host);
    // Only the two files' diagnostics are asked for (plus the options' and global ones): checking them checks what
    // they use in src/, and the rest of src/ is the build's and lint's to check (a whole-program check was most of
    // this test's CPU).
    const diags = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...files.flatMap((f) => {
        const sf = program.getSourceFile(f);
        assert.ok(sf, `${f} is in the program`);
        return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
      }),
    ];
    assert.deepEqual(
      diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
      [],
    );
    // the build: the files compiled next to this checkout's built sources
    const js = (t: string, fileName: string) => ts.transpileModule(t, { compilerOptions: parsed.options, fileName }).outputText;
    const dist = tree(path.join(ROOT, 'dist', 'src'), { 'gizmos.js': js(text, 'gizmos.ts'), 'index.js': js(indexText, 'index.ts') });
    const built = await import(pathToFileURL(path.join(dist, 'providers', spec.namespace, 'index.js')).href);
    const provider = built.contosoGizmosProvider;
    assert.equal(provider.namespace, 'Contoso.Gizmos');

    const emu = await startTestEmulator([], { providers: [...allProviders(), provider] });
    try {
      await emu
        .http()
        .put(`${rgPath('gz')}?api-version=2021-04-01`)
        .send({ location: 'eastus' })
        .expect(201);
      const id = `${rgPath('gz')}/providers/Contoso.Gizmos/gizmos/g1`;
      const q = `api-version=${spec.apiVersion}`;
      const put = await emu
        .http()
        .put(`${id}?${q}`)
        .send({ location: 'eastus', tags: { team: 'a' }, properties: { size: 3 } });
      assert.equal(put.status, 201, JSON.stringify(put.body));
      assert.equal(put.body.properties.provisioningState, 'Creating');
      assert.ok(put.headers['azure-asyncoperation'], 'long-running: an Azure-AsyncOperation to poll');
      assert.equal((await waitForOperation(emu, put.headers['azure-asyncoperation'])).status, 'Succeeded');
      const got = await emu.http().get(`${id}?${q}`);
      assert.equal(got.status, 200);
      assert.deepEqual([got.body.properties.provisioningState, got.body.properties.size, got.body.tags.team, got.body.type], ['Succeeded', 3, 'a', 'Contoso.Gizmos/gizmos']);
      assert.deepEqual(
        (await emu.http().get(`${rgPath('gz')}/providers/Contoso.Gizmos/gizmos?${q}`)).body.value.map((r: any) => r.name),
        ['g1'],
      );
      const bad = await emu
        .http()
        .put(`${id}?${q}`)
        .send({ location: 'eastus', properties: [1] });
      assert.equal(bad.status, 400);
      assert.equal((await emu.http().put(`${id}?api-version=2020-01-01`).send({ location: 'eastus' })).body.error.code, 'NoRegisteredProviderFound');
      const del = await emu.http().delete(`${id}?${q}`);
      assert.equal(del.status, 202);
      assert.equal((await waitForOperation(emu, del.headers['azure-asyncoperation'])).status, 'Succeeded');
      assert.equal((await emu.http().get(`${id}?${q}`)).status, 404);
    } finally {
      await emu.close();
    }
  });

  it('lists the provider in src/providers/index.ts, and refuses bad names', () => {
    const index = readFileSync(path.join(ROOT, 'src/providers/index.ts'), 'utf8');
    const out: string = mod.registered(index, spec);
    assert.ok(out.includes("import { contosoGizmosProvider } from './Contoso.Gizmos/index.js';"));
    assert.match(out, /contosoGizmosProvider,\s+\.\.\.declaredProviders\(\)/);
    assert.equal(mod.registered(out, spec), out, 'idempotent');
    assert.throws(() => mod.typeSource({ namespace: 'contoso', type: 'gizmos' }), /Contoso\.Gizmos/);
    assert.throws(() => mod.typeSource({ namespace: 'Contoso.Gizmos', type: 'Giz/mos' }), /camelCase/);
  });

  it("adds a type to an existing namespace: its file, and a line in that namespace's index.ts (types and init)", () => {
    const index = readFileSync(path.join(ROOT, 'src/providers/Microsoft.Kubernetes/index.ts'), 'utf8');
    const out: string = mod.listedInNamespace(index, { namespace: 'Microsoft.Kubernetes', type: 'widgets' });
    assert.ok(out.includes("import { widgetsType, registerWidgetsTasks } from './widgets.js';"));
    assert.match(out, /types: \[connectedClusters, widgetsType\]/);
    assert.match(out, /init\(services\) \{\n\s+registerWidgetsTasks\(services\);/);
    assert.equal(mod.listedInNamespace(out, { namespace: 'Microsoft.Kubernetes', type: 'widgets' }), out, 'idempotent');
  });
});
