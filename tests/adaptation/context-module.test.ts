/**
 * The adaptation module's core (src/adaptation/context-module.ts): its contract, the window (values
 * computed here from the pushed states, oldest tick first), the runner's rate and output checks, and who
 * reads the output; then the committed ONNX module against its contract (src/inference/onnx-context-module.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTEXT_MODULE_FORMAT, contextModuleReaders, ContextModuleContractSchema, ContextModuleRunner, ContextWindow, type ContextModuleContract, type ContextNet } from '../../src/adaptation/context-module.js';
import { ResidualAdapter } from '../../src/adaptation/residual-adapter.js';
import { attachAdaptation } from '../../src/nodes/adaptation-wiring.js';
import { PolicyController } from '../../src/policy/controller.js';
import { PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { G1_JOINTS, jointLimits } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { shippedConfig } from '../policy/helpers.js';
import { OnnxContextNet } from '../../src/inference/onnx-context-module.js';
import { loadContextModuleFile } from '../../src/io/context-module-file.js';
import { ConfigError } from '../../src/io/config-file.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CONTRACT_FILE = join(ROOT, 'models', 'g1_arm_context.contract.json');
const JOINTS = ['a', 'b', 'c'];

function contract(over: Partial<ContextModuleContract> = {}): ContextModuleContract {
  return ContextModuleContractSchema.parse({
    format: CONTEXT_MODULE_FORMAT, name: 't', model: 't.onnx', windowTicks: 3, joints: ['a', 'c'],
    signals: [{ signal: 'lead', scale: 10 }, { signal: 'position', scale: 1 }, { signal: 'velocity', scale: 0.5 }, { signal: 'velocity_change', scale: 2 }],
    input: { name: 'window', width: 3 * 2 * 4 }, output: { name: 'z', names: ['m'], bounds: [[-1, 3]] }, ...over,
  });
}

describe('adaptation module contract', () => {
  it('the committed contract parses; a wrong input width, a bounds count or an unknown key is an error naming the path', () => {
    const c = ContextModuleContractSchema.parse(JSON.parse(readFileSync(CONTRACT_FILE, 'utf8')));
    expect(c.input.width).toBe(c.windowTicks * c.joints.length * c.signals.length);
    const bad = (x: object): string => JSON.stringify(ContextModuleContractSchema.safeParse({ ...contract(), ...x }).error?.issues);
    expect(bad({ input: { name: 'window', width: 23 } })).toMatch(/"input","width".*must be windowTicks × joints × signals = 24/);
    expect(bad({ output: { name: 'z', names: ['m', 'n'], bounds: [[-1, 3]] } })).toMatch(/"output","bounds".*one \[low, high\] per output name/);
    expect(bad({ extra: 1 })).toMatch(/extra/);
  });

  it('a contract file that is not JSON or names no model file is a ConfigError naming the file', () => {
    expect(() => loadContextModuleFile(join(ROOT, 'package.json'))).toThrow(ConfigError);
    expect(() => loadContextModuleFile(join(ROOT, 'README.md'))).toThrow(/not JSON/);
  });
});

describe('ContextWindow', () => {
  const def = [0.1, 0, -0.2];
  /** Tick k's state: q, qd and the command published at k (policy order a, b, c). */
  const state = (k: number): { q: number[]; qd: number[]; c: number[] } => ({
    q: [0.3 + 0.01 * k, 9, -0.1 * k], qd: [0.5 * k, 9, 1 + k * k], c: [0.35 + 0.01 * k, 9, -0.1 * k + 0.02],
  });

  it('holds the last windowTicks rows, oldest first: lead, position − default, velocity, velocity change, each scaled', () => {
    const w = new ContextWindow(contract(), JOINTS, def);
    for (let k = 0; k < 6; k++) {
      const s = state(k);
      expect(w.push(s.q, s.qd, s.c)).toBe(true);
      expect(w.ready).toBe(k >= 3); // the first push only remembers the command and velocity
    }
    const out = new Float32Array(w.width);
    w.assemble(out);
    const want: number[] = [];
    for (const k of [3, 4, 5]) {
      const s = state(k);
      const p = state(k - 1);
      for (const j of [0, 2]) want.push(10 * (p.c[j]! - s.q[j]!), s.q[j]! - def[j]!, 0.5 * s.qd[j]!, 2 * (s.qd[j]! - p.qd[j]!));
    }
    expect(Array.from(out)).toEqual(want.map((v) => Math.fround(v)));
  });

  it('a non-finite value restarts it (no row spans it); joints outside the module are not read', () => {
    const w = new ContextWindow(contract(), JOINTS, def);
    for (let k = 0; k < 5; k++) w.push(state(k).q, state(k).qd, state(k).c);
    expect(w.ready).toBe(true);
    expect(w.push([NaN, 0, 0], [0, 0, 0], [0, 0, 0])).toBe(false);
    expect(w.count).toBe(0);
    expect(w.push([0.3, NaN, 0], [0, NaN, 0], [0, NaN, 0])).toBe(true); // joint b is not in the module
    expect(() => new ContextWindow(contract({ joints: ['a', 'x'] }), JOINTS, def)).toThrow(/joint 'x' is not a policy joint/);
  });
});

