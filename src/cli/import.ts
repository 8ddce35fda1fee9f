/**
 * `npm run import`: one import of a third-party policy into a runnable setup
 * folder (policy.yaml, run.yaml, stand.yaml; see src/runtime/import-setup.ts).
 *
 *   node dist/cli/import.js --robot config/robots/<robot>.yaml [--urdf <file>]
 *       (--deploy <deploy.yaml> [--onnx <model.onnx>] | --onnx <model.onnx>)
 *       --out <folder> [--motor-order a,b,…] [--name n] [--command vx,vy,wz]
 *       [--command-at <s>] [--command-for <s>] [--timestep <s>] [--force]
 *
 * Exit 0 when the setup was written and checked; 2 with every problem listed otherwise.
 */
import { parseArgs } from 'node:util';
import { importSetup } from '../runtime/import-setup.js';
import { listFlag } from './import-common.js';

const USAGE = `usage: npm run import -- --robot <profile.yaml> [--urdf <file>] (--deploy <deploy.yaml> [--onnx <model.onnx>] | --onnx <model.onnx>) --out <folder>
  --robot <file>        robot profile (config/robots/*.yaml): motor order, IMU, base, gains, armature, shield
  --urdf <file>         robot description replacing the profile's (e.g. the vendor's URDF)
  --deploy <file>       unitree_rl_lab deploy.yaml (its indices refer to the profile's motor order)
  --onnx <file>         the ONNX policy (default: policy.onnx beside deploy.yaml, or ../exported/policy.onnx)
  --motor-order a,b,…   the robot's motor (SDK) order, overriding the profile's
  --out <folder>        where to write policy.yaml, run.yaml (walking) and stand.yaml (zero command)
  --command vx,vy,wz    velocity command of run.yaml, m/s, m/s, rad/s (default 0.5,0,0)
  --command-at <s>      when it starts (default 1)     --command-for <s>  how long (default 20)
  --timestep <s>        physics step (default 0.002)   --name <name>      policy name
  --force               overwrite a non-empty output folder`;

function numbers(v: string | undefined, what: string, n?: number): number[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.some((x) => !Number.isFinite(x)) || (n !== undefined && xs.length !== n)) throw new Error(`${what}: expected ${n ?? 'a'} number${n === 1 ? '' : 's'}, got '${v}'`);
  return xs;
}

function main(argv: string[]): number {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        robot: { type: 'string' },
        urdf: { type: 'string' },
        deploy: { type: 'string' },
        onnx: { type: 'string' },
        'motor-order': { type: 'string' },
        out: { type: 'string' },
        name: { type: 'string' },
        command: { type: 'string' },
        'command-at': { type: 'string' },
        'command-for': { type: 'string' },
        timestep: { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!v.robot || !v.out || (!v.deploy && !v.onnx)) {
    process.stderr.write(`give --robot, --out and --deploy and/or --onnx\n${USAGE}\n`);
    return 2;
  }
  try {
    const command = numbers(v.command, '--command', 3) as [number, number, number] | undefined;
    const at = numbers(v['command-at'], '--command-at', 1)?.[0];
    const forS = numbers(v['command-for'], '--command-for', 1)?.[0];
    const dt = numbers(v.timestep, '--timestep', 1)?.[0];
    const motorOrder = listFlag(v['motor-order']);
    const r = importSetup({
      robot: v.robot,
      out: v.out,
      force: v.force!,
      ...(v.urdf !== undefined ? { urdf: v.urdf } : {}),
      ...(v.deploy !== undefined ? { deploy: v.deploy } : {}),
      ...(v.onnx !== undefined ? { onnx: v.onnx } : {}),
      ...(motorOrder ? { motorOrder } : {}),
      ...(v.name !== undefined ? { name: v.name } : {}),
      ...(command ? { command } : {}),
      ...(at !== undefined ? { commandAtS: at } : {}),
      ...(forS !== undefined ? { commandForS: forS } : {}),
      ...(dt !== undefined ? { timestepS: dt } : {}),
    });
    for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
    process.stdout.write(`wrote ${r.files.policy}\nwrote ${r.files.run}\nwrote ${r.files.stand}\nrun it with: npm start -- --config ${r.files.run}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`aegis_control import: ${(err as Error).message}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
