// src/templates/: the ARM template language and deployment engine, self-contained.
//
// Language:   tokenizer.ts → parser.ts → evaluator.ts, with functions/ (the built-in library, one file
//             per family), values.ts (ARM value semantics), dotnet-format.ts, datetime.ts,
//             unique-string.ts, context.ts (what an expression can see), errors.ts (ARM's wording).
// Templates:  json-text.ts (comments), template.ts (sections, symbolic names, UDFs), lint.ts (syntax and
//             unknown functions up front), parameters.ts, variables.ts, api-profiles.ts (apiProfile
//             data), scope.ts (ids), expand.ts (copy, condition, dependsOn), graph.ts (cycles),
//             environment.ts.
// Deploying:  host.ts (the injected TemplateHost), prepare.ts (validation, no side effects),
//             preflight.ts (providers' checks before acceptance),
//             executor.ts (deploy), hooks.ts (reference()/list*() through the host), outputs.ts,
//             results.ts (operation records), validate.ts, whatif.ts, redact.ts (secure values).
//
// Entry points for the deployment API: prepareDeployment + preflightDeployment + executeDeployment (or deploy),
// validateDeployment, whatIf, redactParameters / redactorFor / redactSuppliedParameters.

export type { TemplateHost, PutResult, HostError } from './host.js';
export type { ScopeInfo, ResourceGroupInfo, EvalContext } from './context.js';
export { prepareDeployment, templateHash, calculateTemplateHash, type DeploymentRequest, type PreparedDeployment, type TemplateLink } from './prepare.js';
export { deploy, executeDeployment, type DeployOptions, type AdoptedWrite } from './executor.js';
export { preflightDeployment } from './preflight.js';
export { validateDeployment, validationErrorBody, type ValidationResult } from './validate.js';
export { whatIf, diff, type WhatIfResult, type WhatIfChange, type WhatIfPropertyChange } from './whatif.js';
export { redactParameters, redactorFor, redactSuppliedParameters, scrub, MASK } from './redact.js';
export type { DeploymentResult, DeploymentOperation, DeploymentDependency } from './results.js';
export { deploymentProperties } from './hooks.js';
export { TemplateError, TemplateErrors, DEPLOYMENT_FAILED_MESSAGE } from './errors.js';
export { parseTemplateText } from './json-text.js';
export { readTemplate } from './template.js';
export { azureCloudEnvironment, azureStackEnvironment } from './environment.js';
export { API_PROFILES, profileApiVersion } from './api-profiles.js';
export { uniqueString } from './unique-string.js';
export { evaluateString, evaluateValue } from './evaluator.js';
export { TemplateWorkers, type PoolOptions } from './worker/pool.js';
export { MAX_VALUE_DEPTH, MAX_VALUE_SIZE, setEvaluationTimeLimit } from './limits.js';
