import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { isClusterUrl, parseClusterUrl, type RedisClusterUrl } from '../config/redis-cluster-url.js';
import { redactUrl, redisDb } from '../config/redis-url.js';
import { UserError } from '../util/errors.js';

export { redactUrl };

/**
 * A connection to a single Redis or to a Redis Cluster. Both speak the same commands; a Cluster
 * routes each one to the master of its key's slot and follows failovers. Every connection
 * lstm-sweep makes (CLI, workers, trainer processes, BullMQ, dashboard) comes from `createRedis`.
 */
export type RedisClient = Redis | Cluster;

export const isCluster = (redis: RedisClient): redis is Cluster => redis.isCluster;

export interface RedisConnectOptions {
  /**
   * Long-lived connections (workers) retry forever, as BullMQ requires; short CLI commands
   * give up after a few seconds with a clear error instead of hanging.
   */
  persistent?: boolean;
}

/**
 * How long a command waits out a cluster failover (a master unreachable until its replica is
 * promoted: cluster-node-timeout, 15 s by default, plus the election), retrying every
 * `FAILOVER_RETRY_MS`, before it fails. Each retry counts as one of ioredis' redirections.
 */
const FAILOVER_RETRY_MS = 250;
const FAILOVER_RIDE_OUT_MS = 30_000;

function retryOptions(opts: RedisConnectOptions): Pick<RedisOptions, 'maxRetriesPerRequest' | 'connectTimeout' | 'retryStrategy'> {
  // Once connected, both kinds ride out a Redis restart: commands wait and go through after
  // the reconnect. Only the first connection attempt of a CLI command fails fast.
  return opts.persistent
    ? { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 5000) }
    : { maxRetriesPerRequest: 30, connectTimeout: 5000, retryStrategy: (n) => (n > 60 ? null : Math.min(n * 100, 1000)) };
}

function createCluster(target: RedisClusterUrl, opts: RedisConnectOptions): Cluster {
  const { retryStrategy, ...perNode } = retryOptions(opts);
  const options: ClusterOptions = {
    lazyConnect: true,
    // Node connections never reconnect by themselves in a cluster: the cluster client re-reads
    // the slot map and reconnects to whoever owns the slot now.
    clusterRetryStrategy: (n) => retryStrategy?.(n) ?? null,
    retryDelayOnFailover: FAILOVER_RETRY_MS,
    retryDelayOnClusterDown: FAILOVER_RETRY_MS,
    retryDelayOnTryAgain: FAILOVER_RETRY_MS,
    maxRedirections: Math.ceil(FAILOVER_RIDE_OUT_MS / FAILOVER_RETRY_MS),
    redisOptions: {
      ...perNode,
      username: target.username,
      password: target.password,
      ...(target.tls ? { tls: {} } : {}),
    },
  };
  return new Cluster(target.nodes, options);
}

export function createRedis(url: string, opts: RedisConnectOptions = {}): RedisClient {
  const redis: RedisClient = isClusterUrl(url)
    ? createCluster(parseClusterUrl(url), opts)
    : new Redis(url, { ...retryOptions(opts), lazyConnect: true });
  // Errors surface through the commands that fail; an unhandled 'error' event would crash.
  redis.on('error', () => undefined);
  return redis;
}

/** The text of the first `field:value` line of an INFO-style reply. */
function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

/**
 * Why a cluster could not be reached, asked of each startup node with a plain connection: none
 * answers, a node is no cluster node, or the cluster is down (cluster_state:fail).
 */
