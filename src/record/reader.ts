/**
 * Opens a recorded MCAP file (`@mcap/core`'s indexed reader) and decodes its
 * CDR messages with the schemas stored in the file (`@foxglove/rosmsg` +
 * `@foxglove/rosmsg2-serialization`). A truncated, foreign or non-ROS 2 file
 * is a clear error naming the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { McapIndexedReader, type IReadable } from '@mcap/core';
import { parse } from '@foxglove/rosmsg';
import { MessageReader } from '@foxglove/rosmsg2-serialization';

class FileReadable implements IReadable {
  constructor(private readonly fh: FileHandle, private readonly bytes: bigint) {}
  size(): Promise<bigint> {
    return Promise.resolve(this.bytes);
  }
  async read(offset: bigint, size: bigint): Promise<Uint8Array> {
    const buf = new Uint8Array(Number(size));
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, Number(offset));
    if (bytesRead !== buf.length) throw new Error(`short read at ${offset} (${bytesRead} of ${size} bytes)`);
    return buf;
  }
}

export interface DecodedMessage {
  topic: string;
  type: string;
  logTimeNs: bigint;
  message: Record<string, unknown>;
}

export interface Recording {
  path: string;
  reader: McapIndexedReader;
  /** Topic → schema name. */
  topics: Map<string, string>;
  metadata: Map<string, string>;
  /** Messages in log-time order, decoded. */
  messages(topics?: readonly string[]): AsyncGenerator<DecodedMessage>;
  close(): Promise<void>;
}

export async function openRecording(path: string): Promise<Recording> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new Error(`recording '${path}': ${(err as Error).message}`);
  }
  try {
    const { size } = await fh.stat();
    let reader: McapIndexedReader;
    try {
      reader = await McapIndexedReader.Initialize({ readable: new FileReadable(fh, BigInt(size)) });
    } catch (err) {
      throw new Error(`recording '${path}' is not a complete MCAP file (truncated, or not MCAP): ${(err as Error).message}`);
    }
    if (reader.header.profile !== 'ros2') throw new Error(`recording '${path}' has MCAP profile '${reader.header.profile}', not 'ros2'`);
    const decoders = new Map<number, { topic: string; type: string; reader: MessageReader }>();
    const topics = new Map<string, string>();
    for (const ch of reader.channelsById.values()) {
      const schema = reader.schemasById.get(ch.schemaId);
      if (!schema || schema.encoding !== 'ros2msg' || ch.messageEncoding !== 'cdr') {
        throw new Error(`recording '${path}': channel '${ch.topic}' is not ROS 2 CDR with a ros2msg schema (${schema?.encoding ?? 'no schema'}, ${ch.messageEncoding})`);
      }
      const defs = parse(new TextDecoder().decode(schema.data), { ros2: true });
      decoders.set(ch.id, { topic: ch.topic, type: schema.name, reader: new MessageReader(defs) });
      topics.set(ch.topic, schema.name);
    }
    const metadata = new Map<string, string>();
    for await (const m of reader.readMetadata({ name: 'aegis_control' })) for (const [k, v] of m.metadata) metadata.set(k, v);
    return {
      path,
      reader,
      topics,
      metadata,
      async *messages(only?: readonly string[]) {
        try {
          for await (const m of reader.readMessages(only ? { topics: only } : {})) {
            const d = decoders.get(m.channelId)!;
            yield { topic: d.topic, type: d.type, logTimeNs: m.logTime, message: d.reader.readMessage(m.data) };
          }
        } catch (err) {
          throw new Error(`recording '${path}': ${(err as Error).message}`);
        }
      },
      close: () => fh.close(),
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}
