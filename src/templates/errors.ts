// Template errors, worded as ARM words them. Every template failure is an ArmError (code, message,
// details) so the deployment API can send it as it is; validation failures also carry ARM's
// `additionalInfo: [{type: 'TemplateViolation', info: {lineNumber, linePosition, path}}]`.

import { ArmError, type ErrorDetail } from '../arm/errors.js';

export class TemplateError extends ArmError {
  readonly additionalInfo?: { type: string; info: unknown }[];
  constructor(status: number, code: string, message: string, opts: { target?: string; details?: ErrorDetail[]; path?: string } = {}) {
    super(status, code, message, { target: opts.target, details: opts.details });
    if (opts.path !== undefined) {
      this.additionalInfo = [{ type: 'TemplateViolation', info: { lineNumber: 0, linePosition: 0, path: opts.path } }];
    }
  }
  override toDetail(): ErrorDetail {
    const d = super.toDetail();
    if (this.additionalInfo) d.additionalInfo = this.additionalInfo;
    return d;
  }
}

/** An error raised while evaluating one expression; the caller adds where it happened. */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
  }
}

const USAGE_EXPR = 'Please see https://aka.ms/arm-template-expressions for usage details.';
const USAGE_FUNCS = 'Please see https://aka.ms/arm-functions for usage details.';

export const ExprErrors = {
  unknownFunction: (name: string) => new ExpressionError(`The template function '${name}' is not valid. ${USAGE_EXPR}`),
  notExpectedHere: (name: string, extra = '') => new ExpressionError(`The template function '${name}' is not expected at this location.${extra} ${USAGE_FUNCS}`),
  arity: (name: string, expected: string, actual: number) =>
    new ExpressionError(`Unable to evaluate template language function '${name}': function requires ${expected} argument(s) while ${actual} were provided. ${USAGE_FUNCS}`),
  argType: (name: string, expected: string, actual: string) =>
    new ExpressionError(`Unable to evaluate template language function '${name}': the argument is of type '${actual}', expected '${expected}'. ${USAGE_FUNCS}`),
  /** Lexical errors: ARM quotes the expression without its brackets. */
  syntax: (expr: string, detail: string) => new ExpressionError(`The language expression '${expr}' is not valid: ${detail}`),
  /** Grammar errors ("Unable to parse language expression '': expected token 'Identifier' and actual 'EndOfData'."). */
  parse: (expr: string, expected: string, actual: string) => new ExpressionError(`Unable to parse language expression '${expr}': expected token '${expected}' and actual '${actual}'.`),
  noProperty: (name: string, available: string[]) => new ExpressionError(`The language expression property '${name}' doesn't exist, available properties are '${available.join(', ')}'.`),
  indexOutOfBounds: (i: number) => new ExpressionError(`The language expression property array index '${i}' is out of bounds.`),
  badAccess: (what: string, _on: string) => new ExpressionError(`The language expression property '${what}' can't be evaluated, property name must be a string.`),
  notIndexable: (type: string) => new ExpressionError(`The language expression property access is not valid on a value of type '${type}'.`),
  generic: (message: string) => new ExpressionError(message),
};

function wrap(inner: string): string {
  return `Deployment template validation failed: '${inner}'.`;
}

const typeNames: Record<string, string> = {
  string: 'String',
  number: 'Integer',
  boolean: 'Boolean',
  object: 'Object',
  array: 'Array',
  null: 'Null',
};

