import { endedCount, type StatusCounts } from '../store/records.js';

/** `███████░░░░ 7/11 trials | 2 active | ETA 1m 20s`: the line under a watched leaderboard. */
export function progressLine(counts: StatusCounts, startedAt: number, now = Date.now(), width = 30): string {
  const ended = endedCount(counts);
  const filled = counts.total === 0 ? width : Math.round((ended / counts.total) * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const elapsed = (now - startedAt) / 1000;
  const remaining = counts.total - ended;
  let eta = '-';
  if (remaining === 0) eta = 'done';
  else if (ended > 0 && elapsed > 0) eta = formatDuration((remaining * elapsed) / ended);
  return `${bar} ${ended}/${counts.total} trials | ${counts.active} active | ${counts.failed} failed | ETA ${eta}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
