// Turns a deployment request into a prepared deployment, with no side effects: fetches a linked
// template/parameters file, reads the template, binds and checks parameters, evaluates variables,
// expands resources and their dependencies, rejects cycles and unknown resource types. What ARM does
// synchronously before it accepts a deployment (errors here are 400s).

import { ArmError } from '../arm/errors.js';
import type { DeploymentInfo, EvalContext, ScopeInfo } from './context.js';
import { azureCloudEnvironment } from './environment.js';
import { TemplateError, TemplateErrors } from './errors.js';
import { evaluateValue } from './evaluator.js';
import { expandResources, type Expansion } from './expand.js';
import { checkCycles } from './graph.js';
import { lintTemplate } from './lint.js';
import type { TemplateHost } from './host.js';
import { bindParameters, suppliedValues, type ParameterInfo } from './parameters.js';
import { scopePrefix } from './scope.js';
import { readTemplate, section, TEMPLATE_TYPES, type NormalizedTemplate } from './template.js';
import { murmurHash64 } from './unique-string.js';
import { parseJsonLimited } from './limits.js';
import { stripComments } from './json-text.js';
import { isObject } from './values.js';
import { VariableTable } from './variables.js';

export interface TemplateLink {
  uri?: string;
  relativePath?: string;
  queryString?: string;
  id?: string;
  contentVersion?: string;
}

export interface DeploymentRequest {
  /** Deployment name. */
  name: string;
  /** Where it deploys: tenant (+ management group), subscription, or resource group (with its location). */
  scope: ScopeInfo;
  /** The request body's `location` (subscription/management-group/tenant deployments). */
  location?: string;
  properties: {
    template?: unknown;
    templateLink?: TemplateLink;
    parameters?: unknown;
    parametersLink?: { uri: string; contentVersion?: string };
    mode?: string;
    expressionEvaluationOptions?: { scope?: string };
  };
  /** The deployments api-version the client used (languageVersion 2.0 needs 2020-09-01 or later). */
  apiVersion?: string;
  /** environment(); AzureCloud when omitted. */
  environment?: Record<string, unknown>;
  /** utcNow() for the whole deployment; now when omitted. */
  now?: Date;
}

export interface PreparedDeployment {
  request: DeploymentRequest;
  template: NormalizedTemplate;
  ctx: EvalContext;
  declared: ParameterInfo[];
  exp: Expansion;
  /** Id prefix of the scope resources deploy into. */
  prefix: string;
  target: ScopeInfo;
  mode: 'Incremental' | 'Complete';
  templateHash: string;
  /** The URI the template came from (relativePath links of nested deployments resolve against it). */
  templateUri?: string;
  /** Secure parameter values (strings), to scrub from anything shown. */
  secrets: string[];
}

export interface PrepareOptions {
  /** For nested deployments with `expressionEvaluationOptions.scope` outer: the parent's context. */
  outerContext?: EvalContext;
  /** The parent's template URI, for `templateLink.relativePath`. */
  parentTemplateUri?: string;
}

/**
 * ARM's template hash: MurmurHash64 (the uniqueString variant) of the UTF-8 bytes of the template's
 * minified JSON in upper case, as an unsigned decimal. Checked against the REST spec's example
 * (CalculateTemplateHash.json: 695440707931307747).
 */
export function templateHash(template: unknown): string {
  return murmurHash64(new TextEncoder().encode(minified(template))).toString();
}

function minified(template: unknown): string {
  return JSON.stringify(template).toUpperCase();
}

/** POST /providers/Microsoft.Resources/calculateTemplateHash: the minified template and its hash. */
export function calculateTemplateHash(template: unknown): { minifiedTemplate: string; templateHash: string } {
  const t = typeof template === 'string' ? readTemplate(template).raw : template;
  return { minifiedTemplate: minified(t), templateHash: templateHash(t) };
}

async function fetchLinked(host: TemplateHost, uri: string): Promise<unknown> {
  if (!host.fetchTemplate) {
    throw new TemplateError(400, 'InvalidContentLink', `Unable to download deployment content from '${uri}'. Linked templates are not available here.`);
  }
  let content: unknown;
  try {
    content = await host.fetchTemplate(uri);
  } catch (e) {
    throw new TemplateError(400, 'InvalidContentLink', `Unable to download deployment content from '${uri}'. ${(e as Error).message ?? ''}`.trim());
  }
  if (typeof content !== 'string') return content;
  // Text (as the emulator's host hands it over): parsed here, comments allowed, at most 64 levels deep.
  try {
    return parseJsonLimited(stripComments(content), 'linked content');
  } catch (e) {
    throw new TemplateError(400, 'InvalidContentLink', `The content downloaded from '${uri}' is not a valid template or parameters file: ${(e as Error).message}`);
  }
}

