/**
 * A Foxglove WebSocket client in its own process, for the record bench: it
 * connects to `ws://127.0.0.1:<port>` (retrying until the live server
 * listens), subscribes to every advertised channel, and counts what arrives.
 * Prints `ready` once started; on SIGTERM (or when the server goes away) it
 * prints one JSON line `{ messages, bytes, firstNs }` (firstNs: bus time of
 * the first message stamped after t = 0: the robot description is sent at 0) and
 * exits. A separate process, as Foxglove is: its decoding is not the control
 * loop's work.
 *
 *   node dist/bench/live-client.js <port>
 */
import { createRequire } from 'node:module';
import { WebSocket } from 'ws';

const { FoxgloveClient } = createRequire(import.meta.url)('@foxglove/ws-protocol') as typeof import('@foxglove/ws-protocol');

const port = Number(process.argv[2]);
const seen = { messages: 0, bytes: 0, firstNs: '' };
let done = false;
const finish = (): void => {
  if (done) return;
  done = true;
  process.stdout.write(`${JSON.stringify(seen)}\n`, () => process.exit(0));
};
process.on('SIGTERM', finish);

function connect(): void {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
  let opened = false;
  ws.on('open', () => (opened = true));
  ws.on('error', () => undefined);
  ws.on('close', () => (opened ? finish() : setTimeout(connect, 5)));
  const client = new FoxgloveClient({ ws: ws as never });
  client.on('error', () => undefined);
  client.on('advertise', (channels) => {
    for (const c of channels) client.subscribe(c.id);
  });
  client.on('message', ({ timestamp, data }) => {
    if (seen.firstNs === '' && timestamp > 0n) seen.firstNs = String(timestamp);
    seen.messages++;
    seen.bytes += data.byteLength;
  });
}
connect();
process.stdout.write('ready\n');
