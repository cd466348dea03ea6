// ARM's error envelope: {"error":{"code","message","target?","details?","additionalInfo?"}}.
// Every failure the emulator reports, from the front door or a provider, is an ArmError,
// so nothing reaches the client as a bare 500.

export interface ErrorDetail {
  code: string;
  message: string;
  target?: string;
  details?: ErrorDetail[];
  additionalInfo?: { type: string; info: unknown }[];
}

export class ArmError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target?: string;
  readonly details?: ErrorDetail[];
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, opts: { target?: string; details?: ErrorDetail[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.target = opts.target;
    this.details = opts.details;
    this.headers = opts.headers ?? {};
  }

  toDetail(): ErrorDetail {
    const d: ErrorDetail = { code: this.code, message: this.message };
    if (this.target) d.target = this.target;
    if (this.details?.length) d.details = this.details;
    return d;
  }

  toBody(): { error: ErrorDetail } {
    return { error: this.toDetail() };
  }
}

export function isArmError(e: unknown): e is ArmError {
  return e instanceof ArmError;
}

/** Factories for the codes the front door uses; wording follows real ARM responses. */
export const Errors = {
  badRequest: (message: string, target?: string) => new ArmError(400, 'BadRequest', message, { target }),
  invalidRequestContent: (message: string, target?: string) => new ArmError(400, 'InvalidRequestContent', message, { target }),
  invalidParameter: (message: string, target?: string) => new ArmError(400, 'InvalidParameter', message, { target }),
  missingApiVersion: () => new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'),
  invalidApiVersion: (v: string, supported: string[]) => new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${v}' is invalid. The supported versions are '${supported.join(',')}'.`),
  noRegisteredProvider: (location: string, v: string, type: string, versions: string[], locations: string[]) =>
    new ArmError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location '${location}' and API version '${v}' for type '${type}'. ` +
        `The supported api-versions are '${versions.join(', ')}'. The supported locations are '${locations.join(', ')}'.`,
    ),
  invalidResourceNamespace: (ns: string) => new ArmError(400, 'InvalidResourceNamespace', `The resource namespace '${ns}' is invalid.`),
  invalidResourceType: (type: string, ns: string, v: string) =>
    new ArmError(400, 'InvalidResourceType', `The resource type '${type}' could not be found in the namespace '${ns}' for api version '${v}'.`),
  subscriptionNotFound: (sub: string) => new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`),
  resourceGroupNotFound: (rg: string) => new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`),
  resourceNotFound: (typeAndName: string, rg?: string) =>
    new ArmError(
      404,
      'ResourceNotFound',
      rg
        ? `The Resource '${typeAndName}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`
        : `The Resource '${typeAndName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    ),
  notFound: (message: string) => new ArmError(404, 'NotFound', message),
  missingSubscriptionRegistration: (ns: string) =>
    new ArmError(409, 'MissingSubscriptionRegistration', `The subscription is not registered to use namespace '${ns}'. See https://aka.ms/rps-not-found for how to register subscriptions.`, {
      details: [
        {
          code: 'MissingSubscriptionRegistration',
          target: ns,
          message: `The subscription is not registered to use namespace '${ns}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
        },
      ],
    }),
  conflict: (message: string) => new ArmError(409, 'Conflict', message),
  anotherOperationInProgress: (message: string) => new ArmError(409, 'AnotherOperationInProgress', message),
  resourceGroupBeingDeleted: (rg: string) => new ArmError(409, 'ResourceGroupBeingDeleted', `The resource group '${rg}' is in deprovisioning state and cannot perform this operation.`),
  preconditionFailed: (message: string) => new ArmError(412, 'PreconditionFailed', message),
  invalidResourceName: (name: string, type: string, rule: string) => new ArmError(400, 'InvalidResourceName', `The resource name '${name}' is invalid for type '${type}'. ${rule}`),
  /** A 405 always names what is allowed (RFC 9110 Allow header). */
  methodNotAllowed: (method: string, type: string, allow: string[] = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'POST']) =>
    new ArmError(405, 'MethodNotAllowed', `The requested method '${method}' is not allowed for resource type '${type}'.`, { headers: { Allow: allow.join(', ') } }),
  locationNotAvailable: (location: string, type: string, locations: string[]) =>
    new ArmError(
      400,
      'LocationNotAvailableForResourceType',
      `The provided location '${location}' is not available for resource type '${type}'. List of available regions for the resource type is '${locations.join(',')}'.`,
    ),
  // ---- the framework core and providers ----
  /** A generic 400 with a provider's own code (the one place such errors are built). */
  invalid: (code: string, message: string, target?: string) => new ArmError(400, code, message, { target }),
  /** 401 with the WWW-Authenticate challenge (bearer token checks). */
  unauthorized: (code: string, message: string, headers: Record<string, string>) => new ArmError(401, code, message, { headers }),
  /** A 400 that lists every reason in details (capability refusals). */
  refused: (code: string, message: string, target?: string, details?: ErrorDetail[]) => new ArmError(400, code, message, { target, details }),
  /** A generic 409 with a provider's own code. */
  conflictWith: (code: string, message: string, target?: string) => new ArmError(409, code, message, { target }),
  /** Any other status with a provider's own code (404s of provider lookups, 503 of a disconnected site). */
  withStatus: (status: number, code: string, message: string, target?: string) => new ArmError(status, code, message, { target }),
  operationNotAllowed: (message: string, target?: string, status = 409) => new ArmError(status, 'OperationNotAllowed', message, { target }),
  propertyChangeNotAllowed: (property: string, current: string, target: string, hint = '') =>
    new ArmError(400, 'PropertyChangeNotAllowed', `Changing property '${property}' is not allowed (it is '${current}')${hint ? `; ${hint}` : ''}.`, { target }),
  invalidTag: (message: string, target: string) => new ArmError(400, 'InvalidTag', message, { target }),
  tagRule: (code: 'InvalidTagCount' | 'InvalidTagNameCharacters' | 'InvalidTagValueLength', message: string, target: string) => new ArmError(400, code, message, { target }),
  locationRequired: () => new ArmError(400, 'LocationRequired', 'The location property is required for this definition.', { target: 'location' }),
  invalidResourceGroupLocation: (asked: string, was: string) =>
    new ArmError(409, 'InvalidResourceGroupLocation', `Invalid resource group location '${asked}'. The Resource group already exists in location '${was}'.`),
  invalidResourceLocation: (name: string, was: string, rg: string, asked: string) =>
    new ArmError(
      409,
      'InvalidResourceLocation',
      `The resource '${name}' already exists in location '${was}' in resource group '${rg}'. A resource with the same name cannot be created in location '${asked}'. Please select a new resource name.`,
    ),
  parentResourceNotFound: (verb: 'read' | 'write', type: string, parent: string) =>
    new ArmError(404, 'ParentResourceNotFound', `Failed to perform '${verb}' on resource(s) of type '${type}', because the parent resource '${parent}' could not be found.`),
  resourceTypeInResourceGroup: (type: string) =>
    new ArmError(
      400,
      'InvalidResourceType',
      `The resource type '${type}' lives in a resource group; address it as /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${type}/{name}.`,
    ),
  resourceTypeNotFound: (type: string, ns: string) => new ArmError(400, 'InvalidResourceType', `The resource type '${type}' could not be found in the namespace '${ns}'.`),
  actionNotFound: (typeAndAction: string, ns: string, v: string) =>
    new ArmError(404, 'InvalidResourceType', `The resource type '${typeAndAction}' could not be found in the namespace '${ns}' for api version '${v}'.`),
  routeNotFound: (path: string) => new ArmError(404, 'InvalidResourceType', `The request path '${path}' does not address an ARM resource or collection.`),
  invalidRequestUri: (segment: string) => new ArmError(400, 'InvalidRequestUri', `The request URI segment '${segment}' is not correctly encoded.`),
  operationNotFound: (id: string, ns: string) => new ArmError(404, 'OperationNotFound', `The operation '${id}' could not be found in namespace '${ns}'.`),
  operationNotCancellable: (id: string, status: string) => new ArmError(409, 'OperationNotCancellable', `Operation '${id}' has already ${status.toLowerCase()} and cannot be canceled.`),
  invalidExtendedLocation: (message: string, target = 'extendedLocation') => new ArmError(400, 'InvalidExtendedLocation', message, { target }),
  requestTooLarge: (message: string) => new ArmError(413, 'RequestEntityTooLarge', message),
  internal: (message: string) => new ArmError(500, 'InternalServerError', message),
  /** 503 while the store's database is away: nothing was changed; the client retries after Retry-After. */
  storeUnavailable: (err: { message: string; retryAfter: number }) =>
    new ArmError(503, 'ServiceUnavailable', `The emulator cannot reach its database right now: ${err.message}. Nothing was changed; retry after ${err.retryAfter} seconds.`, {
      headers: { 'Retry-After': String(err.retryAfter) },
    }),
  requestEntityTooLarge: (limit: number) => new ArmError(413, 'RequestEntityTooLarge', `The request content size exceeds the maximum allowed size of ${limit} bytes.`),
  forbiddenOrigin: (origin: string) =>
    new ArmError(
      403,
      'ForbiddenOrigin',
      `Requests from origin '${origin}' are not allowed: the emulator's admin API only answers the emulator's own origin and clients that send no Origin (curl, scripts).`,
    ),
};
