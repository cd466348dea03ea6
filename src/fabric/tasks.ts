// The fabric's task kinds for the operation engine. Each runs against a site's FabricBackend (in
// process or remote, the task does not know), is idempotent (a re-run after a crash finds its own
// VM by name), and has an undo that removes only what its own operation made. A site that is
// disconnected or unreachable makes a task wait, bounded (30 s at time-scale 1), then fail with
// an error that says which site and what to do.

import { Errors, ArmError } from '../arm/errors.js';
import type { OperationRecord, TaskKindRegistry, TaskRecord } from '../arm/asyncOperations.js';
import type { Fabric, FabricBackend } from './fabric.js';
import { describeSite, type LogicalNetwork, type PackageRequest, type VmRequest } from './model.js';

export interface FabricTaskOptions {
  /** How long a task waits for a disconnected site, at time-scale 1 (ms). */
  disconnectWaitMs: number;
  /** The current time scale (read at each wait, so a change applies to the next one). */
  timeScale: () => number;
}

export const DEFAULT_DISCONNECT_WAIT_MS = 30_000;

const RETRYABLE = new Set(['SiteDisconnected', 'SiteUnreachable']);

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v === '') throw Errors.withStatus(500, 'InternalOperationError', `fabric task parameter '${name}' is missing`);
  return v;
};

