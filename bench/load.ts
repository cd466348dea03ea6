// A small closed-loop load generator over HTTPS keep-alive, for loopback benchmarks only.
import https from 'node:https';

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  errors: number;
}

export async function load(opts: {
  url: string;
  method: string;
  concurrency: number;
  seconds: number;
  maxRequests?: number;
  headers?: Record<string, string>;
  path: (i: number) => string;
  body?: (i: number) => string | undefined;
  ca: string;
  expect?: number[];
}): Promise<LoadResult> {
  const u = new URL(opts.url);
  const agent = new https.Agent({ keepAlive: true, maxSockets: opts.concurrency, ca: opts.ca });
  let issued = 0;
  let done = 0;
  let errors = 0;
  const deadline = Date.now() + opts.seconds * 1000;
  const max = opts.maxRequests ?? Number.MAX_SAFE_INTEGER;
  const start = process.hrtime.bigint();
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const body = opts.body?.(i);
      const req = https.request(
        {
          hostname: u.hostname,
          port: u.port,
          method: opts.method,
          path: opts.path(i),
          agent,
          headers: { ...(opts.headers ?? {}), ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (opts.expect && !opts.expect.includes(res.statusCode ?? 0)) errors++;
            done++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        done++;
        resolve();
      });
      if (body) req.write(body);
      req.end();
    });
  const worker = async () => {
    while (Date.now() < deadline && issued < max) {
      await one(issued++);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return { requests: done, seconds, perSecond: done / seconds, errors };
}
