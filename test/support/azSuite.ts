// The start of every real-az suite: az installed (or the suite fails saying so), an emulator, an az session
// logged in to it with the service principal (the default profile or the one named).
import { AzSession, ensureAz } from './az.js';
import { startTestEmulator, type TestEmulator } from './emulator.js';

export async function azOnEmulator(start: () => Promise<TestEmulator> = () => startTestEmulator(), profile?: string): Promise<{ emu: TestEmulator; az: AzSession }> {
  ensureAz();
  const emu = await start();
  const az = new AzSession(emu);
  await az.login(profile);
  return { emu, az };
}
