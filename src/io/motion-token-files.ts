/**
 * Loads the motion-token models: the contract JSON (zod, strict) and the
 * three ONNX files it names, each checked against the contract at load.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OnnxChunkNet } from '../inference/onnx-chunk-net.js';
import { TokenCodec, TokenContractSchema, type TokenContract } from '../motion/tokens.js';
import { formatIssues } from './config-file.js';

export function loadTokenContract(path: string): TokenContract {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read motion token contract '${path}': ${(err as Error).message}`);
  }
  const parsed = TokenContractSchema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid motion token contract '${path}':\n  - ${formatIssues(parsed.error).join('\n  - ')}`);
  return parsed.data;
}

/** The codec on onnxruntime, from `<dir>/motion_tokens.contract.json`; `jointNames` (when given) must match the contract's. */
export async function loadTokenCodec(contractPath: string, jointNames?: readonly string[]): Promise<TokenCodec> {
  const c = loadTokenContract(contractPath);
  if (jointNames && (jointNames.length !== c.jointNames.length || jointNames.some((n, i) => n !== c.jointNames[i]))) {
    throw new Error(`motion token contract '${contractPath}' is for joints [${c.jointNames.join(', ')}], the robot map drives [${jointNames.join(', ')}]`);
  }
  const dir = dirname(contractPath);
  const net = (spec: TokenContract['decoder']): Promise<OnnxChunkNet> => {
    const file = join(dir, spec.model);
    let bytes: Uint8Array;
    try { bytes = readFileSync(file); } catch (err) { throw new Error(`cannot read motion token model '${file}': ${(err as Error).message}`); }
    return OnnxChunkNet.create(bytes, spec, file);
  };
  const [human, robot, decoder] = await Promise.all([net(c.humanEncoder), net(c.robotEncoder), net(c.decoder)]);
  return new TokenCodec(c, { human, robot, decoder });
}
