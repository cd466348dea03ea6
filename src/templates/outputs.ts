// Template outputs, evaluated after the resources deploy: `value` or `copy {count, input}`, optional
// `condition`, type checked, and shown as GET shows them ({type: 'String'|'Int'|'Bool'|'Object'|'Array',
// value}); secure outputs are left out.

import { withCopy, type EvalContext } from './context.js';
import { ExpressionError, TemplateErrors } from './errors.js';
import { copyCount, evaluateValue } from './evaluator.js';
import { section, type NormalizedTemplate } from './template.js';
import { armType } from './values.js';
import { checkValue } from './limits.js';

const LABEL: Record<string, string> = { string: 'String', int: 'Int', bool: 'Bool', object: 'Object', array: 'Array', securestring: 'SecureString', secureobject: 'SecureObject' };
const ARM_LABEL: Record<string, string> = { String: 'String', Integer: 'Int', Float: 'Int', Boolean: 'Bool', Object: 'Object', Array: 'Array' };
const EXPECT: Record<string, string[]> = { string: ['String'], securestring: ['String'], int: ['Integer'], bool: ['Boolean'], object: ['Object', 'Null'], secureobject: ['Object'], array: ['Array'] };

export function evaluateOutputs(t: NormalizedTemplate, ctx: EvalContext): Record<string, { type: string; value: unknown }> {
  const out: Record<string, { type: string; value: unknown }> = {};
  for (const [name, o] of Object.entries(t.outputs)) {
    const octx: EvalContext = { ...ctx, site: 'output' };
    try {
      const cond = section(o, 'condition');
      if (cond !== undefined && evaluateValue(cond, octx) !== true) continue;
      const declared = section(o, 'type');
      const type = declared === undefined ? '' : String(evaluateValue(declared, octx)).toLowerCase();
      let value: unknown;
      const copy = section<Record<string, unknown>>(o, 'copy');
      if (copy) {
        const n = copyCount(section(copy, 'count'), octx, name);
        const items: unknown[] = [];
        for (let i = 0; i < n; i++) items.push(evaluateValue(section(copy, 'input'), withCopy(octx, name, i)));
        value = checkValue(items, 'output value');
      } else {
        value = evaluateValue(section(o, 'value'), octx);
      }
      const expected = EXPECT[type];
      if (expected && !expected.includes(armType(value)) && !(type === 'int' && typeof value === 'number')) {
        throw new ExpressionError(`Template output JToken type is not valid. Expected '${expected[0]}'. Actual '${armType(value)}'.`);
      }
      if (type === 'securestring' || type === 'secureobject') continue;
      out[name] = { type: LABEL[type] ?? (value === null ? 'Object' : (ARM_LABEL[armType(value)] ?? 'Object')), value };
    } catch (e) {
      if (e instanceof ExpressionError) throw TemplateErrors.outputFailed(name, e.message);
      throw e;
    }
  }
  // Together, too: the outputs are kept with the deployment.
  try {
    checkValue(out, 'deployment outputs');
  } catch (e) {
    if (e instanceof ExpressionError) throw TemplateErrors.outputFailed(Object.keys(out).pop() ?? '', e.message);
    throw e;
  }
  return out;
}