describe('ContextModuleRunner', () => {
  it('runs at its rate once the window is full; refuses a non-finite or out-of-bounds output, keeping the last good one', () => {
    const r = new ContextModuleRunner(contract({ rateHz: 10 }), JOINTS, [0, 0, 0]);
    expect(r.prepare(0)).toBe(false); // empty window
    for (let k = 0; k < 4; k++) r.window.push([k, 0, k], [0, 0, 0], [k, 0, k]);
    expect(r.prepare(1)).toBe(true);
    r.window.push([4, 0, 4], [0, 0, 0], [4, 0, 4]);
    expect(r.prepare(1.05)).toBe(false); // not due yet
    expect(r.prepare(1.1)).toBe(true);
    expect(r.accept([1.5], 1.1)).toBeNull();
    expect(Array.from(r.z)).toEqual([1.5]);
    expect(r.accept([NaN], 1.2)).toBe('not_finite');
    expect(r.accept([7], 1.3)).toBe('out_of_bounds');
    expect(Array.from(r.z)).toEqual([1.5]);
    expect(r.refused).toEqual({ not_finite: 1, out_of_bounds: 1, absurd_window: 0 });
    expect(r.acceptedAtS).toBe(1.1);
  });

  it('an absurd window (a value beyond the contract\'s input.maxAbs) is not run: counted, the last good context stands', () => {
    const r = new ContextModuleRunner(contract({ input: { name: 'window', width: 24, maxAbs: 50 } }), JOINTS, [0, 0, 0]);
    for (let k = 0; k < 4; k++) r.window.push([0.1 * k, 0, 0], [0, 0, 0], [0.1 * k, 0, 0]);
    expect(r.prepare(0)).toBe(true);
    r.accept([1], 0);
    r.window.push([0.4, 0, 0], [1e3, 0, 0], [0.4, 0, 0]); // 1000 rad/s: scaled 500 > 50
    expect(r.prepare(1)).toBe(false);
    expect(r.refused.absurd_window).toBe(1);
    expect(Array.from(r.z)).toEqual([1]);
    expect(ContextModuleContractSchema.parse(JSON.parse(readFileSync(CONTRACT_FILE, 'utf8'))).input.maxAbs).toBeGreaterThan(10); // set from the training windows
  });

  it('a window that stopped filling is not run again; a clock that went back restarts it and expires the context', () => {
    const r = new ContextModuleRunner(contract({ rateHz: 10 }), JOINTS, [0, 0, 0]);
    for (let k = 0; k < 4; k++) r.window.push([0.1 * k, 0, 0], [0, 0, 0], [0.1 * k, 0, 0]);
    expect(r.prepare(5)).toBe(true);
    r.accept([1], 5);
    expect(r.prepare(5.1)).toBe(false); // no fresh row
    expect(r.expire(5.5)).toBe(false);
    expect(r.expire(6.2)).toBe(true); // nothing accepted for 1 s
    expect(Array.from(r.z)).toEqual([0]);
    r.window.push([0.5, 0, 0], [0, 0, 0], [0.5, 0, 0]);
    expect(r.prepare(6.3)).toBe(true);
    r.accept([2], 6.3);
    expect(r.expire(1)).toBe(true); // the clock went back (a sim reset)
    expect(Array.from(r.z)).toEqual([0]);
    expect(r.window.count).toBe(0);
    expect(r.staleResets).toBe(2);
  });

  it('the readers must agree with its width, and something must read it', () => {
    const c = contract();
    expect(contextModuleReaders(c, { adapterContextWidth: 1, policyLatentWidth: 0 })).toEqual([]);
    expect(contextModuleReaders(c, { adapterContextWidth: null, policyLatentWidth: 1 })).toEqual([]);
    expect(contextModuleReaders(c, { adapterContextWidth: 6, policyLatentWidth: 0 }).join()).toMatch(/the adapter's context 6/);
    expect(contextModuleReaders(c, { adapterContextWidth: null, policyLatentWidth: 8 }).join()).toMatch(/context_latent term reads 8/);
    expect(contextModuleReaders(c, { adapterContextWidth: null, policyLatentWidth: 0 }).join()).toMatch(/nothing reads its output/);
  });
});

describe('the committed module (ONNX)', () => {
  it('matches its contract and answers a finite context for a zero window', async () => {
    const m = loadContextModuleFile(CONTRACT_FILE);
    const r = new ContextModuleRunner(m.contract, m.contract.joints, new Array(m.contract.joints.length).fill(0));
    const net = await OnnxContextNet.create(m.model, m.contract, r.input, m.modelPath);
    const out = await net.run(r.input);
    expect(out.length).toBe(m.contract.output.names.length);
    expect(Array.from(out).every(Number.isFinite)).toBe(true);
    await net.release();
  });

  it('a contract whose widths disagree with the graph is refused, naming the mismatch', async () => {
    const m = loadContextModuleFile(CONTRACT_FILE);
    const c = ContextModuleContractSchema.parse({ ...m.contract, windowTicks: 5, input: { ...m.contract.input, width: 5 * m.contract.joints.length * m.contract.signals.length } });
    await expect(OnnxContextNet.create(m.model, c, new Float32Array(c.input.width), m.modelPath)).rejects.toThrow(/input 'window' has shape \[.*\], the contract says \[1, 280\]/);
  });
});

describe('the module in the policy node (attachAdaptation): a policy with a context_latent term reads its latest accepted output', () => {
  /** A stand-in network (the port): answers what `next` holds, so the test knows what the policy must read. */
  class FixedNet implements ContextNet {
    next: number[] = [];
    calls = 0;
    run(): Float32Array {
      this.calls++;
      return Float32Array.from(this.next);
    }
  }

  it('fills the window at each policy tick, runs at its rate, and the observation carries the accepted context; a refused output leaves the last good one until it expires to the nominal', async () => {
    const m = loadContextModuleFile(CONTRACT_FILE);
    const width = m.contract.output.names.length;
    const cfg = resolvePolicyConfig(PolicyConfigSchema.parse({
      ...shippedConfig(),
      modes: { ...shippedConfig().modes, initial: 'POLICY' },
      observation: { ...shippedConfig().observation, terms: [...shippedConfig().observation.terms, { name: 'ctx', source: 'context_latent', width, scale: 1, history: 1 }] },
    }));
    const obs = new Float32Array(cfg.observationWidth);
    expect(() => new PolicyController(cfg, obs)).toThrow(/'ctx' \(context_latent\) needs the adaptation module/); // nothing feeds it
    const c = new PolicyController(cfg, obs, { contextLatentFed: true });
    const runner = new ContextModuleRunner(m.contract, cfg.joints, cfg.defaultJointPos);
    const net = new FixedNet();
    const bus = new EmbeddedBus();
    const node = bus.createNode('policy');
    const adapter = new ResidualAdapter({ groups: [{ joints: ['right_elbow_joint'], features: ['right_elbow_joint'] }] }, G1_JOINTS, Object.fromEntries(G1_JOINTS.map((j) => [j, jointLimits(j)] as const)));
    const w = attachAdaptation(node, c, adapter, { runner, net });
    expect(c.contextWindow).toBe(runner.window);
    const q = Float64Array.from(cfg.defaultJointPos);
    const tick = (k: number): void => {
      c.clock[0] = 0.02 * k;
      c.intake.acceptJointState(q.map((v, j) => v + 1e-3 * Math.sin(k + j)), new Float64Array(q.length));
      c.intake.acceptImu({ x: 0, y: 0, z: 0, w: 1 }, { x: 0, y: 0, z: 0 });
      expect(c.tick()).toBe('infer');
      c.finishInference(new Float32Array(cfg.joints.length));
    };
    net.next = [0.5, 1.25, -0.5, 0, 2, 0.25];
    for (let k = 0; k <= m.contract.windowTicks; k++) tick(k);
    expect(runner.window.ready).toBe(true);
    bus.advanceTo(BigInt(Math.round(0.25e9))); // the module's timer (10 Hz) runs
    expect(net.calls).toBeGreaterThan(0);
    expect(Array.from(c.inputs.contextLatent)).toEqual(net.next);
    // the next observation carries it, at the term's place (the last term)
    tick(m.contract.windowTicks + 1);
    expect(Array.from(obs.subarray(obs.length - width))).toEqual(net.next.map(Math.fround));
    net.next = [0.5, 9, -0.5, 0, 2, 0.25]; // a payload of 9 kg: outside the contract's bounds
    tick(m.contract.windowTicks + 2);
    bus.advanceTo(BigInt(Math.round(0.45e9)));
    expect(runner.refused.out_of_bounds).toBeGreaterThan(0);
    expect(Array.from(c.inputs.contextLatent)).toEqual([0.5, 1.25, -0.5, 0, 2, 0.25]);
    // no policy tick since: the window is not re-run (it would answer the same again), and with nothing
    // accepted for 10 module periods the context expires to the nominal (zeros), counted
    const calls = net.calls;
    bus.advanceTo(BigInt(Math.round(1.6e9)));
    expect(net.calls).toBe(calls);
    expect(runner.staleResets).toBe(1);
    expect(Array.from(c.inputs.contextLatent)).toEqual([0, 0, 0, 0, 0, 0]);
    net.next = [0.5, 1.25, -0.5, 0, 2, 0.25];
    tick(m.contract.windowTicks + 2); // a fresh row
    bus.advanceTo(BigInt(Math.round(1.75e9)));
    expect(Array.from(c.inputs.contextLatent)).toEqual(net.next); // back once an output is accepted
    w.destroy();
    expect(c.contextWindow).toBeNull();
    await bus.shutdown();
  });
});
