import { readFileSync } from 'node:fs';

/**
 * The store's Lua scripts, kept as files in `commands/` (as BullMQ keeps its `commands/*.lua`)
 * and read once; `npm run build` copies them next to the compiled store.
 */
const cache = new Map<string, string>();

export function luaScript(name: 'release-lock' | 'add-to-rung' | 'start-trial' | 'save-result'): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./commands/${name}.lua`, import.meta.url), 'utf8');
    cache.set(name, text);
  }
  return text;
}
