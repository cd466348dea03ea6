// The VMs a fabric backend answers sync reads from, by name and by owner (case-insensitive), and the listeners
// of their changes: the in-process site keeps its own VMs here, the remote client its cache of the site's.

import type { Vm, VmChange } from './model.js';

export abstract class VmIndex {
  protected readonly vms = new Map<string, Vm>();
  private readonly byOwner = new Map<string, Set<string>>();
  protected readonly listeners = new Set<(c: VmChange) => void>();

  getVm(name: string): Vm | undefined {
    return this.vms.get(name);
  }
  vmsOf(owner: string): Vm[] {
    const names = this.byOwner.get(owner.toLowerCase());
    return names ? [...names].map((n) => this.vms.get(n)!) : [];
  }
  allVms(): Vm[] {
    return [...this.vms.values()];
  }
  onChange(listener: (c: VmChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Puts a VM in the index; returns the version it replaces. */
  protected indexVm(vm: Vm): Vm | undefined {
    const prev = this.vms.get(vm.name);
    if (prev && prev.owner.toLowerCase() !== vm.owner.toLowerCase()) this.byOwner.get(prev.owner.toLowerCase())?.delete(prev.name);
    this.vms.set(vm.name, vm);
    const o = vm.owner.toLowerCase();
    let set = this.byOwner.get(o);
    if (!set) this.byOwner.set(o, (set = new Set()));
    set.add(vm.name);
    return prev;
  }

  /** Takes a VM out of the index; returns it (undefined when there was none). */
  protected unindexVm(name: string): Vm | undefined {
    const prev = this.vms.get(name);
    if (!prev) return undefined;
    this.vms.delete(name);
    const o = prev.owner.toLowerCase();
    const set = this.byOwner.get(o);
    set?.delete(name);
    if (set?.size === 0) this.byOwner.delete(o);
    return prev;
  }

  protected emit(c: VmChange): void {
    for (const l of this.listeners) l(c);
  }
}
