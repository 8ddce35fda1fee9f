/**
 * The adapter inside the policy controller: it changes the published target only by its correction,
 * and switching it off (controller.setAdaptation / the node's SetBool service) returns to the
 * consolidated policy's target at once — before the next tick publishes.
 */
import { describe, expect, it } from 'vitest';
import { ResidualAdapter } from '../../src/adaptation/residual-adapter.js';
import { RegimeMemory } from '../../src/adaptation/regime-memory.js';
import { ADAPTATION_ENABLE_SERVICE, ADAPTATION_REGIME_TOPIC, attachAdaptation } from '../../src/nodes/adaptation-wiring.js';
import { PolicyController } from '../../src/policy/controller.js';
import { PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { G1_JOINTS, jointLimits } from '../../src/training/g1-upper-body.js';
import { EmbeddedBus } from '../../src/transport/bus/index.js';
import { shippedConfig } from '../policy/helpers.js';

const ARM = ['right_shoulder_pitch_joint', 'right_shoulder_roll_joint', 'right_shoulder_yaw_joint', 'right_elbow_joint'];
const IDX = ARM.map((j) => G1_JOINTS.indexOf(j));
const CFG = { groups: [{ joints: ARM, features: ['right_shoulder_pitch_joint'] }] };
const LIMITS = Object.fromEntries(G1_JOINTS.map((j) => [j, jointLimits(j)] as const));

/** An adapter whose library holds the anchor (no correction) and 'payload' (a +0.1 rad bias on every arm joint). */
function adapter(): ResidualAdapter {
  const a = new ResidualAdapter(CFG, G1_JOINTS, LIMITS);
  const d = a.features;
  const m = new RegimeMemory({ joints: 4, features: d }, 4);
  const cov = new Array(4 * d * d).fill(0).map((_, i) => (i % (d * d)) % (d + 1) === 0 ? 1e-4 : 0);
  m.create({ label: 'anchor', params: new Array(4 * d).fill(0), covariance: cov, noiseVar: [1e-4, 1e-4, 1e-4, 1e-4], pinned: true });
  m.create({ label: 'payload', params: new Array(4 * d).fill(0).map((_, i) => (i % d === 0 ? 0.1 : 0)), covariance: cov, noiseVar: [1e-4, 1e-4, 1e-4, 1e-4] });
  a.loadMemory(m.toJSON(a.fingerprint));
  return a;
}

function controller(): { c: PolicyController; tick: (k: number) => void } {
  const cfg = resolvePolicyConfig(PolicyConfigSchema.parse({ ...shippedConfig(), modes: { ...shippedConfig().modes, initial: 'POLICY' } }));
  const c = new PolicyController(cfg, new Float32Array(cfg.observationWidth));
  const q = Float64Array.from(cfg.defaultJointPos);
  const out = new Float32Array(cfg.joints.length).fill(0.2);
  const tick = (k: number): void => {
    c.clock[0] = 0.02 * k;
    // a plant in the 'payload' regime: each adapted joint reaches the previous target − 0.1 rad (+ a tiny live jitter)
    for (const j of IDX) q[j] = c.target[j]! - 0.1 + 0.001 * Math.sin(k + j);
    c.intake.acceptJointState(q, new Float64Array(q.length));
    c.intake.acceptImu({ x: 0, y: 0, z: 0, w: 1 }, { x: 0, y: 0, z: 0 });
    expect(c.tick()).toBe('infer');
    expect(c.finishInference(out)).toBe('publish');
  };
  c.clock[0] = 0;
  c.intake.acceptJointState(q, new Float64Array(q.length));
  c.intake.acceptImu({ x: 0, y: 0, z: 0, w: 1 }, { x: 0, y: 0, z: 0 });
  expect(c.mode).toBe('POLICY');
  return { c, tick };
}

const correctionOf = (c: PolicyController): number[] => IDX.map((j) => c.target[j]! - c.action.target[j]!);

describe('adaptation in the policy controller', () => {
  it('adds the correction to the policy target on adapted joints only', () => {
    const { c, tick } = controller();
    c.adapter = adapter();
    c.adapter.announceSwitch('payload');
    for (let k = 1; k <= 60; k++) tick(k);
    for (const d of correctionOf(c)) expect(Math.abs(d - 0.1)).toBeLessThan(0.01); // the recalled bias
    G1_JOINTS.forEach((_, j) => {
      if (!IDX.includes(j)) expect(c.target[j]).toBe(c.action.target[j]);
    });
  });

  it('switched off, the held target is the consolidated policy target at once, and stays so on the next ticks', () => {
    const { c, tick } = controller();
    c.adapter = adapter();
    c.adapter.announceSwitch('payload');
    for (let k = 1; k <= 60; k++) tick(k);
    expect(Math.min(...correctionOf(c))).toBeGreaterThan(0.09);
    c.setAdaptation(false);
    expect(Array.from(c.target)).toEqual(Array.from(c.action.target)); // before any further tick
    tick(61);
    expect(Array.from(c.target)).toEqual(Array.from(c.action.target));
    c.setAdaptation(true);
    tick(62);
    const back = correctionOf(c);
    expect(Math.max(...back)).toBeGreaterThan(0); // resumes …
    expect(Math.max(...back)).toBeLessThanOrEqual(0.03 + 1e-12); // … from zero, within the trust region
  });

  it('the node wiring: SetBool service switches it, a String announces a regime', async () => {
    const bus = new EmbeddedBus();
    const node = bus.createNode('policy');
    const { c, tick } = controller();
    const a = adapter();
    const w = attachAdaptation(node, c, a);
    expect(c.adapter).toBe(a);
    const op = bus.createNode('operator');
    op.createPublisher('std_msgs/msg/String', ADAPTATION_REGIME_TOPIC, { preset: 'reliable' }).publish({ data: 'payload' });
    bus.advanceTo(1_000_000n);
    expect(a.activeRegime).toBe('payload');
    for (let k = 1; k <= 60; k++) tick(k);
    expect(Math.min(...correctionOf(c))).toBeGreaterThan(0.09);
    const r = await op.createClient('std_srvs/srv/SetBool', ADAPTATION_ENABLE_SERVICE).call({ data: false });
    expect(r.success).toBe(true);
    expect(a.enabled).toBe(false);
    expect(Array.from(c.target)).toEqual(Array.from(c.action.target));
    w.destroy();
    await bus.shutdown();
  });
});
