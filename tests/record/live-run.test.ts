/**
 * The live view during a real embedded run: the control loop runs the policy
 * synchronously (onnxruntime's native path), so the run must still give the
 * event loop turns, or a Foxglove client never even completes its handshake.
 * The client here is in the same process, so it too only runs in those turns.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FoxgloveClient } from '@foxglove/ws-protocol';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { runEmbedded } from '../../src/runtime/embedded-run.js';
import { mujocoAvailability } from '../../src/sim/addon.js';

const root = join(import.meta.dirname, '..', '..');
const mujoco = mujocoAvailability();
if (!mujoco.available) console.warn(`[skipped] live view during a run: ${mujoco.reason}`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

describe.skipIf(!mujoco.available)('live view during an embedded run', () => {
  it('a client connected while the run goes receives the bus messages (the run yields to the event loop)', async () => {
    const port = await freePort();
    let messages = 0;
    let stopped = false;
    const connect = (): void => {
      if (stopped) return;
      const ws = new WebSocket(`ws://127.0.0.1:${port}`, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
      let opened = false;
      ws.on('open', () => { opened = true; });
      ws.on('error', () => undefined);
      ws.on('close', () => { if (!opened) setTimeout(connect, 5); });
      const client = new FoxgloveClient({ ws: ws as never });
      client.on('error', () => undefined);
      client.on('advertise', (channels) => { for (const c of channels) client.subscribe(c.id); });
      client.on('message', () => { messages++; });
    };
    connect();
    const summary = await runEmbedded({ configPath: join(root, 'config', 'embedded.yaml'), root, durationS: 3, livePort: port });
    stopped = true;
    expect(summary.live, 'the run served the live view').toBeDefined();
    expect(messages, 'messages the client received during the run').toBeGreaterThan(100);
  }, 120_000);
});
