// `validate`: everything a deployment checks before it writes anything (template, parameters,
// variables, expansion, dependencies, types), with no side effects. Inline nested deployments whose
// properties can be evaluated without reading resources are validated too.

import { ArmError } from '../arm/errors.js';
import type { EvalContext } from './context.js';
import { ExpressionError } from './errors.js';
import { evaluateValue } from './evaluator.js';
import type { TemplateHost } from './host.js';
import { preflightDeployment } from './preflight.js';
import { prepareDeployment, type DeploymentRequest, type PreparedDeployment } from './prepare.js';
import { redactParameters } from './redact.js';
import { isObject } from './values.js';

export interface ValidationResult {
  provisioningState: 'Succeeded';
  mode: 'Incremental' | 'Complete';
  templateHash: string;
  parameters: Record<string, { type: string; value?: unknown }>;
  validatedResources: { id: string; type: string; name: string; apiVersion: string; dependsOn?: string[] }[];
  prepared: PreparedDeployment;
}

/** Validates a deployment; throws the error ARM would answer with (400) when it is not valid. */
export async function validateDeployment(host: TemplateHost, request: DeploymentRequest): Promise<ValidationResult> {
  const prepared = await prepareDeployment(host, request);
  const validatedResources: ValidationResult['validatedResources'] = [];
  await validateInto(host, prepared, validatedResources, 0);
  await preflightDeployment(host, prepared);
  return {
    provisioningState: 'Succeeded',
    mode: prepared.mode,
    templateHash: prepared.templateHash,
    parameters: redactParameters(prepared),
    validatedResources,
    prepared,
  };
}

async function validateInto(host: TemplateHost, prepared: PreparedDeployment, out: ValidationResult['validatedResources'], depth: number): Promise<void> {
  for (const i of prepared.exp.instances) {
    if (!i.condition || i.existing) continue;
    const deps = [...i.dependsOn].map((k) => prepared.exp.byKey.get(k)!.id);
    out.push({ id: i.id, type: i.type, name: i.name, apiVersion: i.apiVersion, ...(deps.length ? { dependsOn: deps } : {}) });
    if (!i.isDeployment || depth > 8) continue;
    const props = isObject(i.raw.body.properties) ? (i.raw.body.properties as Record<string, unknown>) : undefined;
    if (!props || props.template === undefined) continue;
    let evaluated: Record<string, unknown>;
    try {
      const ctx: EvalContext = { ...i.ctx, site: 'resourceHeader' };
      evaluated = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, k.toLowerCase() === 'template' ? v : evaluateValue(v, ctx)]));
    } catch (e) {
      if (e instanceof ExpressionError) continue; // needs runtime values (reference()): checked when it runs
      throw e;
    }
    const inner = String((evaluated.expressionEvaluationOptions as Record<string, unknown> | undefined)?.scope ?? 'outer').toLowerCase() === 'inner';
    const target = { ...i.target! };
    if (target.resourceGroup && !target.resourceGroup.location) target.resourceGroup = { ...target.resourceGroup, location: prepared.target.resourceGroup?.location ?? '' };
    try {
      const nested = await prepareDeployment(
        host,
        { name: i.name, scope: target, properties: { template: evaluated.template, parameters: inner ? evaluated.parameters : undefined, mode: evaluated.mode as string } },
        { outerContext: inner ? undefined : i.ctx },
      );
      await validateInto(host, nested, out, depth + 1);
    } catch (e) {
      if (e instanceof ArmError) throw e;
      throw e;
    }
  }
}

export { validationErrorBody } from './errors.js';