export const TemplateErrors = {
  /** InvalidTemplate at validation time ("Deployment template validation failed: '...'."). */
  invalid: (inner: string, path?: string) => new TemplateError(400, 'InvalidTemplate', wrap(inner), { path }),
  // ARM appends its own ". Please see ..." to the inner message (hence "details.. Please see").
  invalidResource: (name: string, inner: string, path: string) => TemplateErrors.invalid(`The template resource '${name}' at line '0' and column '0' is not valid: ${inner}. ${USAGE_EXPR}`, path),
  invalidVariable: (name: string, inner: string) => TemplateErrors.invalid(`The template variable '${name}' is not valid: ${inner}. ${USAGE_EXPR}`, `properties.template.variables.${name}`),
  invalidOutput: (name: string, inner: string) => TemplateErrors.invalid(`The template output '${name}' is not valid: ${inner}. ${USAGE_EXPR}`, `properties.template.outputs.${name}`),
  /** An output that fails at deploy time (inside DeploymentOutputEvaluationFailed). */
  outputFailed: (name: string, inner: string) => new TemplateError(400, 'InvalidTemplate', `The template output '${name}' is not valid: ${inner}`, { target: name }),
  invalidParameter: (name: string, inner: string) => TemplateErrors.invalid(`The template parameter '${name}' is not valid: ${inner}. ${USAGE_EXPR}`, `properties.template.parameters.${name}`),
  invalidFunction: (name: string, inner: string) => TemplateErrors.invalid(`The template function '${name}' is not valid: ${inner}. ${USAGE_EXPR}`, `properties.template.functions`),
  missingParameter: (name: string) =>
    TemplateErrors.invalid(
      `The value for the template parameter '${name}' at line '0' and column '0' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.`,
      `properties.template.parameters.${name}`,
    ),
  undeclaredParameters: (names: string[], supported: string[]) =>
    TemplateErrors.invalid(
      `The template parameters '${names.join(', ')}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '${supported.join(', ')}'. Please see https://aka.ms/arm-deploy/#parameter-file for usage details.`,
      'properties.parameters',
    ),
  notAllowedValue: (name: string, value: unknown, allowed: unknown[]) =>
    TemplateErrors.invalid(
      `The provided value '${display(value)}' for the template parameter '${name}' at line '0' and column '0' is not valid. The parameter value is not part of the allowed value(s): '${allowed.map(display).join(',')}'. Please see https://aka.ms/arm-syntax-parameters for usage details.`,
      `properties.template.parameters.${name}`,
    ),
  /** Length and range checks: ARM does not repeat the value ("The provided value for the template parameter ..."). */
  parameterRange: (name: string, _value: unknown, rule: string) =>
    TemplateErrors.invalid(
      `The provided value for the template parameter '${name}' at line '0' and column '0' is not valid. ${rule} Please see https://aka.ms/arm-syntax-parameters for usage details.`,
      `properties.template.parameters.${name}`,
    ),
  parameterType: (name: string, expected: string, actual: unknown) =>
    TemplateErrors.invalid(
      `Template parameter JToken type is not valid. Expected '${expected}'. Actual '${jtokenType(actual)}'. Please see https://aka.ms/arm-create-parameter-file for usage details.`,
      `properties.parameters.${name}`,
    ),
  circular: (id: string) => TemplateErrors.invalid(`Circular dependency detected on resource: '${id}'. Please see https://aka.ms/arm-syntax-resources for usage details.`),
  notDefined: (ref: string) => TemplateErrors.invalid(`The resource '${ref}' is not defined in the template. Please see https://aka.ms/arm-syntax for usage details.`),
  /** Deploy-time evaluation failure (properties, reference()). */
  processing: (resourceId: string, inner: string) =>
    new TemplateError(400, 'InvalidTemplate', `Unable to process template language expressions for resource '${resourceId}' at line '0' and column '0'. '${inner}'`),
  language: (inner: string) => new TemplateError(400, 'InvalidTemplate', `Deployment template language expression evaluation failed: '${inner}'. ${USAGE_EXPR}`),
};

export function jtokenType(v: unknown): string {
  if (v === null || v === undefined) return 'Null';
  if (Array.isArray(v)) return 'Array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Float';
  return typeNames[typeof v] ?? 'Object';
}

function display(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export const DEPLOYMENT_FAILED_MESSAGE =
  'At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.';

/** The error body for a failed validation, as `POST .../validate` answers it. */
export function validationErrorBody(e: unknown): { error: ErrorDetail } {
  if (e instanceof ArmError) return e.toBody();
  return TemplateErrors.invalid((e as Error).message).toBody();
}
