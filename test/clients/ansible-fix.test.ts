// tools/ansible-azcollection-fix: with it on PYTHONPATH, azure.azcollection's common module imports against
// Debian's python3-azure (HAS_AZURE), and the next sitecustomize on the path (the az RBAC fix) still runs.
// Nothing outside the repository is changed: the fix is applied at import time in the process that loads it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureAnsible } from '../support/ansible.js';

const run = promisify(execFile);
const FIX = path.resolve('tools/ansible-azcollection-fix');
const RBAC = path.resolve('tools/az-debian-rbac-fix');

const PROBE = `
import json
from ansible_collections.azure.azcollection.plugins.module_utils import azure_rm_common as c
import azure.mgmt.authorization.v2022_04_01.operations._role_assignments_operations as r
print(json.dumps({"has_azure": c.HAS_AZURE, "error": (c.HAS_AZURE_EXC or "").strip().splitlines()[-1:],
                  "client": getattr(c, "RecoveryServicesBackupClient", None).__name__ if c.HAS_AZURE else None,
                  "rbac_fix": hasattr(r.RoleAssignmentsOperations, "config")}))
`;

async function probe(pythonPath?: string): Promise<{ has_azure: boolean; error: string[]; client: string | null; rbac_fix: boolean }> {
  const env = { ...process.env };
  delete env.PYTHONPATH;
  if (pythonPath) env.PYTHONPATH = pythonPath;
  const r = await run('/usr/bin/python3', ['-c', PROBE], { env, timeout: 120_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe("Ansible's azure.azcollection against Debian's python3-azure (tools/ansible-azcollection-fix)", function () {
  this.timeout(300_000);
  before(() => ensureAnsible());

  it('with the fix on PYTHONPATH (as env puts it, before the RBAC fix): the modules are enabled and both fixes apply', async () => {
    const fixed = await probe([FIX, RBAC].join(':'));
    assert.deepEqual(fixed, { has_azure: true, error: [], client: 'RecoveryServicesBackupClient', rbac_fix: true });
  });

  it("without it, Debian's SDK disables every module (the reason the fix exists), unless a later package fixed it", async () => {
    const bare = await probe();
    if (bare.has_azure) return; // a newer collection or SDK: the fix is then a no-op (first test)
    assert.match(bare.error.join(''), /cannot import name 'RecoveryServicesBackupClient'/);
  });
});
