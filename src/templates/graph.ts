// The dependency graph of expanded instances: cycle detection (reported as ARM reports it:
// InvalidTemplate "Circular dependency detected on resource: '<id>'") and a topological order.

import { TemplateErrors } from './errors.js';
import type { Expansion, Instance } from './expand.js';

export function checkCycles(exp: Expansion): void {
  const state = new Map<string, 1 | 2>();
  for (const start of exp.instances) {
    if (state.get(start.key) === 2) continue;
    const stack: { inst: Instance; deps: string[]; i: number }[] = [{ inst: start, deps: [...start.dependsOn], i: 0 }];
    state.set(start.key, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i >= top.deps.length) {
        state.set(top.inst.key, 2);
        stack.pop();
        continue;
      }
      const next = exp.byKey.get(top.deps[top.i++]);
      if (!next) continue;
      const s = state.get(next.key);
      if (s === 1) throw TemplateErrors.circular(next.id);
      if (s === 2) continue;
      state.set(next.key, 1);
      stack.push({ inst: next, deps: [...next.dependsOn], i: 0 });
    }
  }
}

/** Instances in an order where every dependency comes first (for what-if and Complete-mode deletes). */
export function topologicalOrder(exp: Expansion): Instance[] {
  const out: Instance[] = [];
  const done = new Set<string>();
  const visit = (i: Instance) => {
    if (done.has(i.key)) return;
    done.add(i.key);
    for (const d of i.dependsOn) {
      const x = exp.byKey.get(d);
      if (x) visit(x);
    }
    out.push(i);
  };
  exp.instances.forEach(visit);
  return out;
}
