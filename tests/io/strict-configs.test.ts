/**
 * Every config file kind refuses an unknown key by its path, with the nearest
 * known key as a hint; error output stays bounded; parse errors name the file;
 * `--json` prints only JSON on stdout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { ConfigError, loadConfigFile, MAX_LISTED_PROBLEMS } from '../../src/io/config-file.js';
import { loadPolicyFile } from '../../src/io/policy-files.js';
import { PolicyConfigSchema } from '../../src/policy/policy-config.js';
import { RobotProfileSchema } from '../../src/robot/profile.js';
import { RunConfigSchema } from '../../src/runtime/run-config.js';
import { ShieldNodeConfigSchema } from '../../src/safety/config.js';
import { deepStrict } from '../../src/schema/strict.js';
import { mujocoAvailability } from '../../src/sim/addon.js';
import { SimConfigSchema } from '../../src/sim/config.js';
import { SimNodeFileSchema } from '../../src/sim/node-file-config.js';
import { ScenarioEventSchema } from '../../src/sim/scenario.js';
import { SimNodeConfigSchema } from '../../src/sim/sim-node.js';
import { nonStrictObjects } from '../helpers/zod-walk.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'aegis-strict-'));

/** Loads a shipped config, sets `value` at `path` (creating objects), writes it beside nothing else and loads it with `schema`. */
function withKey(schema: z.ZodType, shipped: string, path: (string | number)[], value: unknown): string {
  const data = parse(readFileSync(join(root, shipped), 'utf8')) as Record<string, unknown>;
  let at: Record<string | number, unknown> = data;
  for (const step of path.slice(0, -1)) at = (at[step] ??= {}) as Record<string | number, unknown>;
  at[path[path.length - 1]!] = value;
  const f = join(tmp(), 'typo.yaml');
  writeFileSync(f, stringify(data));
  try {
    loadConfigFile(schema, f);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(f);
    return (err as ConfigError).problems.join('\n');
  }
  throw new Error(`${path.join('.')} was accepted`);
}

