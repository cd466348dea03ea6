// What the deployment API asks of the engine, as whole jobs whose inputs and results are plain data
// (so that they can run in a worker thread): accept a deployment (validate it and its providers'
// preflight), deploy it, validate it, what-if, and hash a template. Each job prepares the deployment
// itself; nothing with closures (contexts, expansions) ever leaves the job.

import { calculateTemplateHash, prepareDeployment, type DeploymentRequest } from '../prepare.js';
import { preflightDeployment } from '../preflight.js';
import { executeDeployment, type AdoptedWrite } from '../executor.js';
import { validateDeployment } from '../validate.js';
import { whatIf, type WhatIfResult } from '../whatif.js';
import { redactorFor, redactSuppliedParameters } from '../redact.js';
import type { TemplateHost } from '../host.js';
import type { DeploymentOperation, DeploymentResult } from '../results.js';

export interface AcceptArgs {
  request: DeploymentRequest;
  /** Run the providers' preflight too (PUT, validate); what-if only validates the template. */
  preflight: boolean;
}

export interface Accepted {
  templateHash: string;
  mode: 'Incremental' | 'Complete';
  /** The parameters as the client sent them, secure ones reduced to their type. */
  parameters: Record<string, unknown>;
  /** Secure values, to scrub from anything shown about the deployment. */
  secrets: string[];
  /** The template fetched from its link (templateLink), for exportTemplate. */
  linkedTemplate?: unknown;
}

function supplied(request: DeploymentRequest): Record<string, unknown> {
  const p = request.properties.parameters;
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
}

export async function acceptJob(host: TemplateHost, args: AcceptArgs): Promise<Accepted> {
  const prepared = await prepareDeployment(host, args.request);
  if (args.preflight) await preflightDeployment(host, prepared);
  return {
    templateHash: prepared.templateHash,
    mode: prepared.mode,
    parameters: redactSuppliedParameters(prepared, supplied(args.request)),
    secrets: prepared.secrets,
    ...(args.request.properties.templateLink ? { linkedTemplate: prepared.template.raw } : {}),
  };
}

export interface DeployArgs {
  request: DeploymentRequest;
  /** After a crash: the writes the deployment had started (see DeployOptions.adopt). */
  adopt?: Record<string, AdoptedWrite>;
}

/** Deploys; the result and every operation record are already scrubbed of secure values. */
export async function deployJob(host: TemplateHost, args: DeployArgs, opts: { signal?: AbortSignal; onOperation?: (op: DeploymentOperation) => void } = {}): Promise<DeploymentResult> {
  const prepared = await prepareDeployment(host, args.request);
  const redact = redactorFor(prepared);
  const result = await executeDeployment(host, prepared, {
    signal: opts.signal,
    adopt: args.adopt,
    onOperation: opts.onOperation ? (o) => opts.onOperation!(redact(o)) : undefined,
  });
  return redact(result);
}

export interface Validated {
  templateHash: string;
  mode: 'Incremental' | 'Complete';
  parameters: Record<string, unknown>;
  validatedResources: { id: string }[];
}

export async function validateJob(host: TemplateHost, args: { request: DeploymentRequest }): Promise<Validated> {
  const v = await validateDeployment(host, args.request);
  return {
    templateHash: v.templateHash,
    mode: v.mode,
    parameters: redactSuppliedParameters(v.prepared, supplied(args.request)),
    validatedResources: v.validatedResources.map((r) => ({ id: r.id })),
  };
}

export async function whatIfJob(host: TemplateHost, args: { request: DeploymentRequest; resultFormat?: 'FullResourcePayloads' | 'ResourceIdOnly' }): Promise<WhatIfResult> {
  return whatIf(host, args.request, { resultFormat: args.resultFormat });
}

export function hashJob(args: { template: unknown }): { minifiedTemplate: string; templateHash: string } {
  return calculateTemplateHash(args.template);
}
