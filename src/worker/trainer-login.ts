/**
 * How trainer processes (BullMQ's sandboxed children, forked by the worker) log in to Redis
 * without the password in their environment or argv, both of which other processes can read
 * (`/proc/<pid>/environ` for the same user, `ps` for everyone):
 *
 * - they get `REDIS_URL` without the password;
 * - the password is in a file that the worker writes (mode 0600, in a 0700 folder of its own),
 *   opens and deletes at once: the open descriptor is inherited by every trainer as fd 4
 *   (`LSW_REDIS_PASSWORD_FD` says which), so nothing is left on disk, even after kill -9.
 *   A trainer reads it with a positioned read (the offset is shared by all of them).
 */
import { mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { passwordOf, withPassword, withoutPassword } from '../config/redis-url.js';

/** The descriptor trainers find the password on: after stdin, stdout, stderr and BullMQ's IPC channel. */
export const PASSWORD_FD = 4;
const MAX_PASSWORD_BYTES = 4096;

export interface TrainerLogin {
  /** environment entries for the trainers: the URL without password, the fd to read it from */
  env: NodeJS.ProcessEnv;
  /** child_process.fork's `stdio`, with the password descriptor where there is one */
  stdio?: Array<'pipe' | 'ipc' | number>;
}

/** What the worker gives its trainers to log in with `redisUrl` (which may hold a password). */
export function trainerLogin(redisUrl: string): TrainerLogin {
  const password = passwordOf(redisUrl);
  if (password === undefined) return { env: { REDIS_URL: redisUrl } };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lstm-sweep-'));
  let fd: number;
  try {
    const file = path.join(dir, 'redis-password');
    writeFileSync(file, password, { mode: 0o600 });
    fd = openSync(file, 'r');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    env: { REDIS_URL: withoutPassword(redisUrl), LSW_REDIS_PASSWORD_FD: String(PASSWORD_FD) },
    stdio: ['pipe', 'pipe', 'pipe', 'ipc', fd],
  };
}

/** In a trainer: the URL to connect with, the password read back from the inherited descriptor. */
export function trainerRedisUrl(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const fd = env.LSW_REDIS_PASSWORD_FD;
  if (fd === undefined) return url;
  const buffer = Buffer.alloc(MAX_PASSWORD_BYTES);
  const bytes = readSync(Number(fd), buffer, 0, buffer.length, 0);
  return withPassword(url, buffer.subarray(0, bytes).toString('utf8'));
}
