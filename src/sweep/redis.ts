// msgpackr (a BullMQ dependency) would load its optional native addon; the project runs on pure JS.
import './no-native.ts';
import { Redis, type RedisOptions } from 'ioredis';
import { UserError } from '../errors.ts';

/**
 * Where the sweep's queue lives: `redis://[:password@]host[:port][/db]`, or `rediss://…` for TLS.
 * Keys are under the `shardprop:` prefix; `shardprop-sweeps` lists the sweeps that have trials
 * queued (a sorted set by submission time), which is how a worker started with only the URL finds
 * the queues named after the sweeps.
 */
export const KEY_PREFIX = 'shardprop';
export const REGISTRY_KEY = 'shardprop-sweeps';

export interface RedisTarget {
  options: RedisOptions;
  /** The URL with its password masked, for messages. */
  display: string;
}

export function parseRedisUrl(text: string, flag = '--queue'): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`✖ not a URL: "${text}" (expected redis://HOST:PORT) → at ${flag}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new UserError(`✖ the URL must start with redis:// or rediss:// (TLS), got ${url.protocol}// → at ${flag}`);
  if (!url.hostname) throw new UserError(`✖ the URL names no host → at ${flag}`);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new UserError(`✖ the database must be a number, got "${db}" → at ${flag}`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // [::1] → ::1
  const options: RedisOptions = {
    host,
    port: url.port ? Number(url.port) : 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: db === '' ? 0 : Number(db),
    tls: url.protocol === 'rediss:' ? { servername: host } : undefined,
    // Reconnect for ever (a restarted Redis comes back), at most 2 s apart.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const masked = new URL(text);
  if (masked.password) masked.password = '***';
  return { options, display: masked.toString() };
}

/** Connects once, quickly, so that a wrong address or password is a clear error, not an endless retry. */
export async function checkRedis(target: RedisTarget, flag = '--queue'): Promise<void> {
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    // disconnect() waits this long for the socket to close before destroying it; a refused
    // connection's socket never reports closing again, so the default 2 s kept a failed command's
    // process alive after its error. This client has nothing to flush.
    disconnectTimeout: 0,
  });
  // connect() rejects with "Connection is closed."; the cause (ECONNREFUSED, a wrong password) comes as an event.
  let cause: Error | null = null;
  client.on('error', (error: Error) => (cause ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const why = (cause ?? (error as Error)).message;
    throw new UserError(`✖ cannot use Redis at ${target.display}: ${why} → at ${flag}`);
  } finally {
    client.disconnect();
  }
}

/** A client that reconnects for ever and never fails a command for lack of a connection (BullMQ's need). */
export function persistentClient(target: RedisTarget): Redis {
  return new Redis({ ...target.options, maxRetriesPerRequest: null });
}
