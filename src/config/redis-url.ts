/**
 * Where Redis is and how to log in: the URL (`--redis`, `REDIS_URL`) and the password file
 * (`--redis-password-file`, `REDIS_PASSWORD_FILE`), validated before any connection is made.
 * A password never appears in a message: every value is shown through `redactUrl`.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../util/errors.js';
import { ClusterUrlError, isClusterUrl, parseClusterUrl, redactClusterUrl, setClusterPassword } from './redis-cluster-url.js';

export const REDIS_URL_FORM =
  'redis[s]://[[user]:password@]host[:port][/db], e.g. redis://127.0.0.1:6379/0, or redis[s]+cluster://host:port[,host:port...] for a Redis Cluster';

/** The URL with any password replaced, safe to print or log; also for strings that do not parse. */
export function redactUrl(url: string): string {
  if (isClusterUrl(url)) return redactClusterUrl(url);
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** A Redis URL: redis:// or rediss://, a host, an optional port and an optional numeric db index. */
export const RedisUrlSchema = z.string().superRefine((value, ctx) => {
  const problem = redisUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(redactUrl(value))} ${problem}; expected ${REDIS_URL_FORM}` });
});

function redisUrlProblem(value: string): string | undefined {
  if (isClusterUrl(value)) {
    try {
      parseClusterUrl(value);
      return undefined;
    } catch (err) {
      if (err instanceof ClusterUrlError) return `is not a cluster URL: ${err.message}`;
      throw err;
    }
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    return `has the scheme ${url.protocol}//, not redis://, rediss:// or redis+cluster://`;
  if (!url.hostname) return 'names no host';
  if (url.search || url.hash) return 'has a query or fragment (?…, #…), which lstm-sweep does not accept';
  const db = url.pathname.replace(/^\//, '');
  // ioredis turns anything else into SELECT NaN or silently db 0.
  if (db !== '' && !/^(0|[1-9][0-9]{0,8})$/.test(db)) return `has the db index "${db}", not a number 0, 1, 2...`;
  return undefined;
}

/** The db index a URL selects (0 when it names none). */
export function redisDb(url: string): number {
  if (isClusterUrl(url)) return 0; // a cluster has only db 0
  const db = new URL(url).pathname.replace(/^\//, '');
  return db === '' ? 0 : Number(db);
}

export function hasPassword(url: string): boolean {
  try {
    if (isClusterUrl(url)) return parseClusterUrl(url).password !== undefined;
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

/** The URL's password, decoded; undefined when it has none. */
export function passwordOf(url: string): string | undefined {
  if (isClusterUrl(url)) return parseClusterUrl(url).password;
  const password = new URL(url).password;
  return password === '' ? undefined : decodeURIComponent(password);
}

/** The URL with `password` set (percent-encoded as a URL requires). */
export function withPassword(url: string, password: string): string {
  if (isClusterUrl(url)) return setClusterPassword(url, password);
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** The URL without its password (the user name, an ACL user, stays). */
export function withoutPassword(url: string): string {
  if (isClusterUrl(url)) return setClusterPassword(url, undefined);
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/** The longest password file read: a password, not a file someone pointed at by mistake. */
const MAX_PASSWORD_FILE_BYTES = 4096;

/**
 * Reads a password file: a readable regular file (not a FIFO, a device or a folder) of at most
 * 4 KiB, whose content, trimmed of surrounding white space, is the password.
 */
export function readPasswordFile(file: string, source: string): string {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new UserError(`${source}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UserError(`${source}: ${file} is not a regular file`);
    if (stat.size > MAX_PASSWORD_FILE_BYTES) {
      throw new UserError(
        `${source}: ${file} has ${stat.size} bytes; a password file holds the password only (at most ${MAX_PASSWORD_FILE_BYTES})`,
      );
    }
    const buffer = Buffer.alloc(MAX_PASSWORD_FILE_BYTES);
    const password = buffer
      .subarray(0, readSync(fd, buffer, 0, buffer.length, 0))
      .toString('utf8')
      .trim();
    if (password === '') throw new UserError(`${source}: ${file} is empty`);
    if (/[\r\n]/.test(password)) throw new UserError(`${source}: ${file} has more than one line; it must hold the password only`);
    return password;
  } finally {
    closeSync(fd);
  }
}

export interface RedisLogin {
  /** validated URL (--redis, else REDIS_URL, else the default) */
  url: string;
  /** password file (--redis-password-file, else REDIS_PASSWORD_FILE) */
  passwordFile?: string;
  /** where the URL came from, for messages */
  urlSource: string;
  passwordFileSource?: string;
}

/** The URL to connect with: the password file's password put into the URL, if one is given. */
export function redisConnectUrl(login: RedisLogin): string {
  if (login.passwordFile === undefined) return login.url;
  if (hasPassword(login.url)) {
    throw new UserError(`${login.urlSource} has a password and ${login.passwordFileSource} names a password file: give the password once`);
  }
  return withPassword(login.url, readPasswordFile(login.passwordFile, login.passwordFileSource ?? 'password file'));
}
