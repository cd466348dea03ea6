// The dashboard's live feed: server-sent events saying "something changed" (with a version number), so an
// open page re-reads the state only when there is something new. The check is a comparison of counters
// on a timer that runs only while a page is connected: an open page costs the emulator next to nothing.

import type { Request, Response } from 'express';

export interface LiveFeedOptions {
  /** How often the version is compared (ms). */
  checkMs?: number;
  /** Least time between two change events (ms): a burst of writes becomes one event. */
  minGapMs?: number;
  /** A comment line this often keeps proxies and browsers from closing an idle stream (ms). */
  keepAliveMs?: number;
}

export class LiveFeed {
  private readonly clients = new Set<Response>();
  private timer: NodeJS.Timeout | null = null;
  private lastVersion = -1;
  private lastSent = 0;
  private lastWrite = 0;
  private readonly checkMs: number;
  private readonly minGapMs: number;
  private readonly keepAliveMs: number;

  constructor(
    private readonly version: () => number,
    opts: LiveFeedOptions = {},
  ) {
    this.checkMs = opts.checkMs ?? 250;
    this.minGapMs = opts.minGapMs ?? 500;
    this.keepAliveMs = opts.keepAliveMs ?? 15_000;
  }

  /** Pages connected now. */
  size(): number {
    return this.clients.size;
  }

  /** Answers GET .../events: the stream starts with the current version. */
  attach(req: Request, res: Response): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    // Reconnect after 2 s if the stream drops (the page polls meanwhile).
    res.write(`retry: 2000\n`);
    this.send(res, this.version());
    this.clients.add(res);
    req.on('close', () => this.detach(res));
    if (!this.timer) {
      this.lastVersion = this.version();
      this.timer = setInterval(() => this.tick(), this.checkMs);
      this.timer.unref();
    }
  }

  private detach(res: Response): void {
    this.clients.delete(res);
    if (this.clients.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private send(res: Response, version: number): void {
    res.write(`event: change\ndata: {"version":${version}}\n\n`);
  }

  private tick(): void {
    const now = Date.now();
    const v = this.version();
    if (v !== this.lastVersion && now - this.lastSent >= this.minGapMs) {
      this.lastVersion = v;
      this.lastSent = this.lastWrite = now;
      for (const c of this.clients) this.send(c, v);
    } else if (now - this.lastWrite >= this.keepAliveMs) {
      this.lastWrite = now;
      for (const c of this.clients) c.write(': keep-alive\n\n');
    }
  }

  /** Ends every stream (shutdown). */
  close(): void {
    for (const c of this.clients) c.end();
    this.clients.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
