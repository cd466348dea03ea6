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

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { target?: string; details?: ErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
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
  invalidRequestContent: (message: string, target?: string) =>
    new ArmError(400, 'InvalidRequestContent', message, { target }),
  invalidParameter: (message: string, target?: string) => new ArmError(400, 'InvalidParameter', message, { target }),
  missingApiVersion: () =>
    new ArmError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'),
  invalidApiVersion: (v: string, supported: string[]) =>
    new ArmError(
      400,
      'InvalidApiVersionParameter',
      `The api-version '${v}' is invalid. The supported versions are '${supported.join(',')}'.`,
    ),
  noRegisteredProvider: (location: string, v: string, type: string, versions: string[], locations: string[]) =>
    new ArmError(
      400,
      'NoRegisteredProviderFound',
      `No registered resource provider found for location '${location}' and API version '${v}' for type '${type}'. ` +
        `The supported api-versions are '${versions.join(', ')}'. The supported locations are '${locations.join(', ')}'.`,
    ),
  invalidResourceNamespace: (ns: string) =>
    new ArmError(400, 'InvalidResourceNamespace', `The resource namespace '${ns}' is invalid.`),
  invalidResourceType: (type: string, ns: string, v: string) =>
    new ArmError(
      400,
      'InvalidResourceType',
      `The resource type '${type}' could not be found in the namespace '${ns}' for api version '${v}'.`,
    ),
  subscriptionNotFound: (sub: string) =>
    new ArmError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`),
  resourceGroupNotFound: (rg: string) =>
    new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`),
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
    new ArmError(
      409,
      'MissingSubscriptionRegistration',
      `The subscription is not registered to use namespace '${ns}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
      {
        details: [
          {
            code: 'MissingSubscriptionRegistration',
            target: ns,
            message: `The subscription is not registered to use namespace '${ns}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
          },
        ],
      },
    ),
  conflict: (message: string) => new ArmError(409, 'Conflict', message),
  anotherOperationInProgress: (message: string) => new ArmError(409, 'AnotherOperationInProgress', message),
  resourceGroupBeingDeleted: (rg: string) =>
    new ArmError(
      409,
      'ResourceGroupBeingDeleted',
      `The resource group '${rg}' is in deprovisioning state and cannot perform this operation.`,
    ),
  preconditionFailed: (message: string) => new ArmError(412, 'PreconditionFailed', message),
  invalidResourceName: (name: string, type: string, rule: string) =>
    new ArmError(400, 'InvalidResourceName', `The resource name '${name}' is invalid for type '${type}'. ${rule}`),
  methodNotAllowed: (method: string, type: string) =>
    new ArmError(
      405,
      'MethodNotAllowed',
      `The requested method '${method}' is not allowed for resource type '${type}'.`,
    ),
  locationNotAvailable: (location: string, type: string, locations: string[]) =>
    new ArmError(
      400,
      'LocationNotAvailableForResourceType',
      `The provided location '${location}' is not available for resource type '${type}'. List of available regions for the resource type is '${locations.join(',')}'.`,
    ),
  internal: (message: string) => new ArmError(500, 'InternalServerError', message),
  requestEntityTooLarge: (limit: number) =>
    new ArmError(413, 'RequestEntityTooLarge', `The request content size exceeds the maximum allowed size of ${limit} bytes.`),
  forbiddenOrigin: (origin: string) =>
    new ArmError(
      403,
      'ForbiddenOrigin',
      `Requests from origin '${origin}' are not allowed: the emulator's admin API only answers the emulator's own origin and clients that send no Origin (curl, scripts).`,
    ),
};
