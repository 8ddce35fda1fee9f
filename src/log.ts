/**
 * Structured logging: one pino logger per node, named after the node.
 * Level from AEGIS_LOG_LEVEL (default `info`; tests default to `silent`); written to stderr.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

// Logs go to stderr: stdout is for a command's own output (e.g. `npm start -- --json`).
const root: Logger = pino(
  {
    level: process.env['AEGIS_LOG_LEVEL'] ?? (process.env['VITEST'] ? 'silent' : 'info'),
    base: undefined,
  },
  pino.destination(2),
);

/** The logger of one node (or component): every line carries `node`. */
export function nodeLogger(nodeName: string): Logger {
  return root.child({ node: nodeName });
}
