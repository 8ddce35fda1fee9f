/** Runs this package's CLIs from source in tests. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A CLI (`src/cli/<script>`) through vite-node, asynchronously (a synchronous spawn would block the
 * test worker's RPC with vitest under load). Logs at error level only.
 */
export function runCli(script: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'vite-node', 'vite-node.mjs'), join(ROOT, 'src', 'cli', script), '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, VITEST: '', AEGIS_LOG_LEVEL: 'error' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}