export function registerFabricTasks(engine: TaskKindRegistry, fabric: Fabric, opts: FabricTaskOptions): void {
  let closed = false;
  const sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => (sleeps.delete(entry), resolve()), ms), resolve };
      entry.timer.unref?.();
      sleeps.add(entry);
    });
  // Waiting tasks give up at once when the fabric closes (shutdown, tests).
  fabric.onClose(() => {
    closed = true;
    for (const s of sleeps) {
      clearTimeout(s.timer);
      s.resolve();
    }
    sleeps.clear();
  });

  /** Runs fn against the site, waiting (bounded) while it is disconnected or unreachable. */
  async function onSite<T>(siteName: string, what: string, fn: (b: FabricBackend) => Promise<T>): Promise<T> {
    const site = fabric.site(siteName);
    const start = Date.now();
    for (;;) {
      // The bound is taken at the time scale of each try: a change of scale during the wait applies to it.
      const waitMs = opts.disconnectWaitMs * opts.timeScale();
      const deadline = start + waitMs;
      const interval = Math.min(250, Math.max(5, waitMs / 20));
      try {
        return await fn(site);
      } catch (e) {
        const code = e instanceof ArmError ? e.code : undefined;
        if (!code || !RETRYABLE.has(code)) throw e;
        if (closed || Date.now() >= deadline) {
          const where = describeSite(site.definition.kind, site.definition.name);
          const waited = Math.round(opts.disconnectWaitMs / 1000);
          if (code === 'SiteUnreachable')
            throw Errors.withStatus(503, 'SiteUnreachable', `${where} could not be reached to ${what}; the operation waited ${waited} s for it and gave up. ${(e as Error).message}`);
          throw Errors.withStatus(
            503,
            'SiteDisconnected',
            `${where} is disconnected from Azure: the operation waited ${waited} s for it to reconnect to ${what}, then gave up. ` +
              `Reconnect the site (POST /_emulator/fabric/sites/${site.definition.name}/connect) and retry the operation.`,
          );
        }
        await sleep(Math.min(interval, Math.max(1, deadline - Date.now())));
      }
    }
  }

  const p = (t: TaskRecord) => t.params as Record<string, any>;

  engine.registerTaskKind('fabric.reserve', {
    async run(t: TaskRecord, op: OperationRecord) {
      const site = str(p(t).site, 'site');
      const owner = str(p(t).owner, 'owner');
      const only: Set<string> | undefined = Array.isArray(p(t).vms) ? new Set(p(t).vms as string[]) : undefined;
      // The VMs to reserve are the ones this operation's createVm tasks will boot on this site.
      const reqs: VmRequest[] = [];
      for (const x of op.tasks) {
        if (x.kind !== 'fabric.createVm' || (x.params as any).site !== site) continue;
        const vm = (x.params as any).vm as VmRequest;
        if (vm.owner === owner && (!only || only.has(vm.name))) reqs.push(vm);
      }
      const vms = await onSite(site, `reserve capacity for ${reqs.length} VM(s)`, (b) => b.reserve(reqs, op.id));
      return { vms: vms.length };
    },
    async undo(t: TaskRecord, op: OperationRecord) {
      await fabric.site(str(p(t).site, 'site')).releaseOp(str(p(t).owner, 'owner'), op.id);
    },
  });

  engine.registerTaskKind('fabric.createVm', {
    async run(t: TaskRecord, op: OperationRecord) {
      const vm = p(t).vm as VmRequest;
      const made = await onSite(str(p(t).site, 'site'), `create VM '${vm.name}'`, (b) => b.createVm(vm, op.id));
      return { host: made.host, ip: made.ip };
    },
    async undo(t: TaskRecord, op: OperationRecord) {
      const vm = p(t).vm as VmRequest;
      await fabric.site(str(p(t).site, 'site')).undoCreate(vm.name, op.id);
    },
  });

  engine.registerTaskKind('fabric.joinNode', {
    async run(t: TaskRecord, op: OperationRecord) {
      const name = str(p(t).vmName, 'vmName');
      await onSite(str(p(t).site, 'site'), `join node '${name}' to its cluster`, (b) => b.joinNode(name, op.id));
      return undefined;
    },
  });

  // Deletion cannot be undone: a failed delete leaves the resource Failed, and a retry finishes it.
  engine.registerTaskKind('fabric.deleteVm', {
    async run(t: TaskRecord) {
      const name = str(p(t).vmName, 'vmName');
      await onSite(str(p(t).site, 'site'), `delete VM '${name}'`, (b) => b.deleteVm(name, str(p(t).owner, 'owner')));
      return undefined;
    },
  });

  engine.registerTaskKind('fabric.deleteOwner', {
    async run(t: TaskRecord) {
      const owner = str(p(t).owner, 'owner');
      const names = await onSite(str(p(t).site, 'site'), `delete the VMs of '${owner}'`, (b) => b.deleteOwner(owner));
      return { deleted: names.length };
    },
  });

  const power = (action: 'start' | 'stop') => ({
    async run(t: TaskRecord, op: OperationRecord) {
      const name = str(p(t).vmName, 'vmName');
      const a = action === 'stop' ? (p(t).deallocate ? 'deallocate' : 'stop') : 'start';
      const vm = await onSite(str(p(t).site, 'site'), `${a} VM '${name}'`, (b) => b.power(name, a, op.id));
      return { state: vm.state };
    },
    async undo(t: TaskRecord, op: OperationRecord) {
      await fabric.site(str(p(t).site, 'site')).revertPower(str(p(t).vmName, 'vmName'), op.id);
    },
  });
  engine.registerTaskKind('fabric.startVm', power('start'));
  engine.registerTaskKind('fabric.stopVm', power('stop'));

  // Logical networks added at run time (their IP pools back later VMs' addresses).
  engine.registerTaskKind('fabric.addNetwork', {
    async run(t: TaskRecord, op: OperationRecord) {
      const net = p(t).network as LogicalNetwork;
      const made = await onSite(str(p(t).site, 'site'), `add logical network '${net.name}'`, (b) => b.addNetwork(net, op.id));
      return { name: made.name };
    },
    async undo(t: TaskRecord, op: OperationRecord) {
      await fabric.site(str(p(t).site, 'site')).undoAddNetwork((p(t).network as LogicalNetwork).name, op.id);
    },
  });

  engine.registerTaskKind('fabric.removeNetwork', {
    async run(t: TaskRecord) {
      const name = str(p(t).name, 'name');
      await onSite(str(p(t).site, 'site'), `remove logical network '${name}'`, (b) => b.removeNetwork(name, str(p(t).owner, 'owner')));
      return undefined;
    },
  });

  // Packages (cluster extensions) installed on a cluster that runs on the site.
  engine.registerTaskKind('fabric.installPackage', {
    async run(t: TaskRecord, op: OperationRecord) {
      const req = p(t).package as PackageRequest;
      const made = await onSite(str(p(t).site, 'site'), `install '${req.packageType}' ${req.version}`, (b) => b.installPackage(req, op.id));
      return { version: made.version };
    },
    async undo(t: TaskRecord, op: OperationRecord) {
      await fabric.site(str(p(t).site, 'site')).undoInstallPackage((p(t).package as PackageRequest).name, op.id);
    },
  });

  // Addresses held for a network interface (whether or not a VM uses it yet).
  engine.registerTaskKind('fabric.reserveAddress', {
    async run(t: TaskRecord, op: OperationRecord) {
      const req = p(t).address as { network: string; owner: string; ip?: string };
      const a = await onSite(str(p(t).site, 'site'), `reserve an address of '${req.network}'`, (b) => b.reserveAddress(req, op.id));
      return { ip: a.ip, network: a.network };
    },
    async undo(t: TaskRecord, op: OperationRecord) {
      const req = p(t).address as { network: string; owner: string };
      await fabric.site(str(p(t).site, 'site')).undoReserveAddress(req.owner, req.network, op.id);
    },
  });

  engine.registerTaskKind('fabric.releaseAddress', {
    async run(t: TaskRecord) {
      const network = str(p(t).network, 'network');
      await onSite(str(p(t).site, 'site'), `release the address held on '${network}'`, (b) => b.releaseAddress(str(p(t).owner, 'owner'), network));
      return undefined;
    },
  });

  engine.registerTaskKind('fabric.uninstallPackage', {
    async run(t: TaskRecord) {
      const name = str(p(t).name, 'name');
      const force = p(t).force === true;
      const site = str(p(t).site, 'site');
      if (force) await fabric.site(site).uninstallPackage(name, str(p(t).owner, 'owner'), true);
      else await onSite(site, `uninstall '${name}'`, (b) => b.uninstallPackage(name, str(p(t).owner, 'owner')));
      return undefined;
    },
  });
}
