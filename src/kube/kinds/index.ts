// Every built-in kind the API server serves, in discovery order (the preferred version of each group first).

import { CORE_KINDS } from './core.js';
import { APPS_KINDS, BATCH_KINDS } from './apps.js';
import { CRDS, EVENTS_V1, MISC_KINDS, RBAC_KINDS, REVIEW_KINDS, STORAGE_KINDS } from './other.js';
import { KindRegistry, type ResourceDef } from './registry.js';
import { hpaV1 } from './autoscaling.js';
import { CSR_KIND } from './certificates.js';

// autoscaling/v1 HorizontalPodAutoscalers: a view of the v2 ones (declared after them: v2 stays preferred).
const HPA_V1 = hpaV1(MISC_KINDS.find((d) => d.group === 'autoscaling' && d.resource === 'horizontalpodautoscalers')!);

export const BUILTIN_KINDS: ResourceDef[] = [...CORE_KINDS, ...APPS_KINDS, ...BATCH_KINDS, ...RBAC_KINDS, ...STORAGE_KINDS, ...MISC_KINDS, HPA_V1, CSR_KIND, EVENTS_V1, CRDS, ...REVIEW_KINDS];

export const BUILTINS = new KindRegistry(BUILTIN_KINDS);

export { KindRegistry, type ResourceDef } from './registry.js';
