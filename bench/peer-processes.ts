/**
 * Trials in separate processes, timed together (bench:gpu's "fast engine times the host's cores"
 * and "PyTorch, 8 concurrent processes"). Every peer speaks the same line protocol:
 *
 *   peer -> bench (stdout)  {"type":"warm"}                        after its warm-up epoch
 *   bench -> peer (stdin)   {"until": <wall ms>}                   once every peer is warm
 *   peer -> bench (stdout)  {"type":"done","rows":R,"epochs":[[start,end],...]}
 *                                                                  at the first epoch end past `until`
 *
 * Peers keep training while they wait for `until`, so the common window (./throughput.ts) sees
 * all of them busy. Other stdout lines (library banners) are ignored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { TrialTimingSchema, wallMs, windowRate, type TrialTiming, type WindowRate } from './throughput.js';

export const PeerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('warm') }),
  TrialTimingSchema.extend({ type: z.literal('done') }),
]);
export const UntilMessageSchema = z.object({ until: z.number() });

export interface PeerCommand {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts every peer, tells them all to run `seconds` more once the last is warm, and returns the
 * common-window rate. Rejects (after killing every peer) when one fails or `timeoutMs` passes.
 */
export async function runPeers(peers: readonly PeerCommand[], seconds: number, timeoutMs: number): Promise<WindowRate> {
  const children: ChildProcess[] = [];
  try {
    const timings = await new Promise<TrialTiming[]>((resolve, reject) => {
      const done = new Map<number, TrialTiming>();
      let warm = 0;
      const timer = setTimeout(() => reject(new Error(`peers did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      peers.forEach((peer, i) => {
        const child = spawn(peer.command, peer.args, { env: { ...process.env, ...peer.env }, stdio: ['pipe', 'pipe', 'pipe'] });
        children.push(child);
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
        child.on('error', (err) => reject(new Error(`${peer.command}: ${err.message}`)));
        child.stdin!.on('error', () => undefined); // a peer that died is reported by its exit
        child.on('close', (code) => {
          if (!done.has(i))
            reject(new Error(`peer ${i} exited (${code}) before reporting: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
        });
        createInterface({ input: child.stdout! }).on('line', (line) => {
          if (!line.startsWith('{')) return;
          let parsed: unknown;
          try {
            parsed = JSON.parse(line);
          } catch {
            return;
          }
          const message = PeerMessageSchema.safeParse(parsed);
          if (!message.success) return;
          if (message.data.type === 'warm' && ++warm === peers.length) {
            const until = JSON.stringify(UntilMessageSchema.parse({ until: wallMs() + seconds * 1000 }));
            for (const c of children) c.stdin!.write(`${until}\n`);
          } else if (message.data.type === 'done') {
            done.set(i, { rows: message.data.rows, epochs: message.data.epochs });
            if (done.size === peers.length) {
              clearTimeout(timer);
              resolve([...done.values()]);
            }
          }
        });
      });
    });
    return windowRate(timings);
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
