import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/io/config-file.js';
import { ShieldNodeConfigSchema } from '../../src/safety/config.js';

describe('shield configuration', () => {
  it('the shipped config/shield.yaml validates; it differs from the defaults only where documented', () => {
    const cfg = loadConfigFile(ShieldNodeConfigSchema, 'config/shield.yaml');
    const defaults = ShieldNodeConfigSchema.parse({});
    expect(cfg.core.inputs.allowPartialCandidates).toBe(true); // the upper-body policy commands a subset
    expect(cfg.limits.followingErrorRad).toBe(0.15); // barriers checked near the real pose
    // the arms' bounds sized for a 0–2 kg payload per hand (derivation in the file; tests/safety/fixed-base-following.test.ts)
    expect(cfg.limits.groups).toEqual({ '.*_(shoulder_(pitch|roll|yaw)|elbow)_joint': { followingErrorRad: 0.45 }, '.*_wrist_(pitch|yaw)_joint': { followingErrorRad: 0.2 } });
    expect(cfg.collision.referencePoseRad['left_shoulder_roll_joint']).toBe(0.4); // arms away from the body
    expect(cfg.core.autoActivate).toBe(true); // the embedded demo's first start (the ROS bringup sets it false)
    expect(cfg.profile.base).toBe('fixed');
    expect({
      ...cfg,
      core: { ...cfg.core, autoActivate: false, inputs: { ...cfg.core.inputs, allowPartialCandidates: false } },
      limits: { ...cfg.limits, followingErrorRad: null, groups: {} },
      collision: { ...cfg.collision, referencePoseRad: {} },
    }).toEqual(defaults);
  });

  it('the shipped floating-base G1 profile validates and differs from the defaults only where documented', () => {
    const cfg = loadConfigFile(ShieldNodeConfigSchema, 'config/shield_g1_floating.yaml');
    const defaults = ShieldNodeConfigSchema.parse({});
    expect(cfg.profile.base).toBe('floating');
    expect(cfg.limits.followingErrorRad).toBeNull();
    expect(cfg.core.passThrough).toBe(false);
    expect({
      ...cfg,
      profile: { base: 'fixed' },
      core: { ...cfg.core, autoActivate: false },
      collision: { ...cfg.collision, enabled: true },
    }).toEqual(defaults);
  });

  it('reports every invalid field by path', () => {
    const r = ShieldNodeConfigSchema.safeParse({ core: { rateHz: 100, watchdog: { onMeasuredFault: 'panic' } }, outputFormat: 'csv', extra: 1 });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.error.issues.map((i) => i.path.join('.') || i.code)).toEqual(
      expect.arrayContaining(['core.rateHz', 'core.watchdog.onMeasuredFault', 'outputFormat', 'unrecognized_keys']),
    );
  });
});
