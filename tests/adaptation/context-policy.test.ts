/**
 * The context-conditioned policy (models/g1_upper_body_ctx.onnx, src/training/context-policy.ts) with the
 * adaptation module feeding its context_latent: it loads against its contract, and in the embedded sim
 * (the adaptation scenario's run, its `rma` variant: no residual adapter) it tracks the payload regime
 * better than the unconditioned policy, with no limit violation.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OnnxPolicy } from '../../src/inference/onnx-policy.js';
import { PolicyContractSchema } from '../../src/policy/contract.js';
import { latentWidthOf } from '../../src/policy/observation.js';
import { observationWidth } from '../../src/policy/observation-spec.js';
import { runAdaptationScenario } from '../../src/runtime/adaptation-scenario.js';
import { contextPolicyContract } from '../../src/training/context-policy.js';
import { shippedResolved } from '../policy/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the context-conditioned policy', () => {
  it('loads against its committed contract: the shipped observation plus a 6-wide context_latent term', async () => {
    const contract = PolicyContractSchema.parse(JSON.parse(readFileSync(join(ROOT, 'models', 'g1_upper_body_ctx.contract.json'), 'utf8')));
    expect(contract).toEqual(contextPolicyContract()); // the committed file is what the training code writes
    expect(latentWidthOf(contract.observation)).toBe(6);
    const config = shippedResolved((c) => ({ ...c, name: contract.name, observation: contract.observation }));
    const policy = await OnnxPolicy.create({ model: new Uint8Array(readFileSync(join(ROOT, 'models', 'g1_upper_body_ctx.onnx'))), config, contract });
    expect(policy.obsWidth).toBe(observationWidth(contract.observation, contract.jointNames.length));
    await policy.release();
  });

  it('with the module feeding its context, tracks the 1.5 kg payload better than the unconditioned policy (rma vs none, 12–16 s)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aegis-ctx-policy-'));
    try {
      const r = await runAdaptationScenario({ configPath: join(ROOT, 'config', 'adaptation.yaml'), root: ROOT, durationS: 16, memoryDir: dir, variants: ['none', 'rma'] });
      const payload = (v: string): number => r.variants.find((x) => x.variant === v)!.visits.find((x) => x.name === 'payload_right')!.rmseRad;
      expect(payload('rma')).toBeLessThan(0.6 * payload('none')); // measured over 84 s: 15.7 vs 39.2 mrad
      expect(r.variants.every((v) => v.run.limitViolations === 0)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
