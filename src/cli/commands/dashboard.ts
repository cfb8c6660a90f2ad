import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { z } from 'zod';
import { createDashboard } from '../../dashboard/server.js';
import { ArtifactStore } from '../../store/artifact-store.js';
import { connectRedis, redactUrl } from '../../store/redis.js';
import { SweepStore } from '../../store/sweep-store.js';
import { UserError, parseOrThrow } from '../../util/errors.js';
import { intFlag, parseFlags, resolveConnection, withConnection, type ConnectionFlags } from '../options.js';

const TokenSchema = z
  .string()
  .min(8, { message: 'use at least 8 characters' })
  .max(256)
  .regex(/^[\x21-\x7e]+$/, { message: 'use printable ASCII without spaces' });

const FlagsSchema = z.object({
  port: intFlag(0, 65535).default(8787),
  host: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:[\]-]+$/, { message: 'expected a host name or IP address' })
    .default('127.0.0.1'),
  token: TokenSchema.optional(),
  insecure: z.boolean().default(false),
});

/** Hosts only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

export function dashboardCommand(): Command {
  return withConnection(
    new Command('dashboard')
      .option('--port <n>', 'port to listen on; 0 picks a free one', '8787')
      .option('--host <host>', 'interface to bind; anything but loopback needs --token', '127.0.0.1')
      .option('--token <token>', 'require this token on every route (Authorization: Bearer, or ?token= once) [env: LSW_DASHBOARD_TOKEN]')
      .option('--insecure', 'allow a non-loopback --host without a token (anyone who reaches it can retry or delete jobs)'),
  ).action(async (raw: ConnectionFlags & Record<string, unknown>) => {
    const flags = parseFlags(FlagsSchema, { port: raw.port, host: raw.host, token: raw.token, insecure: raw.insecure });
    const envToken = process.env.LSW_DASHBOARD_TOKEN;
    const token = flags.token ?? (envToken ? parseOrThrow(TokenSchema, envToken, 'LSW_DASHBOARD_TOKEN') : undefined);
    const host = flags.host.replace(/^\[|\]$/g, '');
    if (!isLoopback(host) && !token && !flags.insecure) {
      throw new UserError(
        `refusing to serve the dashboard on ${host} without a token: set --token or LSW_DASHBOARD_TOKEN (or pass --insecure to let anyone who can reach it in)`,
      );
    }
    const { redisUrl, prefix } = resolveConnection(raw);
    const redis = await connectRedis(redisUrl, { persistent: true });
    const store = new SweepStore(redis, prefix);
    const dashboard = createDashboard({ store, artifacts: new ArtifactStore(redis, prefix), connection: redis, token });
    await dashboard.events.start();

    const server = dashboard.app.listen(flags.port, host);
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new UserError(`port ${flags.port} on ${host} is in use; pick another with --port (0 = any free port)`)
            : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
              ? new UserError(`cannot bind ${host}: not an address of this machine`)
              : err,
        ),
      );
    });
    const { port } = server.address() as AddressInfo;
    const shown = host.includes(':') ? `[${host}]` : host;
    const url = `http://${shown}:${port}/`;
    console.log(`dashboard: ${url}`);
    console.log(`queues: ${url}queues`);
    console.log(
      `redis: ${redactUrl(redisUrl)} prefix: ${prefix}${token ? '; token required (open the URL with ?token=<token> once)' : ''}`,
    );

    await new Promise<void>((resolve) => {
      const stop = () => {
        server.close();
        server.closeAllConnections();
        void dashboard
          .close()
          .catch(() => undefined)
          .finally(() => {
            redis.disconnect();
            resolve();
          });
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  });
}
