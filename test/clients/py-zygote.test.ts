// The tests' Python scripts forked from a preloaded /usr/bin/python3 (test/support/az-zygote/zygote.py --python,
// through execPython in test/support/python.ts): each must run as `/usr/bin/python3 FILE ARGS` (or `-c CODE ARGS`)
// runs it, with its own argv, environment, working directory, stdio and exit status, from a fresh __main__, and
// the values the preload read from the zygote's environment (KUBECONFIG's default, the temp dir, the user site)
// taken from the script's own.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { azZygotePid, pythonZygote } from '../support/az.js';
import { tmpDir } from '../support/emulator.js';
import { execPython } from '../support/python.js';

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}
const result = (resolve: (o: Out) => void) => (err: any, stdout: string, stderr: string) =>
  resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });

const real = (args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Out> =>
  new Promise((resolve) => execFile('/usr/bin/python3', args, { env, cwd, timeout: 60_000 }, result(resolve)).stdin!.end('in'));
const forked = (args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Out> => new Promise((resolve) => execPython(args, { env, cwd, timeout: 60_000, input: 'in' }, result(resolve)));

// what a script can see of how it was started (not its parent: that is the one difference, checked apart)
const PROBE = `
import os, sys, site, tempfile, json
import kubernetes.config.kube_config as kc
print(json.dumps({'argv': sys.argv, 'orig_argv': sys.orig_argv, 'path0': sys.path[0], 'name': __name__, 'file': globals().get('__file__'),
  'cwd': os.getcwd(), 'var': os.environ.get('PROBE_VAR'), 'tmp': tempfile.gettempdir(), 'kubeconfig': kc.KUBE_CONFIG_DEFAULT_LOCATION,
  'user_site': site.getusersitepackages(), 'in_path': [p for p in sys.path if 'python3' in p or p == ''],
  'stdin': sys.stdin.read(), 'main_mods': sorted(k for k in vars(sys.modules['__main__']) if not k.startswith('__'))}))
sys.stderr.write('to stderr\\n')
if len(sys.argv) > 2 and sys.argv[2] == 'fail':
    raise ValueError('from the script')
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
`;

describe("Python scripts forked from the scripts' zygote: the same run as /usr/bin/python3", function () {
  this.timeout(120_000);
  const dir = tmpDir('py-zygote-');
  const script = path.join(dir, 'probe.py');
  writeFileSync(script, PROBE);
  const tmp = path.join(dir, 'tmp');
  const home = path.join(dir, 'home');
  mkdirSync(tmp);
  mkdirSync(home);
  const env = { ...process.env, PROBE_VAR: 'v1', TMPDIR: tmp, KUBECONFIG: path.join(dir, 'kubeconfig'), HOME: home };

  before(async function () {
    if (process.env.ARM_EMULATOR_TEST_PYTHON === 'exec') this.skip();
    assert.ok(await pythonZygote(env), 'the zygote started');
  });

  it('a file and -c code: argv, sys.path[0], __main__, __file__, environment, cwd, temp dir, KUBECONFIG, user site, exit status', async () => {
    const cases: string[][] = [
      [script, '0'],
      ['probe.py', '7', 'x y'],
      [script, '0', 'fail'], // an uncaught exception: the traceback on stderr, status 1
      ['-c', PROBE, '3'],
      ['-c', 'import sys; sys.exit("a message")'], // a message on stderr, status 1
    ];
    for (const args of cases) {
      const [r, f] = await Promise.all([real(args, env, dir), forked(args, env, dir)]);
      assert.deepEqual(f, r, `python3 ${args.join(' ').slice(0, 40)}`);
    }
    const out = JSON.parse((await forked([script, '0'], env, dir)).stdout);
    assert.equal(out.tmp, tmp);
    assert.equal(out.kubeconfig, env.KUBECONFIG);
    assert.equal(out.user_site, path.join(home, '.local', 'lib', 'python3.11', 'site-packages'));
  });

  it("logging's start time is the script's start, not the zygote's (a record's relativeCreated)", async () => {
    const before = (Date.now() - 1) / 1000;
    const r = await forked(['-c', 'import logging; print(logging._startTime)'], env, dir);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Number(r.stdout) >= before, `${r.stdout} >= ${before}`);
  });

  it('is a child of the zygote, and another run sees nothing of the one before', async () => {
    const pid = azZygotePid(env, 'python');
    assert.ok(pid);
    const code = 'import os, sys; print(os.getppid()); import json; print(hasattr(json, "leftover")); json.leftover = 1';
    const runs = [await forked(['-c', code], env, dir), await forked(['-c', code], { ...env, PROBE_VAR: 'v2' }, dir)];
    for (const r of runs) assert.deepEqual(r.stdout.split('\n').slice(0, 2), [String(pid), 'False']);
  });

  it('an interpreter option, or a HOME whose user site-packages exists, runs /usr/bin/python3 itself (the same output)', async () => {
    const withSite = path.join(dir, 'home2');
    mkdirSync(path.join(withSite, '.local', 'lib', 'python3.11', 'site-packages'), { recursive: true });
    const pid = String(azZygotePid(env, 'python'));
    for (const [args, e] of [
      [['-I', '-c', 'import os, sys; print(os.getppid(), sys.flags.isolated)'], env],
      [['-c', 'import os, sys; print(os.getppid(), any("home2" in p for p in sys.path))'], { ...env, HOME: withSite }],
    ] as [string[], NodeJS.ProcessEnv][]) {
      const f = await forked(args, e, dir);
      assert.equal(f.code, 0, f.stderr);
      const [ppid, flag] = f.stdout.trim().split(' ');
      assert.notEqual(ppid, pid);
      assert.match(flag, /^(1|True)$/);
    }
  });
});