describe('strict configs', () => {
  it.each([
    ['policy', PolicyConfigSchema],
    ['run', RunConfigSchema],
    ['sim', SimConfigSchema],
    ['simNode', SimNodeConfigSchema],
    ['sim node file', SimNodeFileSchema],
    ['scenario event', ScenarioEventSchema],
    ['shield', ShieldNodeConfigSchema],
    ['robot profile', RobotProfileSchema],
  ] as const)('the %s schema refuses unknown keys in every nested object', (_, schema) => {
    expect(nonStrictObjects(schema)).toEqual([]);
  });

  it('a deepStrict schema keeps its descriptions and hands out fresh defaults (a parsed config never shares one with the next)', () => {
    const S = deepStrict(z.object({
      inner: z.object({ list: z.array(z.number()).default([]).describe('a list'), pose: z.tuple([z.number(), z.number()]).default([0, 0]) }).prefault({}),
    }));
    expect(() => S.parse({ inner: { extra: 1 } })).toThrow(/unrecognized/i);
    expect((S.shape.inner.unwrap().shape.list as z.ZodType).description).toBe('a list');
    const first = S.parse({});
    first.inner.list.push(1);
    first.inner.pose[0] = 9;
    expect(S.parse({})).toEqual({ inner: { list: [], pose: [0, 0] } });
  });

  it.each([
    ['policy', PolicyConfigSchema, 'config/policy_upper_body.yaml', ['rateHZ'], 25, "rateHZ: unknown key (did you mean 'rateHz'?)"],
    ['policy (nested)', PolicyConfigSchema, 'config/policy_upper_body.yaml', ['modes', 'faults', 'maxTiltRAD'], 1, "modes.faults.maxTiltRAD: unknown key (did you mean 'maxTiltRad'?)"],
    ['policy (observation term)', PolicyConfigSchema, 'config/policy_upper_body.yaml', ['observation', 'terms', 0, 'scael'], 1, "observation.terms.0.scael: unknown key (did you mean 'scale'?)"],
    ['policy (quaternion option)', PolicyConfigSchema, 'config/policy_upper_body.yaml', ['quaternionOrder'], 'xyzw', 'quaternionOrder: unknown key'],
    ['run', RunConfigSchema, 'config/embedded.yaml', ['fallHeight'], 0.3, "fallHeight: unknown key (did you mean 'fallHeightM'?)"],
    ['run robot', RunConfigSchema, 'config/embedded.yaml', ['robot', 'urdff'], 'x.urdf', "robot.urdff: unknown key (did you mean 'urdf'?)"],
    ['sim', RunConfigSchema, 'config/embedded.yaml', ['sim', 'timeStepS'], 0.002, "sim.timeStepS: unknown key (did you mean 'timestepS'?)"],
    ['sim armature', RunConfigSchema, 'config/embedded.yaml', ['sim', 'armature', 'defaultKgm2'], 0.01, "sim.armature.defaultKgm2: unknown key (did you mean 'defaultKgM2'?)"],
    ['simNode', RunConfigSchema, 'config/embedded.yaml', ['simNode', 'imuRateHZ'], 100, "simNode.imuRateHZ: unknown key (did you mean 'imuRateHz'?)"],
    ['scenario', RunConfigSchema, 'config/embedded.yaml', ['scenario', 'duration'], 3, "scenario.duration: unknown key (did you mean 'durationS'?)"],
    ['scenario event', RunConfigSchema, 'config/embedded.yaml', ['scenario', 'dynamics', 0, 'values', 'masKg'], 1, "scenario.dynamics.0.values.masKg: unknown key (did you mean 'massKg'?)"],
    ['operator action', RunConfigSchema, 'config/embedded.yaml', ['scenario', 'operator', 0, 'atSec'], 1, "scenario.operator.0.atSec: unknown key (did you mean 'atS'?)"],
    ['sim node file', SimNodeFileSchema, 'config/ros/sim.yaml', ['simNode', 'clockRate'], 100, "simNode.clockRate: unknown key (did you mean 'clockRateHz'?)"],
    ['shield', ShieldNodeConfigSchema, 'config/shield.yaml', ['limits', 'followingErrorRAD'], 0.2, "limits.followingErrorRAD: unknown key (did you mean 'followingErrorRad'?)"],
    ['robot profile', RobotProfileSchema, 'config/robots/g1_29dof.yaml', ['armature', 'default'], 0.01, 'armature.default: unknown key'],
    ['robot profile (root)', RobotProfileSchema, 'config/robots/g1_29dof.yaml', ['imuLinks'], 'pelvis', "imuLinks: unknown key (did you mean 'imuLink'?)"],
  ] as const)('a typo in a %s file is refused by path', (_, schema, shipped, path, value, message) => {
    expect(withKey(schema, shipped, [...path], value)).toContain(message);
  });

  it('a 50 MB junk file is refused in one line before parsing', () => {
    const f = join(tmp(), 'huge.yaml');
    writeFileSync(f, 'junk: x\n'.repeat(50 * 131072));
    expect(() => loadConfigFile(PolicyConfigSchema, f)).toThrow(/huge\.yaml:\n {2}- the file is 50\.0 MB; a config file is at most 4 MB/);
  });

  it('a junk file with 30 000 unknown keys reports the first problems and a count, not 30 000 lines', () => {
    const f = join(tmp(), 'junk.yaml');
    writeFileSync(f, Array.from({ length: 30_000 }, (_, i) => `junk_key_${i}: ${i}`).join('\n'));
    try {
      loadConfigFile(PolicyConfigSchema, f);
      expect.unreachable();
    } catch (err) {
      const lines = (err as Error).message.split('\n');
      expect(lines.length).toBeLessThanOrEqual(MAX_LISTED_PROBLEMS + 2);
      expect(lines[0]).toContain(f);
      expect(lines.at(-1)).toMatch(/… and \d+ more problems/);
    }
  });

  it('a file of YAML syntax errors is bounded too and names the file', () => {
    const f = join(tmp(), 'broken.yaml');
    writeFileSync(f, Array.from({ length: 2_000 }, () => 'a: [1, 2\n  - : : ]]').join('\n'));
    try {
      loadConfigFile(RunConfigSchema, f);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message.split('\n').length).toBeLessThanOrEqual(MAX_LISTED_PROBLEMS + 2);
      expect((err as Error).message).toContain(f);
    }
  });

  it('an ONNX file that does not parse is named in the error', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'model.onnx'), 'garbage bytes, not protobuf');
    const cfg = parse(readFileSync(join(root, 'config', 'policy_upper_body.yaml'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'policy.yaml'), stringify({ ...cfg, modelPath: 'model.onnx', contractPath: undefined }));
    await expect(loadPolicyFile(join(dir, 'policy.yaml'))).rejects.toThrow(join(dir, 'model.onnx'));
  });
});

const mujoco = mujocoAvailability();
describe.skipIf(!mujoco.available)('npm start -- --json', () => {
  it('prints only the JSON summary on stdout (logs go to stderr)', () => {
    const viteNode = join(root, 'node_modules', 'vite-node', 'vite-node.mjs');
    const r = spawnSync(process.execPath, [viteNode, join(root, 'src', 'cli', 'run.ts'), '--', '--config', join(root, 'tests', 'fixtures', 'embedded-cmdvel.yaml'), '--json', '--quiet', '--log', '-'], {
      cwd: root,
      env: { ...process.env, VITEST: '', AEGIS_LOG_LEVEL: 'info' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { policy: { published: number }; failures: string[] };
    expect(summary.policy.published).toBeGreaterThan(0);
    expect(summary.failures).toEqual([]);
    expect(r.stderr).toMatch(/"level":30/); // the logs were there, on stderr
  }, 60_000);
});
