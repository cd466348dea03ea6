// `arm-emulator snapshot export FILE [--subscription ID]` and `arm-emulator snapshot import FILE`: the same
// snapshots as /_emulator/snapshots, straight against the store the usual options name (--store postgres://…
// or --data-dir). With PostgreSQL, running instances follow an import at once; the embedded journal store
// belongs to one process, so stop the emulator using that data directory first.

import { parseConfig, ConfigError } from '../config/config.js';
import { createServices, openStore } from '../emulator.js';
import { startupExtensions } from '../extensions.js';
import { readSnapshotFile, writeSnapshotFile, SnapshotError } from './snapshotFile.js';
import { exportState, importState } from './state.js';
import type { Services } from '../framework/services.js';

export const SNAPSHOT_USAGE = 'usage: arm-emulator snapshot export FILE [--subscription ID] | arm-emulator snapshot import FILE   (plus --store postgres://… or --data-dir DIR)';

export async function snapshotCommand(argv: string[]): Promise<string> {
  const [verb, file, ...rest] = argv;
  if ((verb !== 'export' && verb !== 'import') || !file || file.startsWith('--')) throw new ConfigError(SNAPSHOT_USAGE);
  let subscription: string | undefined;
  const opts: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--subscription') subscription = rest[++i];
    else if (rest[i].startsWith('--subscription=')) subscription = rest[i].slice('--subscription='.length);
    else opts.push(rest[i]);
  }
  if (verb === 'import' && subscription) throw new ConfigError('import takes the subscription from the snapshot: drop --subscription');
  const config = parseConfig([...opts, '--quiet']);
  let doc;
  try {
    doc = verb === 'import' ? await readSnapshotFile(file) : undefined; // refused before anything is opened
  } catch (e) {
    if (e instanceof SnapshotError) throw new ConfigError(e.message);
    throw e;
  }
  const store = await openStore(config);
  let services: Services | undefined;
  try {
    await store.exclusive('startup', async () => {
      services = await createServices(config, undefined, store);
      await startupExtensions(services);
    });
    if (verb === 'export') {
      const out = exportState(services!, subscription);
      await writeSnapshotFile(file, out);
      return `exported ${Object.values(out.collections).reduce((n, c) => n + Object.keys(c).length, 0)} keys${subscription ? ` of subscription ${subscription}` : ''} to ${file}`;
    }
    const r = await importState(services!, doc!);
    return `imported ${r.written} keys${r.subscriptionId ? ` into subscription ${r.subscriptionId}` : ''} (${r.deleted} removed) from ${file}`;
  } catch (e) {
    if (e instanceof SnapshotError) throw new ConfigError(e.message);
    throw e;
  } finally {
    services?.operations.stop();
    for (const hook of services?.onClose ?? []) await hook();
    await store.close();
  }
}