function linkUri(link: TemplateLink, parentUri: string | undefined): string {
  let uri = link.uri;
  if (!uri && link.relativePath) {
    if (!parentUri) {
      throw new TemplateError(400, 'InvalidDeployment', "The 'relativePath' property of a templateLink can only be used when the parent template was deployed from a link.");
    }
    const base = new URL(parentUri);
    const q = base.search;
    base.search = '';
    uri = new URL(link.relativePath, base).toString() + (link.queryString ? `?${link.queryString}` : q);
    return uri;
  }
  if (!uri) throw new TemplateError(400, 'InvalidDeployment', "The templateLink must have a 'uri' or a 'relativePath'.");
  if (link.queryString) uri += (uri.includes('?') ? '&' : '?') + link.queryString;
  return uri;
}

export async function prepareDeployment(host: TemplateHost, req: DeploymentRequest, opts: PrepareOptions = {}): Promise<PreparedDeployment> {
  const p = req.properties ?? {};
  if (p.template !== undefined && p.templateLink !== undefined) {
    throw new TemplateError(400, 'InvalidDeployment', "The deployment must have either 'template' or 'templateLink', not both.");
  }
  checkRequestShape(p);
  let rawTemplate = p.template;
  let templateUri: string | undefined;
  if (rawTemplate === undefined) {
    if (!p.templateLink) throw new TemplateError(400, 'InvalidDeployment', "The deployment must have a 'template' or a 'templateLink'.");
    if (p.templateLink.id) throw new TemplateError(400, 'InvalidDeployment', 'Template specs are not supported by this emulator.');
    templateUri = linkUri(p.templateLink, opts.parentTemplateUri);
    rawTemplate = await fetchLinked(host, templateUri);
  }
  let parameters = p.parameters;
  if (parameters === undefined && p.parametersLink?.uri) parameters = await fetchLinked(host, p.parametersLink.uri);

  const kv = await resolveKeyVaultReferences(host, parameters);
  parameters = kv.parameters;
  const template = readTemplate(rawTemplate);
  // An outer-scope nested template uses its parent's parameters and variables: they are not its own.
  lintTemplate(template, { ownScope: !opts.outerContext });
  if (template.languageVersion?.startsWith('2') && req.apiVersion && req.apiVersion < '2020-09-01') {
    throw new TemplateError(
      400,
      'InvalidDeployment',
      `The template language version '${template.languageVersion}' is not supported with the api-version '${req.apiVersion}'. Use api-version '2020-09-01' or later.`,
    );
  }
  const mode = String(p.mode ?? 'Incremental').toLowerCase() === 'complete' ? 'Complete' : 'Incremental';
  if (mode === 'Complete' && !req.scope.resourceGroup) {
    throw new TemplateError(400, 'InvalidDeployment', "The deployment mode 'Complete' is only supported for deployments at resource group scope.");
  }
  const deployment: DeploymentInfo = {
    name: req.name,
    location: req.location,
    templateLink: templateUri ? { uri: templateUri } : undefined,
    template: template.raw,
    templateHash: templateHash(template.raw),
    parameters: isObject(parameters) ? (parameters as Record<string, unknown>) : {},
    mode,
  };

  let ctx: EvalContext;
  let declared: ParameterInfo[] = [];
  if (opts.outerContext) {
    // Outer scope: the nested template sees its parent's parameters, variables and functions.
    ctx = { ...opts.outerContext, site: 'other', hooks: undefined, lambdaVars: undefined };
  } else {
    const base = {
      scope: req.scope,
      deployment,
      environment: req.environment ?? azureCloudEnvironment(),
      functions: template.functions,
      now: req.now ?? new Date(),
      languageVersion: template.languageVersion,
      catalog: (ns: string, type: string) => host.knownType(ns, type),
    };
    const bound = bindParameters(template, parameters, base);
    declared = bound.declared;
    const variables = new VariableTable(template.variables);
    ctx = { ...base, parameters: bound.values, variables, site: 'other' };
    variables.base = ctx;
    variables.evaluateAll();
  }

  const target = req.scope;
  const prefix = scopePrefix(target);
  const exp = expandResources(template, ctx, target);
  checkCycles(exp);
  checkTypes(host, exp);
  checkOutputs(template);

  const secrets: string[] = [];
  const collect = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 3) secrets.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (isObject(v)) Object.values(v).forEach(collect);
  };
  for (const d of declared) if (d.secure) collect(ctx.parameters.get(d.name.toLowerCase()));
  for (const v of kv.secrets) collect(v);
  for (const d of declared) if (kv.names.includes(d.name.toLowerCase())) d.fromKeyVault = true;

  return { request: req, template, ctx, declared, exp, prefix, target, mode, templateHash: deployment.templateHash!, templateUri, secrets };
}

