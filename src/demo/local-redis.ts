import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { connectRedis, redactUrl } from '../store/redis.js';
import { UserError } from '../util/errors.js';

export interface DemoRedis {
  url: string;
  /** Stops the redis-server the demo started, if it started one. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Uses the Redis at `url` when it answers, else starts a throwaway local redis-server. */
export async function ensureRedis(url: string): Promise<DemoRedis> {
  try {
    (await connectRedis(url)).disconnect();
    return { url, stop: async () => undefined };
  } catch {
    // fall through: start one
  }
  if (spawnSync('redis-server', ['--version']).error) {
    throw new UserError(
      `no Redis answers at ${redactUrl(url)} and redis-server is not installed: install it ` +
        '(Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis; or docker compose up -d redis) ' +
        'or point REDIS_URL at a running Redis',
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const localUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    try {
      (await connectRedis(localUrl)).disconnect();
      console.error(`started a local redis-server on port ${port} for the demo (it stops when the demo ends)`);
      return {
        url: localUrl,
        stop: () =>
          new Promise((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new UserError(`started redis-server on port ${port} but it did not answer`);
}
