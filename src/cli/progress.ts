/**
 * What `npm start` shows while it runs: a progress bar on stderr, and the
 * nodes' log lines kept away from it. Lines go to a log file (JSON, one per
 * line); warnings and errors are also collected and printed, compactly, after
 * the bar has finished. `--log -` streams the JSON lines to stderr instead
 * (the bar is off then, so nothing interleaves).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { DestinationStream } from '../log.js';

/** Draws the bar (TTY: one redrawn line; otherwise a line per 10 %). */
export function progressBar(out: NodeJS.WriteStream | null): (t: number, total: number) => void {
  if (out === null) return () => {};
  const tty = out.isTTY === true;
  let lastDecile = -1;
  return (t, total) => {
    const f = Math.min(1, t / total);
    if (tty) {
      const width = 40;
      const full = Math.round(f * width);
      out.write(`\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%  t = ${t.toFixed(2)} / ${total.toFixed(1)} s`);
      if (f >= 1) out.write('\n');
    } else {
      const decile = Math.floor(f * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        out.write(`progress ${decile * 10}% (t = ${t.toFixed(1)} s)\n`);
      }
    }
  };
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** One log line, shortened for a terminal: `WARN  safety_shield: shield hold (from=ACTIVE to=HOLD …)`. */
export function compactLogLine(json: string, maxChars = 200): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trim().slice(0, maxChars);
  }
  const { level, time: _time, node, msg, ...rest } = entry;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const line = `${(LEVEL_NAMES[level as number] ?? String(level)).padEnd(5)} ${String(node ?? '-')}: ${String(msg ?? '')}${fields ? ` (${fields})` : ''}`;
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}

/**
 * A pino destination: every line to a file (or to stderr), and the warnings
 * and errors kept for `report()`.
 */
export class LogCapture implements DestinationStream {
  /** Lines written. */
  lines = 0;
  /** Warning-or-worse lines, compact. */
  readonly warnings: string[] = [];
  private readonly fd: number;

  /** `file`: a path, or `-` for stderr. Throws (with the path) when the file cannot be opened. */
  constructor(readonly file: string) {
    this.fd = file === '-' ? 2 : openSync(file, 'w');
  }

  write(line: string): void {
    writeSync(this.fd, line);
    this.lines++;
    const m = /"level":(\d+)/.exec(line);
    if (m && Number(m[1]) >= 40) this.warnings.push(compactLogLine(line));
  }

  /** Closes the file; returns what to print after the bar (empty for `-`: the lines were already shown). */
  report(maxLines = 20): string {
    if (this.file === '-') return '';
    closeSync(this.fd);
    const n = this.warnings.length;
    const head = `log: ${this.lines} line(s) in ${this.file}; ${n === 0 ? 'no warnings or errors' : `${n} warning(s)/error(s):`}`;
    const shown = this.warnings.slice(0, maxLines).map((w) => `  ${w}`);
    if (n > maxLines) shown.push(`  … ${n - maxLines} more in ${this.file}`);
    return [head, ...shown].join('\n');
  }
}
