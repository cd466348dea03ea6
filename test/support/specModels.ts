// Validators of a spec's response models, for the spec-conformance tests (containerservice, hybrid): every
// definition of one api-version's spec under one schema ('spec#/definitions/<model>'), compiled on first use.
//
// Compiling is most of those tests' own CPU (about 120 ms per api-version of managedClusters.json), and consecutive
// api-versions share most models unchanged: a validator depends only on its model and the definitions the model
// reaches, so it is compiled once per distinct set of those (by their text) in a process and used by every version
// whose model reaches exactly the same definitions (622 model uses over the 35 AKS versions are 202 distinct ones).
// Each validator still checks exactly its own version's schema.
import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';

const compiled = new Map<string, ValidateFunction>();
const REF = /^#\/definitions\/(.+)$/;

/** The names of the definitions `model` reaches through $ref, itself included, sorted. */
function closure(definitions: Record<string, unknown>, model: string): string[] {
  const seen = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const m = k === '$ref' && typeof x === 'string' ? REF.exec(x) : null;
        if (m) reach(m[1]);
        else visit(x);
      }
    }
  };
  const reach = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    visit(definitions[name]);
  };
  reach(model);
  return [...seen].sort();
}

/**
 * `definitions` are the version's definitions as JSON Schema (each test makes them strict its own way); `label` names
 * the version in errors. The answer gives the validator of a model, compiled once per distinct model in the process.
 */
export function specModels(definitions: Record<string, unknown>, label: string): (model: string) => ValidateFunction {
  let ajv: Ajv | undefined;
  const mine = new Map<string, ValidateFunction>();
  return (model) => {
    let v = mine.get(model);
    if (v) return v;
    if (!definitions[model]) throw new Error(`${label}: no definition ${model}`);
    const hash = createHash('sha256');
    for (const name of closure(definitions, model)) hash.update(`${name}\u0000${JSON.stringify(definitions[name])}\u0000`);
    const key = `${model}\u0000${hash.digest('hex')}`;
    v = compiled.get(key);
    if (!v) {
      // Each model is validated a few times at most: the generated code's optimisation passes cost more (a quarter of
      // the compile) than they save, and a definition many properties reach is one function called from each, not
      // inlined at each (inlining compiled it again per place).
      if (!ajv) {
        ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, inlineRefs: false, code: { optimize: false } });
        // One schema holds every definition, so a definition that many models reach is compiled once, not once per model.
        ajv.addSchema({ $id: 'spec', definitions });
      }
      v = ajv.getSchema(`spec#/definitions/${model}`)!;
      compiled.set(key, v);
    }
    mine.set(model, v);
    return v;
  };
}
