#!/usr/bin/env node
// Runs one on-prem site (Azure Stack Hub stamp or Azure Stack HCI site) as its own process:
//
//   node dist/src/fabric/site-main.js --config sites.json --site hci-site-1 --port 7101 [--data-dir DIR | --in-memory] [--no-fsync]
//
// The site is read from the same config file the ARM front door uses (its "remote" key is what
// the front door dials). Prints one JSON line {"event":"listening","site","url"} once serving.

import path from 'node:path';
import { JournalStore } from '../store/store.js';
import { loadSites } from './sites.js';
import { LocalSiteFabric } from './site.js';
import { startSiteServer } from './remote.js';

interface Args {
  config?: string;
  site?: string;
  port: number;
  host: string;
  dataDir?: string;
  inMemory: boolean;
  fsync: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { port: 0, host: '127.0.0.1', inMemory: false, fsync: true };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--config':
        a.config = value();
        break;
      case '--site':
        a.site = value();
        break;
      case '--port':
        a.port = Number(value());
        break;
      case '--host':
        a.host = value();
        break;
      case '--data-dir':
        a.dataDir = value();
        break;
      case '--in-memory':
        a.inMemory = true;
        break;
      case '--no-fsync':
        a.fsync = false;
        break;
      default:
        throw new Error(`unknown option '${argv[i]}'`);
    }
  }
  if (!a.site) throw new Error('--site is required');
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new Error('--port must be 0-65535');
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sites = loadSites({ configFile: args.config });
  const def = sites.find((s) => s.name.toLowerCase() === args.site!.toLowerCase());
  if (!def)
    throw new Error(
      `site '${args.site}' is not in ${args.config ?? 'the default sites'}; known: ${sites
        .filter((s) => s.kind !== 'AzureRegion')
        .map((s) => s.name)
        .join(', ')}`,
    );
  const dir = args.inMemory ? null : path.resolve(args.dataDir ?? `.arm-emulator-site-${def.name}`);
  const store = await JournalStore.open({ dir, fsync: args.fsync });
  const site = new LocalSiteFabric({ ...def, remote: undefined }, store);
  await site.open();
  const server = await startSiteServer(site, { port: args.port, host: args.host });
  process.stdout.write(JSON.stringify({ event: 'listening', site: def.name, kind: def.kind, url: server.url }) + '\n');
  const stop = async () => {
    await server.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((e) => {
  process.stderr.write(`site: ${(e as Error).message}\n`);
  process.exit(1);
});
