/**
 * `npm run replay -- <file.mcap> [--config <run.yaml>] [--json]`: replays a
 * recording (`npm start -- --record <file.mcap>`) through the safety shield and
 * the policy (when the run had one) and checks that every command and every
 * policy candidate is bit-identical to the recorded one. Exit 0 when
 * identical, 1 at a divergence (the first is printed: tick, time, joint, both
 * values, states and stage masks; for the policy: candidate, time, joint,
 * values, and the models' SHA-256 when they differ), 2 for a bad or
 * unreadable file.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONSTRAINT_NAMES } from '../safety/band.js';
import { SHIELD_STATE_NAMES } from '../safety/status.js';
import { replayRecording, type ReplayResult } from '../record/replay.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USAGE = 'usage: npm run replay -- <file.mcap> [--config <run config.yaml>] [--json]';

const stages = (mask: number): string => (mask < 0 ? '?' : CONSTRAINT_NAMES.filter((_, c) => mask & (1 << c)).join('+') || 'none');
const state = (s: number): string => SHIELD_STATE_NAMES[s] ?? '?';

export function formatReplay(r: ReplayResult): string {
  const p = r.policy;
  const lines = [`replay ${r.path}: ${r.commands} commands, ${r.inputs} inputs replayed through the shield${p ? `, ${p.ticks} policy ticks (${p.candidates} candidates compared)` : ' (policy not replayed: recorded candidates fed to the shield)'}`];
  if (p && p.recordedModelSha256 !== p.replayedModelSha256) {
    lines.push(`policy model differs from the recorded run's: recorded sha256 ${p.recordedModelSha256 ?? '(none)'}, replayed ${p.replayedModelSha256}`);
  }
  if (p && !p.identical) {
    const d = p.firstDivergence!;
    lines.push(`POLICY DIVERGED at candidate ${d.candidate} (t = ${d.timeS.toFixed(3)} s), joint ${d.joint}: recorded ${d.recorded}, replayed ${d.replayed}`);
    if (p.missing > 0 || p.extra > 0) lines.push(`  ${p.missing} recorded candidates not published by the replayed policy, ${p.extra} published where the recording has none`);
  }
  if (r.firstDivergence) {
    const d = r.firstDivergence;
    lines.push(
      `DIVERGED at command ${d.tick} (t = ${d.timeS.toFixed(3)} s), joint ${d.joint}: recorded ${d.recorded}, replayed ${d.replayed}`,
      `  state recorded ${state(d.recordedState)} / replayed ${state(d.replayedState)}; stages recorded ${stages(d.recordedStageMask)} / replayed ${stages(d.replayedStageMask)}`,
    );
    if (r.missing > 0) lines.push(`  ${r.missing} recorded commands had no replayed counterpart`);
  }
  if (r.identical) lines.push(`identical: every command${p ? ' and every policy candidate' : ''} bit-identical to the recording`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { config: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let r: ReplayResult;
  try {
    r = await replayRecording(resolve(parsed.positionals[0]!), { root: ROOT, ...(parsed.values.config ? { configPath: resolve(parsed.values.config) } : {}) });
  } catch (err) {
    process.stderr.write(`aegis_control replay: ${(err as Error).message}\n`);
    return 2;
  }
  process.stdout.write(parsed.values.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatReplay(r)}\n`);
  return r.identical ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