function contentError(message: string, path: string): TemplateError {
  return new TemplateError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: '${message}. Path '${path}''.`, { target: path });
}

/** What ARM refuses when it reads the request, before it looks at the template. */
function checkRequestShape(p: DeploymentRequest['properties']): void {
  const mode = p.mode as unknown;
  if (mode !== undefined && mode !== null && !(typeof mode === 'string' && /^(incremental|complete)$/i.test(mode))) {
    throw contentError(`Error converting value ${JSON.stringify(mode)} to type 'DeploymentMode'; the allowed values are 'Incremental' and 'Complete'`, 'properties.mode');
  }
  const params = p.parameters as unknown;
  if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {
    throw contentError('The deployment parameters must be a JSON object of {"name": {"value": ...}}', 'properties.parameters');
  }
  if (params !== undefined && params !== null && p.parametersLink !== undefined) {
    throw new TemplateError(400, 'InvalidDeployment', "The deployment must have either 'parameters' or 'parametersLink', not both.");
  }
}

/** Replaces Key Vault parameter references by the secret's value (read through the host). */
async function resolveKeyVaultReferences(host: TemplateHost, parameters: unknown): Promise<{ parameters: unknown; secrets: string[]; names: string[] }> {
  const supplied = suppliedValues(parameters);
  const refs = Object.entries(supplied).filter(([, v]) => isObject(v) && isObject(v.reference) && !('value' in v));
  if (!refs.length) return { parameters, secrets: [], names: [] };
  const secrets: string[] = [];
  const out: Record<string, unknown> = { ...supplied };
  for (const [name, v] of refs) {
    const ref = v.reference as Record<string, unknown>;
    const vaultId = String((ref.keyVault as Record<string, unknown> | undefined)?.id ?? '');
    const secretName = String(ref.secretName ?? '');
    const secret = host.keyVaultSecret ? await host.keyVaultSecret(vaultId, secretName, ref.secretVersion as string | undefined) : undefined;
    if (secret === undefined) {
      throw new TemplateError(400, 'KeyVaultParameterReferenceSecretRetrieveFailed', `Unable to retrieve secret '${secretName}' from key vault '${vaultId}' for the template parameter '${name}'.`);
    }
    out[name] = { value: secret };
    secrets.push(secret);
  }
  return { parameters: out, secrets, names: refs.map(([n]) => n.toLowerCase()) };
}

function checkTypes(host: TemplateHost, exp: Expansion): void {
  for (const i of exp.instances) {
    // a resource with condition false is never deployed, so never refused, whatever its type or api-version
    if (i.isDeployment || !i.condition) continue;
    const [ns, ...rest] = i.type.split('/');
    const type = rest.join('/');
    const known = host.knownType(ns, type);
    if (known) {
      if (known.apiVersions.length && !known.apiVersions.some((v) => v.toLowerCase() === i.apiVersion.toLowerCase())) {
        let location: string;
        try {
          location = String(evaluateValue(section(i.raw.body, 'location') ?? '', { ...i.ctx, site: 'resourceHeader' }));
        } catch {
          location = '';
        }
        throw new ArmError(
          400,
          'NoRegisteredProviderFound',
          `No registered resource provider found for location '${location}' and API version '${i.apiVersion}' for type '${type}'. The supported api-versions are '${known.apiVersions.join(', ')}'. The supported locations are '${(known.locations ?? []).join(', ')}'.`,
        );
      }
      continue;
    }
    if (i.existing) continue;
    if (host.knownNamespace && !host.knownNamespace(ns)) {
      throw new ArmError(400, 'InvalidResourceNamespace', `The resource namespace '${ns}' is invalid.`);
    }
    throw new ArmError(400, 'InvalidResourceType', `The resource type '${type}' could not be found in the namespace '${ns}' for api version '${i.apiVersion}'.`);
  }
}

function checkOutputs(t: NormalizedTemplate): void {
  for (const [name, o] of Object.entries(t.outputs)) {
    if (!isObject(o) || (!('value' in o) && !('copy' in o))) {
      throw TemplateErrors.invalidOutput(name, "The output must have a 'value' or a 'copy'.");
    }
    const type = section<unknown>(o, 'type');
    if (type !== undefined && !(typeof type === 'string' && (TEMPLATE_TYPES.has(type.toLowerCase()) || type.startsWith('[')))) {
      throw TemplateErrors.invalidOutput(name, `The output type '${String(type)}' is not valid. The valid types are 'string', 'securestring', 'int', 'bool', 'object', 'secureobject' and 'array'`);
    }
  }
}

export { TemplateErrors };
