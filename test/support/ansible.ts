// Debian's ansible (azure.azcollection 1.16.0) for the README's playbook. When it is missing, installs it if it
// can (root + apt-get); otherwise fails saying how, as test/support/az.ts does for az.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

let ensured = false;

export function ensureAnsible(): void {
  if (ensured) return;
  if (!existsSync('/usr/bin/ansible-playbook')) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!root || !existsSync('/usr/bin/apt-get')) {
      throw new Error("The tests need Debian's ansible (azure.azcollection 1.16.0). Install it with: sudo apt-get update && sudo apt-get install -y ansible");
    }
    console.log('    installing ansible with apt-get (one-time, a few minutes)...');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ansible >/dev/null'], { stdio: 'inherit' });
  }
  ensured = true;
}
