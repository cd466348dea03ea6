// The Arc agents of a connected cluster as Azure sees them (pure). The agents are installed once the
// cluster is registered (the connect operation), report in a little later (Connecting -> Connected),
// and from then on report what they find: agent and Kubernetes versions, node and core totals. When
// the cluster cannot reach Azure (its site is disconnected, its control plane is down) the status is
// Offline, and once the cluster's managed-identity certificate has run out while it was away (90 days
// after its last contact, on the emulator's calendar: src/framework/clock.ts) it is Expired. The
// agents' work (installing, first report) is simulated, multiplied by the time scale like every other
// duration; the certificate's lifetime is a calendar period, which the clock's advance moves through.

/** The version of the Arc agents the emulator reports (azure-arc Helm chart). */
export const AGENT_VERSION = '1.24.4';

/** Simulated durations at time-scale 1, in ms. */
export const AGENT_MS = {
  /** Registering the resource and installing the agents' Helm release (the connect operation). */
  install: 60_000,
  /** From the installation to the agents' first report. */
  firstReport: 30_000,
  /** The managed-identity certificate's lifetime from the last contact (calendar, not scaled): then Expired. */
  certificate: 90 * 24 * 3600 * 1000,
} as const;

export type ConnectivityStatus = 'Connecting' | 'Connected' | 'Offline' | 'Expired';

export interface AgentInputs {
  /** Real time now (ms). */
  now: number;
  /** A real moment on the emulator's calendar (the clock's advances added). */
  calendar: (realMs: number) => number;
  timeScale: number;
  /** When the agents were installed (ISO, real time); absent while the cluster is being connected. */
  installedAt?: string;
  /** The cluster's control plane runs (the agents run on it). */
  running: boolean;
  /** The cluster's site lost its link to Azure at this time (ISO, real time), while it is disconnected. */
  disconnectedSince?: string;
}

export interface AgentState {
  connectivityStatus: ConnectivityStatus;
  /** The agents have reported at least once (their versions and totals are known to Azure). */
  reported: boolean;
  lastConnectivityTime?: string;
  managedIdentityCertificateExpirationTime?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function agentState(i: AgentInputs): AgentState {
  if (!i.installedAt) return { connectivityStatus: 'Connecting', reported: false };
  const firstReport = Date.parse(i.installedAt) + AGENT_MS.firstReport * i.timeScale;
  if (i.disconnectedSince !== undefined) {
    const lost = Date.parse(i.disconnectedSince);
    // Cut off before its first report: Azure never heard from it.
    if (lost < firstReport) return { connectivityStatus: 'Connecting', reported: false };
    const lastContact = i.calendar(lost);
    const expires = lastContact + AGENT_MS.certificate;
    return {
      connectivityStatus: i.calendar(i.now) >= expires ? 'Expired' : 'Offline',
      reported: true,
      lastConnectivityTime: iso(lastContact),
      managedIdentityCertificateExpirationTime: iso(expires),
    };
  }
  if (i.now < firstReport) return { connectivityStatus: 'Connecting', reported: false };
  if (!i.running) return { connectivityStatus: 'Offline', reported: true };
  const now = i.calendar(i.now);
  return { connectivityStatus: 'Connected', reported: true, lastConnectivityTime: iso(now), managedIdentityCertificateExpirationTime: iso(now + AGENT_MS.certificate) };
}
