/**
 * Text from Redis on a terminal. Anyone who can write to the Redis can put escape sequences in a
 * record (a failure reason, a worker name): printed raw, `ESC ] 0 ; … BEL` retitles the window,
 * `ESC [ 2 J` clears the screen, others remap keys or fake output. Every string from Redis that
 * the CLI prints as text goes through `terminalText`, which shows control characters (C0, DEL,
 * C1) and Unicode direction overrides as visible escapes (`\x1b`, `\u202e`) instead. JSON output
 * needs nothing: JSON.stringify escapes control characters itself.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of text, safe to print: every control character (newlines too) made visible. */
export function terminalText(value: unknown): string {
  return String(value).replace(CONTROL, visible);
}

/** Several lines (e.g. an error message): newlines kept, every other control character made visible. */
export function terminalLines(value: unknown): string {
  return String(value).replace(CONTROL_BUT_NEWLINE, visible);
}

/** A stderr warning per record a listing skipped as corrupt, naming its key. */
export function warnSkipped(skipped: readonly { key: string; field?: string; reason: string }[]): void {
  for (const s of skipped) {
    console.error(
      terminalText(
        `lstm-sweep: warning: skipped a corrupt record at ${s.key}${s.field === undefined ? '' : ` field ${s.field}`}: ${s.reason}`,
      ),
    );
  }
}
