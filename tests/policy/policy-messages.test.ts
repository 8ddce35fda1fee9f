import { describe, expect, it } from 'vitest';
import { PolicyController } from '../../src/policy/controller.js';
import { buildPolicyToRobot } from '../../src/policy/joint-map.js';
import { PolicyConfigSchema, resolvePolicyConfig } from '../../src/policy/policy-config.js';
import { PolicyMessages } from '../../src/policy/policy-messages.js';
import { makeJointState, makeJointTrajectory } from '../../src/transport/messages.js';
import { shippedConfig } from './helpers.js';

function setup() {
  const cfg = resolvePolicyConfig(PolicyConfigSchema.parse({ ...shippedConfig(), modes: { initial: 'PASSIVE' } }));
  const c = new PolicyController(cfg, new Float32Array(cfg.observationWidth));
  // the robot lists the policy's joints in reverse order, plus one the policy does not use
  const robot = ['extra_joint', ...[...cfg.joints].reverse()];
  const msgs = new PolicyMessages(c, cfg.joints, buildPolicyToRobot(cfg.joints, robot));
  return { cfg, c, msgs, robot };
}

describe('PolicyMessages: the policy node\'s messages by joint name', () => {
  it('reads a joint state by name into policy order', () => {
    const { cfg, c, msgs, robot } = setup();
    const js = makeJointState(robot);
    robot.forEach((n, i) => { js.position[i] = i * 0.01; });
    expect(msgs.jointState(js)).toBe('accepted');
    const p = cfg.joints.indexOf(robot[3]!);
    expect(c.inputs.jointPos[p]).toBeCloseTo(0.03, 12);
  });

  it('rejects arrays of different lengths and a missing joint; only the first rejection asks to be said', () => {
    const { cfg, c, msgs, robot } = setup();
    const short = makeJointState(robot);
    short.velocity = new Float64Array(robot.length - 1);
    expect(msgs.jointState(short)).toBe('first_rejection');
    const missing = makeJointState(robot.slice(0, -1));
    expect(msgs.jointState(missing)).toBe('rejected');
    expect(msgs.missingJoint).toBe(cfg.joints[0]);
    expect(c.intake.stats.rejectedJointStates).toBe(2);
  });

  it('rejects a reference with no point or positions of the wrong length, and counts it', () => {
    const { c, msgs, robot } = setup();
    const ref = makeJointTrajectory(robot);
    ref.points[0]!.positions = new Float64Array(2);
    msgs.reference(ref);
    ref.points.length = 0;
    msgs.reference(ref);
    expect(c.intake.stats.rejectedReferences).toBe(2);
  });

  it('fills the command in the robot\'s joint order from the controller\'s target', () => {
    const { cfg, c, msgs, robot } = setup();
    c.target.forEach((_, p) => { c.target[p] = p; });
    const cmd = msgs.fillCommand();
    expect(cmd.joint_names).toEqual(robot.slice(1));
    expect(Array.from(cmd.points[0]!.positions)).toEqual(robot.slice(1).map((n) => cfg.joints.indexOf(n)));
  });
});
