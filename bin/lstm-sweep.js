#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`/`npm install`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('lstm-sweep: dist/ is missing; run `npm run build` in the lstm-sweep folder first');
  process.exit(1);
}
await import(main.href);
