import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { ConnectionOptions } from 'bullmq';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { createTrialQueue } from '../queue/trial-queue.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { SweepStore } from '../store/sweep-store.js';
import { apiRouter, sweepOr404 } from './api.js';
import { requireToken } from './auth.js';
import { EventHub } from './events.js';
import { modelDownloadRouter } from './model-download.js';
import { compareRouter } from './sweep-compare.js';
import { HttpError, SweepIdSchema, params, query } from './validate.js';

export interface DashboardOptions {
  /** Every read of the dashboard goes through it; its prefix is the queue's too. */
  store: SweepStore;
  /** Where the trained models are (the download routes read them). */
  artifacts: ArtifactStore;
  /** Handed to bull-board's queue (under /queues) as it is; the dashboard sends no command on it. */
  connection: ConnectionOptions;
  /** When set, every route requires it. */
  token?: string;
}

export interface Dashboard {
  app: express.Express;
  events: EventHub;
  close: () => Promise<void>;
}

/**
 * The page's static files: next to this module (src/dashboard/public when run from source,
 * dist/dashboard/public after `npm run build` copied them), else the sources from dist.
 */
export function publicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'public'), path.resolve(here, '../../src/dashboard/public')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
  if (!found) throw new Error(`dashboard assets not found (looked in ${candidates.join(', ')}); run npm run build`);
  return found;
}

function plotlyFile(): string {
  return createRequire(import.meta.url).resolve('plotly.js-dist-min');
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'SAMEORIGIN',
};
// The page has no inline script; Plotly needs inline styles, and its WebGL traces (parcoords) compile
// their draw calls with Function().
const PAGE_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; script-src 'self' 'unsafe-eval'; frame-ancestors 'self'";

export function createDashboard(opts: DashboardOptions): Dashboard {
  const { store, connection } = opts;
  const prefix = store.prefix;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  if (opts.token) app.use(requireToken(opts.token));

  const events = new EventHub((onMessage) => store.subscribeEvents(onMessage));

  // Queue browser: bull-board on the same queue and prefix the workers use (retry, clean, ...).
  const queue = createTrialQueue(connection, prefix);
  const board = new ExpressAdapter();
  board.setBasePath('/queues');
  createBullBoard({
    queues: [new BullMQAdapter(queue)],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'lstm-sweep queues' } },
  });
  app.use('/queues', board.getRouter() as express.Router);

  app.use('/api', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.get('/api/events', async (req, res) => {
    query(req, z.strictObject({}));
    await events.open(req, res, undefined);
  });
  app.get('/api/sweeps/:sweepId/events', async (req, res) => {
    query(req, z.strictObject({}));
    const { sweepId } = params(req, z.strictObject({ sweepId: SweepIdSchema }));
    await sweepOr404(store, sweepId);
    await events.open(req, res, sweepId);
  });
  app.use('/api', apiRouter(store));
  app.use('/api', compareRouter(store));
  app.use('/api', modelDownloadRouter(store, opts.artifacts));
  app.use('/api', (req, _res, next) => next(new HttpError(404, `no route ${req.method} ${req.path}`)));

  app.get('/vendor/plotly.min.js', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400');
    res.sendFile(plotlyFile());
  });
  const dir = publicDir();
  app.use((_req, res, next) => {
    res.set('Content-Security-Policy', PAGE_CSP);
    next();
  });
  // The page's ES modules (js/**) are served as text/javascript by express.static; the type
  // declarations next to them are for the tests only.
  app.use((req, _res, next) => (req.path.endsWith('.d.ts') ? next(new HttpError(404, `no file ${req.path}`)) : next()));
  app.use(express.static(dir, { index: 'index.html', maxAge: 0 }));

  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    // express.static / body errors carry a status
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    const message = status >= 500 ? 'internal error' : (err as Error).message;
    if (status >= 500) console.error(`dashboard: ${req.method} ${req.path}: ${(err as Error).message ?? String(err)}`);
    res.status(status).json({ error: message });
  });

  return {
    app,
    events,
    close: async () => {
      await events.close();
      await queue.close();
    },
  };
}