async function diagnoseCluster(target: RedisClusterUrl): Promise<string | undefined> {
  const unreachable: string[] = [];
  for (const node of target.nodes) {
    const where = `${node.host}:${node.port}`;
    const probe = new Redis({
      ...node,
      username: target.username,
      password: target.password,
      ...(target.tls ? { tls: {} } : {}),
      lazyConnect: true,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    let refused: Error | undefined;
    probe.on('error', (err: Error) => (refused = err));
    try {
      await probe.connect();
      if (infoField(await probe.info('cluster'), 'cluster_enabled') !== '1') {
        return `${where} is a Redis without cluster support (cluster_enabled:0): for a single Redis use redis://${where}`;
      }
      const state = infoField((await probe.call('CLUSTER', 'INFO')) as string, 'cluster_state');
      if (state !== 'ok') {
        return `the cluster is down (cluster_state:${state} at ${where}): a master and all its replicas are unreachable, or slots are unassigned (redis-cli --cluster check ${where})`;
      }
    } catch (err) {
      const reason = (refused ?? (err as Error)).message;
      if (/NOAUTH|WRONGPASS|invalid password|AUTH/i.test(reason)) return `${where}: ${reason} (check the password in the URL)`;
      unreachable.push(`${where}: ${reason}`);
    } finally {
      probe.disconnect();
    }
  }
  return unreachable.length === target.nodes.length ? `no cluster node answers (${unreachable.join('; ')})` : undefined;
}

/**
 * A plain connection to a node of a cluster of several nodes works only for the slots that node
 * serves, and breaks at the first failover: refuse it and name the cluster URL. (A one-node
 * cluster owning every slot behaves as a single Redis and is accepted.)
 */
async function refuseClusterNode(redis: Redis, url: string): Promise<void> {
  let nodes: number;
  try {
    if (infoField(await redis.info('cluster'), 'cluster_enabled') !== '1') return;
    nodes = Number(infoField((await redis.call('CLUSTER', 'INFO')) as string, 'cluster_known_nodes') ?? '1');
  } catch (err) {
    // An ACL user may not be allowed INFO or CLUSTER: nothing to check then.
    if ((err as Error).message.startsWith('NOPERM')) return;
    throw err;
  }
  if (nodes > 1) {
    const { host, port } = redis.options;
    throw new UserError(
      `${redactUrl(url)} is one node of a Redis Cluster of ${nodes} nodes: connect to the cluster with redis+cluster://${host}:${port}[,host:port...] and a hash-tag prefix such as --prefix '{lsw}'`,
    );
  }
}

/** How long connecting to a cluster may take: discovering its nodes and finding cluster_state:ok. */
const CLUSTER_READY_MS = 10_000;

/** Connects and pings, turning failures into one actionable line that never shows the password. */
export async function connectRedis(url: string, opts: RedisConnectOptions = {}): Promise<RedisClient> {
  const redis = createRedis(url, opts);
  let lastError: Error | undefined;
  const remember = (err: Error & { lastNodeError?: Error }) => (lastError = err.lastNodeError ?? err);
  redis.on('error', remember);
  redis.on('node error', remember);
  let deadline: NodeJS.Timeout | undefined;
  let onClose = (): void => undefined;
  try {
    // A cluster client whose ready check finds cluster_state:fail closes, reconnects over and over,
    // and its connect() never settles: stop at the first close (or a deadline), then say why.
    const timedOut = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => reject(new Error(`not ready after ${CLUSTER_READY_MS / 1000} s`)), CLUSTER_READY_MS);
      onClose = () => reject(new Error('the connection closed before the cluster was ready'));
      redis.once('close', onClose);
    });
    timedOut.catch(() => undefined);
    await (isCluster(redis) ? Promise.race([redis.connect(), timedOut]) : redis.connect());
    await redis.ping();
    if (!isCluster(redis)) await checkDatabase(redis, url);
  } catch (err) {
    if (err instanceof UserError) {
      redis.disconnect();
      throw err;
    }
    redis.disconnect();
    const reason = (lastError ?? (err as Error)).message;
    if (isCluster(redis)) {
      const why = (await diagnoseCluster(parseClusterUrl(url))) ?? reason;
      throw new UserError(`cannot connect to the Redis Cluster at ${redactUrl(url)}: ${why}`);
    }
    const hint = /NOAUTH|WRONGPASS|invalid password|AUTH/i.test(reason)
      ? 'check the password in the URL'
      : 'is redis-server running? set --redis or REDIS_URL';
    throw new UserError(`cannot connect to Redis at ${redactUrl(url)}: ${reason} (${hint})`);
  } finally {
    clearTimeout(deadline);
    redis.off('close', onClose);
  }
  redis.off('error', remember);
  redis.off('node error', remember);
  if (!isCluster(redis)) {
    try {
      await refuseClusterNode(redis, url);
    } catch (err) {
      redis.disconnect();
      throw err;
    }
  }
  return redis;
}

/**
 * ioredis sends the URL's `/db` as SELECT when it connects, and a refused SELECT (an index
 * beyond the server's `databases`) only shows as an error event: the connection then quietly
 * uses db 0. Checked here: against `CONFIG GET databases` where the server lets us read it,
 * else by SELECT itself, whose error is reported.
 */
async function checkDatabase(redis: Redis, url: string): Promise<void> {
  const db = redisDb(url);
  if (db === 0) return;
  const where = `${redactUrl(url)} selects db ${db}`;
  let databases: number | undefined;
  try {
    const [, value] = (await redis.config('GET', 'databases')) as string[];
    databases = value === undefined ? undefined : Number(value);
  } catch {
    // CONFIG is often refused (ACLs, managed Redis): SELECT below tells.
  }
  if (databases !== undefined && Number.isFinite(databases) && db >= databases) {
    throw new UserError(`${where}, but this Redis has ${databases} databases (0-${databases - 1}); use /0 to /${databases - 1}`);
  }
  try {
    await redis.select(db);
  } catch (err) {
    throw new UserError(`${where}, which the server refuses: ${(err as Error).message}`);
  }
}
