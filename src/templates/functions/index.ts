// The function library: every built-in template function by lower-cased name. Names are
// case-insensitive (`resourceGroup()`, `RESOURCEGROUP()`); any `list*` name not built in is a POST
// action (listKeys, listSecrets, listCredential, listClusterAdminCredential, ...).

import { cidr } from './cidr.js';
import { collections } from './collections.js';
import { deploymentFunctions } from './deployment.js';
import { lambdas } from './lambda.js';
import { logic } from './logic.js';
import { listFunction, resourceFunctions } from './resource.js';
import { strings } from './strings.js';
import type { FunctionDef, Library } from './types.js';

const library: Library = { ...collections, ...logic, ...strings, ...cidr, ...deploymentFunctions, ...resourceFunctions, ...lambdas };

export function lookupFunction(name: string): FunctionDef | undefined {
  const key = name.toLowerCase();
  const def = library[key];
  if (def) return def;
  if (key.startsWith('list') && key.length > 4) return listFunction;
  return undefined;
}

export function functionNames(): string[] {
  return Object.keys(library);
}

export type { FunctionDef };
