// What `kubectl logs` shows of an emulated pod: its containers run nothing, so the log is the kubelet's
// account of the container's life (pulled, created, started, restarted), honest about being emulated.

import type { KubeObject } from '../model.js';
import { KubeError } from '../status.js';

export interface LogOptions {
  container?: string;
  previous?: boolean;
  timestamps?: boolean;
  tailLines?: number;
}

export function podLogs(pod: KubeObject, o: LogOptions): string {
  const containers: any[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const name = o.container ?? (pod.spec?.containers ?? [])[0]?.name;
  const c = containers.find((x) => x.name === name);
  if (!c) {
    throw new KubeError(400, 'BadRequest', `container ${name ?? '""'} is not valid for pod ${pod.metadata.name}`);
  }
  if ((pod.spec?.containers ?? []).length > 1 && !o.container) {
    // kubectl picks the default container itself; a raw client that names none gets the first, as the server does.
  }
  const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s: any) => s.name === name);
  const waiting = st?.state?.waiting?.reason ?? (st ? undefined : 'ContainerCreating');
  if (!st?.state?.running && !st?.state?.terminated) {
    throw new KubeError(400, 'BadRequest', `container "${name}" in pod "${pod.metadata.name}" is waiting to start: ${waiting ?? 'ContainerCreating'}`);
  }
  if (o.previous && !st.lastState?.terminated) {
    throw new KubeError(400, 'BadRequest', `previous terminated container "${name}" in pod "${pod.metadata.name}" not found`);
  }
  const started = st.state?.running?.startedAt ?? st.state?.terminated?.startedAt ?? pod.status?.startTime ?? pod.metadata.creationTimestamp;
  const lines: [string, string][] = [
    [started, `emulated container "${name}" (image ${c.image}) started on node ${pod.spec?.nodeName ?? '<none>'}`],
    [started, `note: the emulator simulates pods without running their containers, so no application output is captured`],
  ];
  if (st.state?.terminated) lines.push([st.state.terminated.finishedAt ?? started, `container exited with code ${st.state.terminated.exitCode} (${st.state.terminated.reason ?? 'Completed'})`]);
  let out = lines.map(([t, l]) =>
    o.timestamps
      ? `${new Date(t)
          .toISOString()
          .replace('Z', '000000Z')
          .replace(/\.(\d{3})000000Z$/, '.$1000000Z')} ${l}`
      : l,
  );
  if (o.tailLines !== undefined && o.tailLines >= 0) out = out.slice(Math.max(0, out.length - o.tailLines));
  return out.map((l) => `${l}\n`).join('');
}
