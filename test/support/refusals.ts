// Lets a test act at the moment a fabric site first refuses work with a given code (SiteDisconnected): the
// operation is then inside its bounded wait for the site, so the test reconnects "during the wait" by the event
// itself, not by sleeping and hoping the wait has started (and not yet ended) on a loaded machine.
import type { FabricBackend } from '../../src/fabric/fabric.js';

/**
 * Wraps the site's methods; the first call that fails with `code` runs `act` (not awaited by the caller, whose
 * error goes on as it was). Resolves once `act` has finished; the wrappers are removed then.
 */
export function onFirstRefusal(site: FabricBackend, code: string, act: () => unknown): Promise<void> {
  const target = site as unknown as Record<string, unknown>;
  const names = new Set<string>();
  for (let p: object | null = Object.getPrototypeOf(site); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) if (n !== 'constructor' && typeof (p as any)[n] === 'function') names.add(n);
  }
  return new Promise<void>((resolve, reject) => {
    let fired = false;
    const restore = () => {
      for (const n of names) delete target[n];
    };
    const fire = (e: unknown) => {
      if (fired || (e as { code?: unknown })?.code !== code) return;
      fired = true;
      restore();
      Promise.resolve()
        .then(act)
        .then(() => resolve(), reject);
    };
    for (const n of names) {
      const original = target[n] as (...a: unknown[]) => unknown;
      target[n] = function (this: unknown, ...args: unknown[]) {
        let out: unknown;
        try {
          out = original.apply(this, args);
        } catch (e) {
          fire(e);
          throw e;
        }
        if (out instanceof Promise) out.catch(fire);
        return out;
      };
    }
  });
}
