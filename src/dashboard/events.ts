import type { Request, Response } from 'express';
import { TrialEventSchema, type TrialEvent } from '../store/records.js';

/** Each client gets at most this many messages per second; events in between are merged. */
const FLUSH_INTERVAL_MS = 250;
const HEARTBEAT_MS = 15_000;
/** Beyond this many distinct pending events a message says `truncated` and the page refetches all. */
const MAX_PENDING = 200;

interface Client {
  res: Response;
  /** undefined: every sweep */
  sweepId: string | undefined;
  pending: Map<string, Pick<TrialEvent, 'sweepId' | 'trialId' | 'type'>>;
  truncated: boolean;
  lastFlush: number;
  timer: NodeJS.Timeout | undefined;
}

/** Starts listening to the workers' trial events (`SweepStore.subscribeEvents`). */
export type SubscribeEvents = (onMessage: (text: string) => void) => Promise<{ close(): Promise<void> }>;

/**
 * Server-sent events from the workers' pub/sub channel: one subscription for the whole server,
 * fanned out to the open pages, throttled per page.
 */
export class EventHub {
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | undefined;
  private subscription: Promise<{ close(): Promise<void> }> | undefined;

  constructor(private readonly subscribe: SubscribeEvents) {}

  /** Subscribes (once; again after a failed attempt); resolves when the subscription is confirmed. */
  async start(): Promise<void> {
    if (!this.subscription) {
      const attempt = this.subscribe((text) => this.dispatch(text));
      this.subscription = attempt;
      attempt.catch(() => {
        if (this.subscription === attempt) this.subscription = undefined;
      });
    }
    this.heartbeat ??= setInterval(() => {
      for (const c of this.clients) c.res.write(': heartbeat\n\n');
    }, HEARTBEAT_MS).unref();
    await this.subscription;
  }

  get size(): number {
    return this.clients.size;
  }

  private dispatch(text: string): void {
    let event: TrialEvent;
    try {
      const parsed = TrialEventSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return;
      event = parsed.data;
    } catch {
      return;
    }
    for (const c of this.clients) {
      if (c.sweepId !== undefined && c.sweepId !== event.sweepId) continue;
      const key = `${event.sweepId}/${event.trialId}/${event.type}`;
      if (c.pending.size >= MAX_PENDING && !c.pending.has(key)) c.truncated = true;
      else c.pending.set(key, { sweepId: event.sweepId, trialId: event.trialId, type: event.type });
      this.schedule(c);
    }
  }

  private schedule(c: Client): void {
    if (c.timer) return;
    const wait = Math.max(0, c.lastFlush + FLUSH_INTERVAL_MS - Date.now());
    c.timer = setTimeout(() => this.flush(c), wait);
  }

  private flush(c: Client): void {
    c.timer = undefined;
    c.lastFlush = Date.now();
    const data = { events: [...c.pending.values()], truncated: c.truncated };
    c.pending.clear();
    c.truncated = false;
    c.res.write(`event: trials\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Opens an event stream for one sweep (or every sweep) and keeps it until the page goes. */
  async open(req: Request, res: Response, sweepId: string | undefined): Promise<void> {
    await this.start();
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const client: Client = { res, sweepId, pending: new Map(), truncated: false, lastFlush: 0, timer: undefined };
    this.clients.add(client);
    res.write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ sweepId: sweepId ?? null })}\n\n`);
    req.on('close', () => {
      if (client.timer) clearTimeout(client.timer);
      this.clients.delete(client);
    });
  }

  /** Ends every stream and the subscription. */
  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const c of this.clients) {
      if (c.timer) clearTimeout(c.timer);
      c.res.end();
    }
    this.clients.clear();
    const subscription = this.subscription;
    this.subscription = undefined;
    const sub = await subscription?.catch(() => undefined);
    await sub?.close();
  }
}
