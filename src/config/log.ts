// The request and operation log (--log-level): one line per event, on stdout (warn and error on stderr).
//   2026-12-02T05:00:00.123Z info  request 5f0c…  PUT /subscriptions/…/resourceGroups/rg?api-version=2021-04-01 201 12.4ms
//   2026-12-02T05:00:01.002Z info  operation 9a1e…  create /subscriptions/…/managedClusters/aks1 InProgress -> Succeeded 877ms
// error: only failures the emulator did not expect (a 500); warn: adds refused start-up repairs and the like;
// info: adds one line per request and each operation's transitions; debug: adds task transitions.
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  readonly level: LogLevel;
  /** Whether lines of this level are written (to skip building a costly line). */
  enabled(level: LogLevel): boolean;
  error(event: string, text: string): void;
  warn(event: string, text: string): void;
  info(event: string, text: string): void;
  debug(event: string, text: string): void;
}

export type LogSink = (line: string, level: LogLevel) => void;

const consoleSink: LogSink = (line, level) => {
  if (level === 'error' || level === 'warn') process.stderr.write(line + '\n');
  else process.stdout.write(line + '\n');
};

export function createLogger(level: LogLevel, sink: LogSink = consoleSink): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  const enabled = (l: LogLevel) => LOG_LEVELS.indexOf(l) <= rank;
  const line = (l: LogLevel) => (event: string, text: string) => {
    if (enabled(l)) sink(`${new Date().toISOString()} ${l.padEnd(5)} ${event} ${text}`, l);
  };
  return { level, enabled, error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug') };
}
