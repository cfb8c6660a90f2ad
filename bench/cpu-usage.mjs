// `node --import ./bench/cpu-usage.mjs app.js`: at exit, writes the process's CPU time (user +
// system, all threads, µs) as JSON to the file named by LSW_CPU_FILE. Used by bench/cli-start.ts,
// where wall time depends on how busy the machine is and CPU time much less.
import { writeFileSync } from 'node:fs';

const file = process.env.LSW_CPU_FILE;
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify(process.cpuUsage())));
