import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/io/config-file.js';
import { ShieldNodeConfigSchema } from '../../src/safety/config.js';

describe('shield configuration', () => {
  it('the shipped config/shield.yaml validates; it differs from the defaults only where documented', () => {
    const cfg = loadConfigFile(ShieldNodeConfigSchema, 'config/shield.yaml');
    const defaults = ShieldNodeConfigSchema.parse({});
    expect(cfg.core.inputs.allowPartialCandidates).toBe(true); // the upper-body policy commands a subset
    expect(cfg.limits.followingErrorRad).toBe(0.15); // barriers checked near the real pose
    expect(cfg.collision.referencePoseRad['left_shoulder_roll_joint']).toBe(0.4); // arms away from the body
    expect({
      ...cfg,
      core: { ...cfg.core, inputs: { ...cfg.core.inputs, allowPartialCandidates: false } },
      limits: { ...cfg.limits, followingErrorRad: null },
      collision: { ...cfg.collision, referencePoseRad: {} },
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
