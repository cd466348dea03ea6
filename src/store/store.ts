// The emulator's state store: the interface the rest of the emulator sees. JournalStore (journal.ts: one
// process, journal + snapshots; file formats in format.ts) and PgStore (several instances on one PostgreSQL
// database) stand behind it; both keep their values in memory as JSON texts (memory.ts).
//
// Reads are synchronous, from this instance's memory, and each returns a fresh copy the caller owns (values are
// kept as JSON text): mutating what get() returned changes nothing stored, and two reads never share an object.
// Writes apply to memory at once and resolve once durable; one write() is one atomic change.

export type { WriteOp, WriteOptions, StoreChange, Lease, Store } from './types.js';
export { StoreConflictError, StoreUnavailableError } from './types.js';
export { JournalStore, StoreDamagedError, tightenModes, type StoreOptions } from './journal.js';
export { StoreValueError, MAX_VALUE_DEPTH } from './memory.js';
