// Debian's ansible (azure.azcollection 1.16.0) and ansible-mitogen (the strategy the README's Ansible section
// exports) for the README's playbook. When one is missing, installs it if it can (root + apt-get); otherwise fails
// saying how, as test/support/az.ts does for az.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

let ensured = false;

export function ensureAnsible(): void {
  if (ensured) return;
  const missing = [...(existsSync('/usr/bin/ansible-playbook') ? [] : ['ansible']), ...(existsSync('/usr/lib/python3/dist-packages/ansible_mitogen') ? [] : ['ansible-mitogen'])];
  if (missing.length > 0) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!root || !existsSync('/usr/bin/apt-get')) {
      throw new Error(`The tests need Debian's ansible (azure.azcollection 1.16.0) and ansible-mitogen. Install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
    }
    console.log(`    installing ${missing.join(' ')} with apt-get (one-time, a few minutes)...`);
    execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')} >/dev/null`], { stdio: 'inherit' });
  }
  ensured = true;
}
