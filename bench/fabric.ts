// Fabric fan-out benchmark: 200 cluster-sized operations (3 control-plane + 1 load-balancer + 3
// worker VMs, each worker joined) at --time-scale 0, through the real operation engine, fabric and
// a journaled store in a temp dir (fsync on). Reports operations per second and CPU per task.
//
//   node dist/bench/fabric.js            (or through npm run bench)

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config/config.js';
import { createServices } from '../src/emulator.js';
import type { StoredResource } from '../src/framework/types.js';
import { clusterCreatePlan } from '../src/kubernetes/plans.js';
import type { SiteDefinition } from '../src/fabric/sites.js';

export interface FabricBenchResult {
  opsPerSecond: number;
  cpuMicrosPerTask: number;
  operations: number;
  tasks: number;
  vms: number;
  seconds: number;
}

const SUB = 'bbbbbbbb-0000-0000-0000-000000000001';

/** A Hub stamp large enough for every cluster, so placement and accounting run for each VM. */
function benchStamp(): SiteDefinition {
  return {
    name: 'bench',
    kind: 'AzureStackHub',
    displayName: 'bench',
    location: 'bench',
    elastic: false,
    hosts: Array.from({ length: 64 }, (_, i) => ({ name: `bench-host-${String(i + 1).padStart(2, '0')}`, cores: 64, memoryGB: 512, storageGB: 16384 })),
    logicalNetworks: [{ name: 'aks-subnet', addressPrefix: '10.240.0.0/16', ipPools: [{ start: '10.240.0.4', end: '10.240.255.254' }] }],
    infrastructureVms: [],
  };
}

export async function benchFabric(opts: { operations?: number; quiet?: boolean } = {}): Promise<FabricBenchResult> {
  const n = opts.operations ?? 200;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-fabric-'));
  const services = await createServices(parseConfig(['--time-scale', '0', '--data-dir', dir], {}, dir), { providers: [], fabric: { sites: [benchStamp()] } });
  const { store, resources, asyncOperations: operations } = services;
  try {
    const fabric = services.fabric!;

    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const waits: Promise<unknown>[] = [];
    let tasks = 0;
    for (let i = 0; i < n; i++) {
      const owner = `/subscriptions/${SUB}/resourceGroups/bench/providers/Microsoft.ContainerService/managedClusters/c${i}`;
      const plan = clusterCreatePlan({
        owner,
        site: 'bench',
        kubernetesVersion: '1.20.7',
        controlPlane: { count: 3, vmSize: 'Standard_DS2_v2' },
        loadBalancer: { count: 1, vmSize: 'Standard_DS2_v2' },
        pools: [{ name: 'nodepool1', count: 3, vmSize: 'Standard_DS2_v2' }],
      });
      tasks += plan.length;
      const op = operations.create(
        { kind: 'create', tasks: plan },
        {
          resourceId: owner,
          typeKey: 'microsoft.containerservice/managedclusters',
          namespace: 'Microsoft.ContainerService',
          location: 'bench',
          subscriptionId: SUB,
          method: 'PUT',
          apiVersion: '2024-01-01',
        },
      );
      // as a provider does: the resource (Creating) and its operation in one write
      const resource: StoredResource = {
        resource: { id: owner, name: `c${i}`, type: 'Microsoft.ContainerService/managedClusters', location: 'bench', properties: { provisioningState: 'Creating' } },
        internal: {},
        parent: `/subscriptions/${SUB}/resourcegroups/bench`,
        typeKey: 'microsoft.containerservice/managedclusters',
        operationId: op.id,
      };
      await store.write([...resources.putOps(resource), operations.writeOp(op)]);
      operations.run(op);
      waits.push(operations.waitFor(op.id));
    }
    const done = (await Promise.all(waits)) as { status: string; error?: unknown }[];
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const failed = done.filter((o) => o.status !== 'Succeeded');
    if (failed.length) throw new Error(`${failed.length} operations did not succeed: ${JSON.stringify(failed[0].error)}`);
    const vms = (await fabric.snapshot({ site: 'bench' })).sites[0].vms.length;
    if (vms !== n * 7) throw new Error(`expected ${n * 7} VMs, found ${vms}`);
    const result: FabricBenchResult = {
      opsPerSecond: Math.round((n / seconds) * 10) / 10,
      cpuMicrosPerTask: Math.round((cpu.user + cpu.system) / tasks),
      operations: n,
      tasks,
      vms,
      seconds: Math.round(seconds * 1000) / 1000,
    };
    if (!opts.quiet) {
      console.log(
        `fabric: ${n} cluster operations (3 control plane + 1 load balancer + 3 workers, ${tasks} tasks, ${vms} VMs) at time-scale 0 ` +
          `in ${result.seconds} s: ${result.opsPerSecond} ops/s, ${result.cpuMicrosPerTask} µs CPU per task (target >= 100 ops/s)`,
      );
    }
    operations.stop();
    await fabric.close();
    return result;
  } finally {
    await store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchFabric().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
