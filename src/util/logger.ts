/**
 * One line per event: readable on a terminal, structured JSON otherwise (log collectors on
 * clusters parse it).
 */
export type LogFields = Record<string, unknown>;

export function log(event: string, fields: LogFields = {}, stream: NodeJS.WriteStream = process.stdout): void {
  if (stream.isTTY) {
    const details = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    stream.write(`${new Date().toISOString().slice(11, 19)} ${event} ${details}\n`);
  } else {
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
  }
}
