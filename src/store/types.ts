// The store's interface and the shapes it speaks in (store.ts re-exports them with the implementation).

export interface WriteOp {
  collection: string;
  key: string;
  /** undefined deletes the key. */
  value?: unknown;
}

export interface WriteOptions {
  /**
   * The writes were not made by the code that owns these keys (a subscription reset, a snapshot import): they
   * reach this instance's onExternalChange listeners too, so in-memory indexes follow.
   */
  external?: boolean;
  /**
   * The write replaces whatever is committed, whoever changed it last (an administrator's reset or import): with
   * several instances it is never refused because another instance wrote one of its keys meanwhile.
   */
  unconditional?: boolean;
}

/** A key whose value changed without the owning code writing it here (value undefined: deleted). */
export interface StoreChange {
  collection: string;
  key: string;
  value: unknown;
}

/** The right to drive one long-running operation; `signal` aborts when it is lost (the store went away). */
export interface Lease {
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export interface Store {
  /**
   * Other processes may commit to this store too (several instances on one PostgreSQL database); false for a
   * store one process owns (the journal), where nothing needs coordinating between instances.
   */
  readonly shared: boolean;
  get<T>(collection: string, key: string): T | undefined;
  has(collection: string, key: string): boolean;
  values<T>(collection: string): IterableIterator<T>;
  entries<T>(collection: string): IterableIterator<[string, T]>;
  /** The keys alone (nothing parsed). */
  keys(collection: string): IterableIterator<string>;
  /** The stored JSON text of one value, unparsed (an index builder reads a field or two from it). */
  text(collection: string, key: string): string | undefined;
  /** Every key with its stored JSON text, unparsed. */
  texts(collection: string): IterableIterator<[string, string]>;
  size(collection: string): number;
  /**
   * Applies the writes to memory now; resolves once they are durable. One call is one atomic change. A value
   * that cannot be stored (StoreValueError: not serialisable, or nested too deeply) refuses the whole write
   * before anything is applied. With several instances a write is refused (StoreConflictError, memory put
   * back) when another instance changed one of its keys after this instance last saw it, and
   * StoreUnavailableError when the database is away.
   */
  write(ops: WriteOp[], opts?: WriteOptions): Promise<void>;
  /** Resolves once everything written so far is durable. */
  flush(): Promise<void>;
  /** Grows with every change (own or another instance's): a cheap "has anything changed?" for watchers. */
  version(): number;
  /**
   * Brings memory up to date with everything committed through any instance (the HTTP edge calls it before each
   * request, so reads see writes made anywhere). Nothing to do for a single-process store.
   */
  sync(): Promise<void>;
  /**
   * Runs fn as the only holder of `name` among all instances, with memory caught up first; fn's writes are
   * durable before another instance gets `name`. For check-then-allocate state that spans keys (fabric
   * capacity and addresses, serial PUTs); several names are taken together (no order to get wrong). One
   * process: fn runs at once (its checks and memory updates are synchronous, so nothing interleaves).
   */
  exclusive<T>(name: string | string[], fn: () => Promise<T>): Promise<T>;
  /** Claims the right to drive operation `id` (one instance at a time); undefined while another live instance holds it. */
  lease(id: string): Promise<Lease | undefined>;
  /**
   * Changes this instance's code did not write itself (another instance's commits, a refused write put back,
   * external writes); called after memory holds them. 'all': anything may have changed, rebuild.
   */
  onExternalChange(listener: (changes: StoreChange[] | 'all') => void): () => void;
  close(): Promise<void>;
}

/** Another instance changed a key first: the write was not applied (409 to a client). */
export class StoreConflictError extends Error {
  constructor(readonly keys: { collection: string; key: string }[]) {
    super(`another instance changed ${keys.map((k) => `${k.collection}/${k.key}`).join(', ')} first; nothing was written`);
  }
}

/** The store's database cannot be reached: nothing was acknowledged; retry after `retryAfter` seconds (503). */
export class StoreUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfter = 5,
  ) {
    super(message);
  }
}
