// What a deployment produces, in the shapes the deployment API serves: per-resource operation records
// (`.../deployments/{name}/operations`), the deployment's outcome (state, timing, outputs,
// outputResources, dependencies, error), and helpers for ids, timing and HTTP status names.

import { randomUUID } from 'node:crypto';
import type { ErrorDetail } from '../arm/errors.js';

export type OperationState = 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

export interface DeploymentOperation {
  operationId: string;
  provisioningOperation: 'Create' | 'Delete' | 'Read' | 'Action' | 'EvaluateDeploymentOutput';
  provisioningState: OperationState;
  startTime: string;
  timestamp: string;
  duration: string;
  statusCode?: string;
  statusMessage?: { status: string; error?: ErrorDetail } | unknown;
  targetResource: { id: string; resourceType: string; resourceName: string; apiVersion?: string };
  /** For nested deployments: their own outcome (to keep as a deployment of its own). */
  nested?: DeploymentResult;
}

export interface DeploymentDependency {
  id: string;
  resourceType: string;
  resourceName: string;
  dependsOn: { id: string; resourceType: string; resourceName: string }[];
}

export interface DeploymentResult {
  name: string;
  /** The scope the deployment ran in (`/subscriptions/{s}/resourceGroups/{rg}`, `/subscriptions/{s}`, ...). */
  scopeId: string;
  provisioningState: 'Succeeded' | 'Failed' | 'Canceled';
  mode: 'Incremental' | 'Complete';
  startTime: string;
  timestamp: string;
  duration: string;
  templateHash: string;
  /** Parameters as GET shows them: secure ones carry only their type. */
  parameters: Record<string, { type: string; value?: unknown }>;
  /** Outputs as GET shows them (secure outputs left out); absent when the deployment failed. */
  outputs?: Record<string, { type: string; value: unknown }>;
  outputResources: { id: string }[];
  dependencies: DeploymentDependency[];
  operations: DeploymentOperation[];
  error?: ErrorDetail;
}

export function newOperationId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
}

export function isoDuration(ms: number): string {
  return `PT${(ms / 1000).toFixed(7).replace(/\.?0+$/, '') || '0'}S`;
}

const STATUS_NAMES: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'NoContent',
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  412: 'PreconditionFailed',
  413: 'RequestEntityTooLarge',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

export function statusName(status: number): string {
  return STATUS_NAMES[status] ?? String(status);
}

/** A deployment's outcome as its GET shows it (reference() to a nested deployment reads it too). */
export function deploymentProperties(r: DeploymentResult): Record<string, unknown> {
  return {
    templateHash: r.templateHash,
    parameters: r.parameters,
    mode: r.mode,
    provisioningState: r.provisioningState,
    timestamp: r.timestamp,
    duration: r.duration,
    outputs: r.outputs ?? {},
    outputResources: r.outputResources,
    dependencies: r.dependencies,
    ...(r.error ? { error: r.error } : {}),
  };
}
