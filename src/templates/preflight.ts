// Preflight: before a deployment is accepted, ARM asks each resource provider whether the resources it
// would write are acceptable, and refuses the whole deployment at once (400 InvalidTemplateDeployment,
// the providers' errors as details) if any is not. Resources whose bodies need values only the
// deployment produces (reference() to something not there yet) are left to the deployment itself.

import { randomUUID } from 'node:crypto';
import { ArmError, type ErrorDetail } from '../arm/errors.js';
import type { EvalContext } from './context.js';
import { evaluateValue } from './evaluator.js';
import { isHeaderKey, resourceBody } from './expand.js';
import { createHooks, evaluateWithFetch, type HookState } from './hooks.js';
import type { TemplateHost } from './host.js';
import type { PreparedDeployment } from './prepare.js';
import { scrub } from './redact.js';

export async function preflightDeployment(host: TemplateHost, prepared: PreparedDeployment): Promise<void> {
  if (!host.preflight) return;
  const state: HookState = { host, exp: prepared.exp, prefix: prepared.prefix, nested: new Map() };
  const details: ErrorDetail[] = [];
  await Promise.all(
    prepared.exp.instances.map(async (inst) => {
      if (!inst.condition || inst.existing) return;
      if (inst.isDeployment) {
        // A nested deployment's own write in its target scope is checked now; its resources when it runs.
        try {
          await host.checkWrite?.(inst.id, inst.apiVersion);
        } catch (e) {
          if (e instanceof ArmError) details.push({ ...e.toDetail(), target: e.target ?? inst.id });
          else throw e;
        }
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = await evaluateWithFetch((c) => {
          const ctx: EvalContext = { ...inst.ctx, site: 'resourceBody', hooks: createHooks(state, c) };
          const out: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(inst.raw.body)) if (!isHeaderKey(k)) out[k] = evaluateValue(v, ctx);
          return out;
        });
      } catch {
        return; // needs runtime values: checked when it is written
      }
      try {
        await host.preflight!(inst.id, inst.apiVersion, resourceBody(body));
      } catch (e) {
        if (e instanceof ArmError) details.push({ ...e.toDetail(), target: e.target ?? inst.id });
        else throw e;
      }
    }),
  );
  if (details.length) {
    throw new ArmError(
      400,
      'InvalidTemplateDeployment',
      `The template deployment '${prepared.request.name}' is not valid according to the validation procedure. The tracking id is '${randomUUID()}'. See inner errors for details.`,
      { details: scrub(details, prepared.secrets) },
    );
  }
}
