// ARM's resource-name rules, with a type's own tighter rule on top.

import { Errors } from '../arm/errors.js';
import type { ResourceTypeDefinition } from './types.js';

const RG_NAME = /^[-\w._()\p{L}\p{N}]{1,90}$/u;

export function checkName(def: ResourceTypeDefinition, name: string): void {
  const type = `${def.namespace}/${def.type}`;
  if (def.namespace === 'Microsoft.Resources' && def.type === 'resourceGroups') {
    if (!RG_NAME.test(name) || name.endsWith('.')) {
      throw Errors.invalid(
        'InvalidResourceGroupName',
        `The resource group name '${name}' is invalid. It must be 1-90 characters of letters, digits, '-', '_', '.', '(' or ')', and must not end with a period.`,
      );
    }
    return;
  }
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > 260 || /[<>%&:\\?/\u0000-\u001f]/.test(name) || name.endsWith('.') || name.endsWith(' ')) {
    throw Errors.invalid(
      'InvalidResourceName',
      `The resource name '${name}' is invalid. It must be 1-260 characters, must not contain '<', '>', '%', '&', ':', '\\', '?', '/' or control characters, and must not end with '.' or a space.`,
    );
  }
  if (def.nameRule && !def.nameRule.pattern.test(name)) {
    throw Errors.invalid('InvalidResourceName', `The resource name '${name}' is invalid for type '${type}'. ${def.nameRule.message}`);
  }
}
