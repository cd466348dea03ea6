// Kubernetes errors: every failure of the API server leaves as a `Status` object (kind Status, reason, code,
// details with causes), worded as the real API server words it, so kubectl and the client libraries print
// and classify it as they do against a real cluster.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  /** An authorizer's own reason for a 403 (what an access review reports; RBAC gives none). */
  reasonOfDenial?: string;

  toStatus(): Record<string, unknown> {
    const s: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason };
    if (this.details) s.details = this.details;
    s.code = this.code;
    return s;
  }
}

export function isKubeError(e: unknown): e is KubeError {
  return e instanceof KubeError;
}

/** 'deployments.apps' as messages name a group resource ('pods' for the core group). */
export const qualified = (group: string, resource: string): string => (group ? `${resource}.${group}` : resource);

const details = (group: string, resource: string, name?: string): StatusDetails => {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (group) d.group = group;
  d.kind = resource;
  return d;
};

export const KubeErrors = {
  notFound: (group: string, resource: string, name: string) => new KubeError(404, 'NotFound', `${qualified(group, resource)} "${name}" not found`, details(group, resource, name)),
  namespaceNotFound: (ns: string) => new KubeError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' }),
  alreadyExists: (group: string, resource: string, name: string) => new KubeError(409, 'AlreadyExists', `${qualified(group, resource)} "${name}" already exists`, details(group, resource, name)),
  conflict: (group: string, resource: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new KubeError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(group, resource)} "${name}": ${why}`, details(group, resource, name)),
  /** 422 with field causes: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be ...`. */
  invalid: (group: string, kind: string, name: string, causes: StatusCause[]) => {
    const what = `${group ? `${kind}.${group}` : kind} "${name}" is invalid`;
    const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : String(c.message)));
    const msg = parts.length === 1 ? `${what}: ${parts[0]}` : `${what}: [${parts.join(', ')}]`;
    const d: StatusDetails = { name, ...(group ? { group } : {}), kind, causes };
    return new KubeError(422, 'Invalid', msg, d);
  },
  badRequest: (message: string, causes?: StatusCause[]) => new KubeError(400, 'BadRequest', message, causes ? { causes } : undefined),
  unauthorized: (message = 'Unauthorized') => new KubeError(401, 'Unauthorized', message),
  forbidden: (user: string, verb: string, group: string, resource: string, opts: { name?: string; namespace?: string; subresource?: string; why?: string } = {}) => {
    const res = opts.subresource ? `${resource}/${opts.subresource}` : resource;
    const q = qualified(group, resource);
    let msg = `${opts.name !== undefined ? `${q} "${opts.name}"` : q} is forbidden: User "${user}" cannot ${verb} resource "${res}" in API group "${group}"`;
    msg += opts.namespace ? ` in the namespace "${opts.namespace}"` : ' at the cluster scope';
    if (opts.why) msg += `: ${opts.why}`;
    const e = new KubeError(403, 'Forbidden', msg, details(group, resource, opts.name));
    e.reasonOfDenial = opts.why;
    return e;
  },
  forbiddenPath: (user: string, verb: string, path: string) => new KubeError(403, 'Forbidden', `forbidden: User "${user}" cannot ${verb} path "${path}"`, {}),
  forbiddenMessage: (group: string, resource: string, name: string | undefined, message: string) =>
    new KubeError(403, 'Forbidden', `${name !== undefined ? `${qualified(group, resource)} "${name}"` : qualified(group, resource)} is forbidden: ${message}`, details(group, resource, name)),
  methodNotAllowed: (message = 'the server does not allow this method on the requested resource') => new KubeError(405, 'MethodNotAllowed', message),
  notAcceptable: (message: string) => new KubeError(406, 'NotAcceptable', message),
  unsupportedMediaType: (type: string) =>
    new KubeError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${type || 'none'})`,
    ),
  expired: (message: string) => new KubeError(410, 'Expired', message),
  gone: (message: string) => new KubeError(410, 'Gone', message),
  tooLarge: (message = 'the request is too large') => new KubeError(413, 'RequestEntityTooLarge', message),
  serviceUnavailable: (message: string) => new KubeError(503, 'ServiceUnavailable', message),
  internal: (message: string) => new KubeError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),
  pathNotFound: () => new KubeError(404, 'NotFound', 'the server could not find the requested resource', {}),
};
