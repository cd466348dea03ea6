// The evaluation context: everything an expression can see. Parameters, variables and user-defined
// functions of the template being evaluated; the deployment's scope (tenant, subscription, resource
// group, management group); copy-loop indexes; lambda variables; and hooks for reference()/list*(),
// which the executor answers from the host. A context is immutable: `child` derives a new one.

import type { Expr } from './parser.js';

export interface ResourceGroupInfo {
  name: string;
  location: string;
  tags?: Record<string, string>;
  managedBy?: string;
}

export interface ScopeInfo {
  tenantId: string;
  subscriptionId?: string;
  subscriptionDisplayName?: string;
  resourceGroup?: ResourceGroupInfo;
  managementGroup?: string;
  managementGroupDisplayName?: string;
  /** Object id of the principal deploying (deployer()). */
  deployerObjectId?: string;
}

export interface DeploymentInfo {
  name: string;
  location?: string;
  templateLink?: { uri?: string; id?: string };
  template?: unknown;
  templateHash?: string;
  parameters?: Record<string, unknown>;
  mode?: string;
}

export interface UserFunction {
  namespace: string;
  name: string;
  parameters: { name: string; type: string }[];
  output: { type: string; value: unknown };
}

/** Where an expression is evaluated; reference()/list*() and utcNow()/newGuid() are only allowed in some. */
export type Site = 'parameterDefault' | 'variable' | 'resourceHeader' | 'resourceBody' | 'output' | 'function' | 'other';

/** Answers reference()/list*()/resource name resolution. May throw NeedData to ask for an async fetch. */
export interface ResourceHooks {
  reference(ctx: EvalContext, target: string, apiVersion: string | undefined, full: boolean): unknown;
  references?(ctx: EvalContext, target: string, full: boolean): unknown;
  list(ctx: EvalContext, target: string, action: string, apiVersion: string, body: unknown): unknown;
  resourceInfo?(ctx: EvalContext, symbol: string): unknown;
  /** Records a reference()/list*() target for implicit dependencies (during expansion). */
  observe?(target: string, kind: 'reference' | 'list'): void;
}

export interface VariableSource {
  get(name: string, ctx: EvalContext): unknown;
  has(name: string): boolean;
}

export interface EvalContext {
  scope: ScopeInfo;
  deployment: DeploymentInfo;
  environment: Record<string, unknown>;
  /** Parameter values by lower-cased name. */
  parameters: Map<string, unknown>;
  variables?: VariableSource;
  /** User-defined functions by lower-cased `namespace.name`. */
  functions: Map<string, UserFunction>;
  /** Copy indexes by lower-cased loop name, and the innermost loop's name. */
  copy?: Map<string, number>;
  innermostCopy?: string;
  lambdaVars?: Map<string, unknown>;
  site: Site;
  /** Fixed for a whole deployment so every utcNow() of a deployment agrees. */
  now: Date;
  hooks?: ResourceHooks;
  /** Inside a user-defined function: only its own parameters are visible. */
  udfParams?: Map<string, unknown>;
  /** languageVersion 2.0 templates (symbolic names, lambdas everywhere). */
  languageVersion?: string;
  /** The type catalogue (providers()), available wherever expressions run. */
  catalog?(namespace: string, type: string): { apiVersions: string[]; locations?: string[] } | undefined;
  /** Guards variable evaluation against cycles. */
  evaluatingVariables?: Set<string>;
}

export function child(ctx: EvalContext, patch: Partial<EvalContext>): EvalContext {
  return { ...ctx, ...patch };
}

export function withCopy(ctx: EvalContext, loop: string, i: number): EvalContext {
  const copy = ctx.copy ? new Map(ctx.copy) : new Map<string, number>();
  copy.set(loop.toLowerCase(), i);
  return { ...ctx, copy, innermostCopy: loop.toLowerCase() };
}

/** Thrown by hooks when a value must be fetched first; the caller fetches and evaluates again. */
export class NeedData extends Error {
  constructor(
    readonly key: string,
    readonly fetch: () => Promise<unknown>,
  ) {
    super(`need ${key}`);
  }
}

export type { Expr };
