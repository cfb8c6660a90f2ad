/**
 * `redis+cluster://[user:password@]host:port[,host:port...]` (`rediss+cluster://` for TLS): the
 * startup nodes of a Redis Cluster. Any one reachable node is enough to discover the others
 * (CLUSTER SLOTS); listing several lets a client start while one of them is down. A cluster has
 * only database 0, so no `/db` part is accepted.
 */

export interface ClusterNodeAddress {
  host: string;
  port: number;
}

export interface RedisClusterUrl {
  nodes: ClusterNodeAddress[];
  username?: string;
  password?: string;
  tls: boolean;
}

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^@/?#]*)@)?([^/?#@]*)(\/0?)?$/;
/** host:port, host a name, an IPv4 address or a bracketed IPv6 address. */
const NODE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?):(\d{1,5})$/;

export const isClusterUrl = (url: string): boolean => /^rediss?\+cluster:\/\//.test(url);

export class ClusterUrlError extends Error {}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ClusterUrlError(`the ${what} is not valid percent-encoding`);
  }
}

/** Parses a cluster URL; throws ClusterUrlError naming what is wrong (never the password). */
export function parseClusterUrl(url: string): RedisClusterUrl {
  const m = CLUSTER_URL.exec(url);
  if (!m) {
    throw new ClusterUrlError(
      'expected redis+cluster://[user:password@]host:port[,host:port...] (no database, query or fragment: a cluster has only db 0)',
    );
  }
  const [, scheme, credentials, nodeList] = m as unknown as [string, string, string | undefined, string];
  const nodes = nodeList.split(',').map((node, i) => {
    const n = NODE.exec(node);
    const port = n ? Number(n[2]) : 0;
    if (!n || port < 1 || port > 65535) {
      throw new ClusterUrlError(`cluster node ${i + 1} ${JSON.stringify(node.slice(0, 100))} is not host:port (port 1-65535)`);
    }
    return { host: n[1]!.replace(/^\[|\]$/g, ''), port };
  });
  let username: string | undefined;
  let password: string | undefined;
  if (credentials !== undefined) {
    const colon = credentials.indexOf(':');
    username = decode(colon === -1 ? credentials : credentials.slice(0, colon), 'user name') || undefined;
    password = colon === -1 ? undefined : decode(credentials.slice(colon + 1), 'password') || undefined;
  }
  return { nodes, username, password, tls: scheme === 'rediss' };
}

/** The URL with any password replaced by `***`. */
export function redactClusterUrl(url: string): string {
  return url.replace(/^(rediss?\+cluster:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/** The URL with its password set (percent-encoded) or removed; the user name stays. */
export function setClusterPassword(url: string, password: string | undefined): string {
  const m = /^(rediss?\+cluster:\/\/)(?:([^@/?#]*)@)?(.*)$/.exec(url);
  if (!m) throw new ClusterUrlError('not a cluster URL');
  const [, scheme, credentials = '', rest] = m as unknown as [string, string, string | undefined, string];
  const colon = credentials.indexOf(':');
  const user = colon === -1 ? credentials : credentials.slice(0, colon);
  if (password === undefined) return user ? `${scheme}${user}@${rest}` : `${scheme}${rest}`;
  return `${scheme}${user}:${encodeURIComponent(password)}@${rest}`;
}
