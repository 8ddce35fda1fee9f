import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { join } from 'node:path';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import { jointLimitArrays } from '../../src/robot/model.js';
import { Rng } from '../../src/training/rng.js';
import { defaultPoseArray, expertAction, G1_JOINTS, jointLimits, referenceMotion, UPPER_BODY } from '../../src/training/g1-upper-body.js';
import { trainUpperBody, UpperBodySampler } from '../../src/training/train-upper-body.js';
import { upperBodyContract, upperBodyOnnx } from '../../src/training/upper-body-export.js';
import { ROOT, shippedContract, shippedModelBytes } from './helpers.js';

const N = G1_JOINTS.length;

describe('upper-body training', () => {
  it('is deterministic: the same seed gives byte-identical models, another seed a different one', () => {
    const a = upperBodyOnnx(trainUpperBody({ steps: 20, batch: 16, seed: 5 }).net);
    const b = upperBodyOnnx(trainUpperBody({ steps: 20, batch: 16, seed: 5 }).net);
    const c = upperBodyOnnx(trainUpperBody({ steps: 20, batch: 16, seed: 6 }).net);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('the shipped model reproduces the expert on held-out samples: joint-target RMS < 10 mrad, max < 100 mrad', async () => {
    const samples = 1000;
    const sampler = new UpperBodySampler(new Rng(424242)); // a seed training never used
    const obs = new Float64Array(samples * 95);
    const want = new Float64Array(samples * N);
    for (let k = 0; k < samples; k++) sampler.sample(obs, k * 95, want, k * N);
    const session = await ort.InferenceSession.create(shippedModelBytes());
    const out = await session.run({ obs: new ort.Tensor('float32', Float32Array.from(obs), [samples, 95]) });
    const got = out['actions']!.data as Float32Array;
    let sq = 0;
    let max = 0;
    for (let i = 0; i < got.length; i++) {
      const e = Math.abs(got[i]! - want[i]!) * UPPER_BODY.actionScale;
      sq += e * e;
      max = Math.max(max, e);
    }
    const rms = Math.sqrt(sq / got.length);
    expect(rms).toBeLessThan(0.01);
    expect(max).toBeLessThan(0.1);
    await session.release();
  });

  it('the shipped contract is the one the code generates', () => {
    expect(shippedContract()).toEqual(upperBodyContract());
  });

  it('the reference starts at the default pose and, like every expert target, stays inside the URDF limits', () => {
    const urdf = jointLimitArrays(loadUrdfFile(join(ROOT, 'urdf', 'g1_29dof_fixed.urdf')), G1_JOINTS);
    G1_JOINTS.forEach((j, i) => expect([...jointLimits(j)], j).toEqual([urdf.lower[i], urdf.upper[i]]));
    const q = new Float64Array(N);
    const qd = new Float64Array(N);
    referenceMotion(0, q, qd);
    expect(Array.from(q)).toEqual(Array.from(defaultPoseArray()));
    const a = new Float64Array(N);
    const far = new Float64Array(N);
    const def = defaultPoseArray();
    for (let t = 0; t < UPPER_BODY.periodS; t += 0.01) {
      referenceMotion(t, q, qd);
      for (const dev of [-3, 0, 3]) {
        far.fill(dev);
        expertAction(q, dev === 0 ? q : far, a);
        for (let j = 0; j < N; j++) {
          const target = def[j]! + UPPER_BODY.actionScale * a[j]!;
          expect(target).toBeGreaterThanOrEqual(urdf.lower[j]!);
          expect(target).toBeLessThanOrEqual(urdf.upper[j]!);
          expect(q[j]!).toBeGreaterThan(urdf.lower[j]!);
          expect(q[j]!).toBeLessThan(urdf.upper[j]!);
        }
      }
    }
  });
});
