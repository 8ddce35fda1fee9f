/**
 * Structured logging: one pino logger per node, named after the node.
 * Level from AEGIS_LOG_LEVEL (default `info`; tests default to `silent`). Lines go to stderr
 * (stdout is for a command's own output, e.g. `npm start -- --json`) unless a program sends
 * them elsewhere first (`sendLogsTo`: the `npm start` CLI writes them to a file while it draws
 * its progress bar).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { DestinationStream, Logger };

const level = process.env['AEGIS_LOG_LEVEL'] ?? (process.env['VITEST'] ? 'silent' : 'info');
let root: Logger = pino({ level, base: undefined }, pino.destination(2));

/** The logger of one node (or component): every line carries `node`. */
export function nodeLogger(nodeName: string): Logger {
  return root.child({ node: nodeName });
}

/** Loggers created from now on write their lines (JSON, one per line) to `destination`. */
export function sendLogsTo(destination: DestinationStream): void {
  root = pino({ level, base: undefined }, destination);
}
