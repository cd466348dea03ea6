// Limits on what expressions build (issue 22, items 1 and 5): values too deep or too large, and
// evaluation that runs too long, fail with a template error naming the limit; never a RangeError, a
// stack overflow or an out-of-memory crash. Engine level (in process, FakeHost).

import assert from 'node:assert/strict';
import { ExpressionError } from '../../src/templates/errors.js';
import { deploy, prepareDeployment } from '../../src/templates/index.js';
import { evaluationTimeLimit, MAX_VALUE_DEPTH, MAX_VALUE_SIZE, measure, setEvaluationTimeLimit } from '../../src/templates/limits.js';
import { ev, FakeHost, request } from './helpers.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const DEEP_JSON = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;

function throwsLimit(expr: string, message: RegExp): void {
  let caught: unknown;
  try {
    ev(expr);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ExpressionError, `expected a template expression error, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  assert.match((caught as Error).message, message);
}

describe('template value limits', () => {
  const size = new RegExp(`exceeded the size limit\\. Limit: '${MAX_VALUE_SIZE}' characters`);
  const depth = new RegExp(`exceeded the nesting limit\\. Limit: '${MAX_VALUE_DEPTH}' levels`);

  it("json() of a 10,000-deep array is refused at ARM's reader depth of 64", () => {
    throwsLimit(`[json('${DEEP_JSON}')]`, /MaxDepth of 64 has been exceeded/);
    throwsLimit(`[base64ToJson('${Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`).toString('base64')}')]`, /MaxDepth of 64 has been exceeded/);
    assert.deepEqual(ev(`[json('${'['.repeat(60)}${']'.repeat(60)}')]`) !== undefined, true, 'shallower JSON still parses');
  });
  it('createObject doubling 30 times stops at the size limit, without printing the value', () => {
    throwsLimit("[reduce(range(0, 30), createObject('x', 1), lambda('a', 'i', createObject('l', lambdaVariables('a'), 'r', lambdaVariables('a'))))]", size);
  });
  it('concat doubling of strings and of arrays stops at the size limit (no RangeError, no stack overflow)', () => {
    throwsLimit("[reduce(range(0, 40), 'ab', lambda('a', 'i', concat(lambdaVariables('a'), lambdaVariables('a'))))]", size);
    throwsLimit("[reduce(range(0, 40), createArray(1), lambda('a', 'i', concat(lambdaVariables('a'), lambdaVariables('a'))))]", size);
  });
  it('nesting built by expressions stops at 64 levels', () => {
    throwsLimit("[reduce(range(0, 200), createArray(1), lambda('a', 'i', createArray(lambdaVariables('a'))))]", depth);
    assert.equal(measure(ev("[reduce(range(0, 60), createArray(1), lambda('a', 'i', createArray(lambdaVariables('a'))))]")).depth, 61);
  });
  it('functions that would build a huge string refuse before building it', () => {
    throwsLimit("[padLeft('', 1000000000, 'a')]", size);
    throwsLimit("[format('{0,1000000000}', 'a')]", size);
    throwsLimit("[replace(padLeft('', 4000000, 'a'), 'a', 'bb')]", size);
    throwsLimit("[join(createArray(padLeft('', 3000000, 'a'), padLeft('', 3000000, 'a')), ',')]", size);
  });
  it('an expression nested thousands deep is an error, not a stack overflow', () => {
    throwsLimit(`[createArray(1)${'[0]'.repeat(8000)}]`, /nested too deeply/);
  });
  it('a replace loop that runs past the time limit fails with the limit named', () => {
    const before = evaluationTimeLimit();
    setEvaluationTimeLimit(300);
    try {
      throwsLimit(
        "[reduce(range(0, 10000), padLeft('', 1000000, 'a'), lambda('a', 'i', replace(replace(lambdaVariables('a'), 'a', 'b'), 'b', 'a')))]",
        /exceeded the time limit\. Limit: '300' milliseconds/,
      );
    } finally {
      setEvaluationTimeLimit(before);
    }
  });
  it('a deployment whose output is json() of a 10,000-deep array fails cleanly with DeploymentOutputEvaluationFailed', async () => {
    const host = new FakeHost();
    const t = { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [], outputs: { deep: { type: 'array', value: `[json('${DEEP_JSON}')]` } } };
    const r = await deploy(host, request(t));
    assert.equal(r.provisioningState, 'Failed');
    assert.equal(r.error?.code, 'DeploymentOutputEvaluationFailed');
    assert.match(JSON.stringify(r.error), /MaxDepth of 64/);
    assert.equal(r.outputs, undefined);
  });
  it('a variable that builds too much is a 400 InvalidTemplate at validation', async () => {
    const host = new FakeHost();
    const t = {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      variables: { big: "[reduce(range(0, 30), createObject('x', 1), lambda('a', 'i', createObject('l', lambdaVariables('a'), 'r', lambdaVariables('a'))))]" },
      resources: [],
      outputs: { o: { type: 'object', value: "[variables('big')]" } },
    };
    await assert.rejects(prepareDeployment(host, request(t)), (e: any) => e.status === 400 && e.code === 'InvalidTemplate' && size.test(e.message));
  });
});
