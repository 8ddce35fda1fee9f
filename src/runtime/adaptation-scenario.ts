/**
 * The adaptation scenario: the embedded run (sim, shipped upper-body policy,
 * shield, all on the bus) through a regime sequence, once per variant, same
 * run config, same seeds (the embedded run is deterministic):
 *
 *   none       no adaptation (the consolidated policy)
 *   no_memory  the adapter without its regime library (re-fit after every switch)
 *   full       the adapter as configured (detection, library, cost budget)
 *   module     the full method with its context from the learnt adaptation module
 *              (`module`, context.source: module) instead of its own least squares
 *   oracle     told the truth: switch times and regime identities announced at
 *              the true times, detection off, and a library whose entries were
 *              fitted in a calibration pass over the same sequence with the
 *              regimes labelled (saved and re-loaded through the memory file)
 *
 * Tracking error: measured joint positions (the sim) vs the policy's reference
 * motion (src/training/g1-upper-body.ts) at the policy's own clock.
 * Safety cost per 10 ms sample: the fraction of shield ticks on which a
 * limit-type constraint intervened (position, velocity, collision, workspace)
 * + the near-limit cost of the measured tracked joints. The adapter reads the
 * same fraction as the robot does: from the shield's `/diagnostics` on the bus
 * (ShieldCostMeter, averaged over the shield's 1 s report period). The shield's shaping constraints
 * (acceleration, jerk: it smooths every 50 Hz step of the policy; effort,
 * following error: holding a payload needs a servo lead of τ/kp whoever
 * commands it) are counted and reported as the clamp rate but not charged:
 * the `none` variant has them too (docs/adaptation.md).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { AdaptationConfigSchema } from '../adaptation/config.js';
import type { ContextModule } from '../nodes/adaptation-wiring.js';
import type { PolicyConfig } from '../policy/policy-config.js';
import { PolicyContractSchema } from '../policy/contract.js';
import { ResidualAdapter } from '../adaptation/residual-adapter.js';
import { CHARGED_CONSTRAINTS, SHAPING_CONSTRAINTS } from '../adaptation/shield-cost.js';
import { nearLimitCost } from '../adaptation/safety-gate.js';
import { loadConfigFile } from '../io/config-file.js';
import { loadUrdfFile } from '../io/urdf-file.js';
import { resolveRunSetup } from './run-setup.js';
import { CONSTRAINT_NAMES } from '../safety/band.js';
import { loadRegimeMemoryFile, saveRegimeMemoryFile } from '../io/regime-memory-file.js';
import type { PolicyNode } from '../nodes/policy-node.js';
import type { ShieldNode } from '../nodes/shield-node.js';
import { defaultPoseArray, G1_JOINTS, jointLimits, referenceMotion, UPPER_BODY } from '../training/g1-upper-body.js';
import { makeJointState } from '../transport/messages.js';
import { nominalProfile, visitMetrics, type MetricSettings, type Series, type Visit, type VisitMetrics } from './adaptation-metrics.js';
import { loadContextModule } from './adaptation-setup.js';
import { runEmbedded, type RunSummary } from './embedded-run.js';

const finite = z.number(); // zod 4 numbers are finite: NaN and ±Infinity are refused

export const AdaptationScenarioSchema = z
  .object({
    /** The embedded run config (YAML) whose dynamics events make the regimes. */
    run: z.string().min(1),
    /** Replaces the run's shield config file (an experiment with another shield setting; the shield stays in the loop). */
    shield: z.string().min(1).optional(),
    /** Regime names and start times, s (increasing; the first at 0). Equal names = the same dynamics. */
    regimes: z.array(z.object({ name: z.string().min(1), startS: finite.nonnegative() }).strict()).min(2),
    /** Joints whose tracking error is measured (policy joint names). */
    trackedJoints: z.array(z.string().min(1)).min(1),
    /** The adapter (AdaptationConfigSchema). */
    adapter: AdaptationConfigSchema,
    /** The adaptation module's contract (JSON) for the `module` variant: the full method with the context from the module (`context.source: module`). */
    module: z.string().min(1).optional(),
    /** The context-conditioned policy (ONNX) for the `rma` variant: it reads the module's output through `context_latent`; the adapter is off. */
    contextPolicy: z.string().min(1).optional(),
    metrics: z
      .object({
        /** The first regime's first seconds are not part of the nominal level (start-up, anchor learning), s. */
        nominalWarmupS: finite.nonnegative().default(4),
        /** Window of the adapted test, s. */
        windowS: finite.positive().default(0.5),
        /** Adapted: phase-normalised RMSE within this factor of the nominal level. */
        ratio: finite.gt(1).default(1.2),
        /** …and staying there this long, s. */
        holdS: finite.nonnegative().default(2),
        /** Windows compared for forgetting, s. */
        forgettingWindowS: finite.positive().default(2),
        /** The alternative forgetting (printed beside the headline) starts this long after the switch, s. */
        settleS: finite.nonnegative().default(0.5),
        /** …over this window (and the first visit's last one), s: one period of the shipped motion (4 s), so both windows see the same phases. */
        settleWindowS: finite.positive().default(4),
        /** Motion-phase bins of the nominal level. */
        bins: z.number().int().positive().default(40),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.regimes[0]!.startS !== 0) ctx.addIssue({ code: 'custom', path: ['regimes', 0, 'startS'], message: 'the first regime starts at 0' });
    for (let i = 1; i < c.regimes.length; i++) {
      if (!(c.regimes[i]!.startS > c.regimes[i - 1]!.startS)) ctx.addIssue({ code: 'custom', path: ['regimes', i, 'startS'], message: 'start times must increase' });
    }
  });
export type AdaptationScenario = z.infer<typeof AdaptationScenarioSchema>;

export const VARIANTS = ['none', 'no_memory', 'full', 'module', 'rma', 'oracle'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface VariantResult {
  variant: Variant;
  visits: VisitMetrics[];
  run: { limitViolations: number; publishedCommands: number; shieldInterventionTicks: number; shieldTicks: number; interventions: Record<string, number>; fell: boolean };
  adapter: ResidualAdapter['stats'] | null;
  /** Regime library at the end (labels), when the variant has one. */
  library: string[] | null;
  /** The adapter's dynamics context at the end of each regime visit (per group (a, m kg, b)), when it has one. */
  contextAtEnd: number[][] | null;
  events: ResidualAdapter['events'];
}

export interface AdaptationReport {
  durationS: number;
  /** The tracked joints (order of every visit's `jointRmseRad`). */
  trackedJoints: string[];
  costBudget: number;
  /** Start of the revisit window of the alternative forgetting, s after the switch (metrics.settleS), and its length (metrics.settleWindowS). */
  settleS: number;
  settleWindowS: number;
  /** Names of the adapter's groups (their first joint), the order of each context's (a, m, b) triples. */
  contextGroups: string[];
  variants: VariantResult[];
  /** Summary vs `none` (the issue's done-when figures). */
  summary: Record<Exclude<Variant, 'none'>, {
    /** 1 − RMSE/RMSE_none over all non-nominal visits, fraction. */
    postShiftRmseReduction: number;
    /**
     * The same on the excess over each variant's own first-nominal RMSE: 1 − (RMSE − RMSE_nom)/(RMSE_none − RMSE_nom,none).
     * Adaptation aims at the nominal behaviour, so RMSE_nom/RMSE_none bounds the plain reduction; this one can reach 1.
     */
    postShiftExcessReduction: number;
    /** Worst time to adapt over first visits of shifted regimes, s (null: some never adapted). */
    worstAdaptS: number | null;
    /** Worst time to adapt over revisits (recall), s. */
    worstRecallS: number | null;
    /** The same two against the unadapted policy's nominal level (`none`'s first nominal visit), s. */
    worstAdaptVsPolicyS: number | null;
    worstRecallVsPolicyS: number | null;
    /** Worst forgetting over revisits, fraction. */
    worstForgetting: number;
    /** Worst forgetting from `metrics.settleS` after the switch (the switching transient left out), fraction. */
    worstForgettingSettled: number;
    limitViolations: number;
    /** Every visit's mean cost ≤ budget. */
    costWithinBudget: boolean;
  }>;
}

export interface ScenarioOptions {
  configPath: string;
  root: string;
  /** Overrides the run's duration (a shorter check), s. */
  durationS?: number;
  /** Where the calibration library (and the full method's final library) are written; default: beside nothing (temp). */
  memoryDir: string;
  variants?: readonly Variant[];
  onProgress?: (variant: string, simTimeS: number, durationS: number) => void;
  /** Receives each variant's recorded series (analysis: per-joint error over time). */
  onSeries?: (variant: Variant, series: Series) => void;
}

const NOMINAL_LABEL = 'anchor';
/** Shield constraints whose interventions are charged as safety cost (indices into CONSTRAINT_NAMES). */
const LIMIT_CONSTRAINTS = CHARGED_CONSTRAINTS.map((n) => CONSTRAINT_NAMES.indexOf(n));
/** Shaping constraints (reported as the clamp rate, not charged): the shield smooths every 50 Hz step (acceleration, jerk) and bounds servo torque and lead (effort, following). */
const CLAMP_CONSTRAINTS = SHAPING_CONSTRAINTS.map((n) => CONSTRAINT_NAMES.indexOf(n));

export async function runAdaptationScenario(opts: ScenarioOptions): Promise<AdaptationReport> {
  const sc = loadConfigFile(AdaptationScenarioSchema, opts.configPath);
  const here = (p: string): string => (isAbsolute(p) ? p : resolve(dirname(resolve(opts.configPath)), p));
  const runPath = here(sc.run);
  const setup = resolveRunSetup(runPath);
  const model = setup.profile ? setup.profile.model : loadUrdfFile(setup.urdfPath, { packageDirs: setup.packageDirs });
  const tracked = Int32Array.from(sc.trackedJoints, (j) => {
    const i = G1_JOINTS.indexOf(j);
    if (i < 0) throw new Error(`${opts.configPath}: trackedJoints: '${j}' is not a policy joint`);
    return i;
  });
  const limits = Object.fromEntries(G1_JOINTS.map((j) => [j, jointLimits(j)] as const));
  const firstNominal = sc.regimes[0]!.name;
  const label = (name: string): string => (name === firstNominal ? NOMINAL_LABEL : name);
  const variants = opts.variants ?? VARIANTS;
  const results: VariantResult[] = [];
  let durationS = opts.durationS ?? NaN;

  /** The `module` variant's adaptation module, checked against the adapter's context (a fresh runner per run). */
  const scenarioModule = async (forPolicy: boolean): Promise<ContextModule> => {
    if (!sc.module || !sc.adapter.context) throw new Error(`${opts.configPath}: the 'module' and 'rma' variants need \`module\` and \`adapter.context\``);
    const readers = forPolicy ? { adapterContextWidth: null, policyLatentWidth: 6 } : { adapterContextWidth: 3 * sc.adapter.groups.length, policyLatentWidth: 0 };
    return loadContextModule(here(sc.module), readers, G1_JOINTS, defaultPoseArray());
  };

  const once = async (variant: Variant | 'calibration', memoryFile: string | null): Promise<{ series: Series; summary: RunSummary; adapter: ResidualAdapter | null; contextAtEnd: number[][] | null }> => {
    const announce = variant === 'oracle' || variant === 'calibration';
    const adapter =
      variant === 'none'
        ? null
        : new ResidualAdapter(
            {
              ...sc.adapter,
              memory: variant !== 'no_memory',
              ...(announce ? { detector: { ...sc.adapter.detector, threshold: 1e12 } } : {}),
              // the oracle's context is the calibrated regime's, as told at the switch: not re-fitted from its own samples
              ...(variant === 'oracle' && sc.adapter.context ? { context: { ...sc.adapter.context, priorVariance: { compliance: 1e-12, massKg: 1e-12, damping: 1e-12 } } } : {}),
              ...(variant === 'module' && sc.adapter.context ? { context: { ...sc.adapter.context, source: 'module' as const } } : {}),
              ...(variant === 'rma' ? { enabled: false } : {}), // the context-conditioned policy corrects itself
            },
            G1_JOINTS,
            limits,
            model,
          );
    if (variant === 'rma' && !sc.contextPolicy) throw new Error(`${opts.configPath}: the 'rma' variant needs \`contextPolicy\``);
    const contextModule = variant === 'module' || variant === 'rma' ? await scenarioModule(variant === 'rma') : undefined;
    if (adapter && variant === 'oracle' && memoryFile) adapter.loadMemory(loadRegimeMemoryFile(memoryFile));
    const series: Series = { t: [], e2: [], bin: [], cost: [], clamp: [], jointE2: [], jointErr: [], joints: tracked.length };
    const msg = makeJointState(sc.trackedJoints);
    const ref = new Float64Array(G1_JOINTS.length);
    const refVel = new Float64Array(G1_JOINTS.length);
    const lower = Float64Array.from(sc.trackedJoints, (j) => jointLimits(j)[0]);
    const upper = Float64Array.from(sc.trackedJoints, (j) => jointLimits(j)[1]);
    const seq = Int32Array.from(sc.trackedJoints, (_, k) => k);
    let policy: PolicyNode | null = null;
    let shield: ShieldNode | null = null;
    let lastTickTime = NaN;
    let tickSimT = 0;
    let lastInterventions = 0;
    let lastShieldTicks = 0;
    let sampleInterventions = 0;
    let sampleShieldTicks = 0;
    let lastClamps = 0;
    let sampleClamps = 0;
    let steps = 0;
    let nextRegime = 1;
    let endOfVisit = 1; // the next regime start at which the context is recorded
    const contextAtEnd: number[][] = [];
    const summary = await runEmbedded({
      configPath: runPath,
      root: opts.root,
      ...(sc.shield ? { shieldPath: here(sc.shield) } : {}),
      ...(opts.durationS !== undefined ? { durationS: opts.durationS } : {}),
      ...(adapter ? { adapter } : {}),
      ...(contextModule ? { contextModule } : {}),
      ...(variant === 'rma' && sc.contextPolicy ? { policyConfig: contextPolicyConfig(here(sc.contextPolicy)) } : {}),
      onNodes: (n) => {
        policy = n.policy;
        shield = n.shield;
      },
      onProgress: (t, d) => {
        durationS = d;
        opts.onProgress?.(variant, t, d);
      },
      onStep: (sim) => {
        const t = sim.time;
        const st = shield!.shield.status;
        let limitCount = 0;
        for (const c of LIMIT_CONSTRAINTS) limitCount += st.interventionTicksBy[c]!;
        let clampCount = 0;
        for (const c of CLAMP_CONSTRAINTS) clampCount += st.interventionTicksBy[c]!;
        sampleClamps += Math.min(st.ticks - lastShieldTicks, clampCount - lastClamps);
        lastClamps = clampCount;
        const dT = st.ticks - lastShieldTicks;
        const dI = Math.min(dT, limitCount - lastInterventions); // at most one per shield tick
        lastInterventions = limitCount;
        lastShieldTicks = st.ticks;
        sampleInterventions += dI;
        sampleShieldTicks += dT;
        if (adapter?.context && endOfVisit < sc.regimes.length && t >= sc.regimes[endOfVisit]!.startS) {
          contextAtEnd.push(Array.from(adapter.context.z)); // before this step's dynamics reach the adapter
          endOfVisit++;
        }
        if (announce && nextRegime < sc.regimes.length && t >= sc.regimes[nextRegime]!.startS) {
          adapter!.announceSwitch(label(sc.regimes[nextRegime]!.name));
          nextRegime++;
        }
        const inputs = policy!.inputs;
        if (inputs.timeS !== lastTickTime) {
          lastTickTime = inputs.timeS;
          tickSimT = t;
        }
        if (++steps % 10 !== 0 || policy!.controller.stats.inferences === 0) return;
        const refT = lastTickTime + (t - tickSimT);
        referenceMotion(refT, ref, refVel);
        sim.readJointState(msg);
        let e2 = 0;
        for (let k = 0; k < tracked.length; k++) {
          const err = msg.position[k]! - ref[tracked[k]!]!;
          const ek = err * err;
          series.jointErr!.push(err);
          series.jointE2!.push(ek);
          e2 += ek;
        }
        const period = UPPER_BODY.periodS;
        const phase = ((refT % period) + period) % period;
        series.t.push(t);
        series.e2.push(e2 / tracked.length);
        series.bin.push(Math.min(sc.metrics.bins - 1, Math.floor((phase / period) * sc.metrics.bins)));
        series.cost.push((sampleShieldTicks > 0 ? sampleInterventions / sampleShieldTicks : 0) + nearLimitCost(msg.position, seq, lower, upper, sc.adapter.cost.limitMarginRad));
        series.clamp.push(sampleShieldTicks > 0 ? sampleClamps / sampleShieldTicks : 0);
        sampleInterventions = 0;
        sampleShieldTicks = 0;
        sampleClamps = 0;
      },
    });
    if (adapter?.context) contextAtEnd.push(Array.from(adapter.context.z));
    return { series, summary, adapter, contextAtEnd: adapter?.context ? contextAtEnd : null };
  };

  const memoryFile = resolve(opts.memoryDir, 'adaptation-calibration-memory.json');
  if (variants.includes('oracle')) {
    const cal = await once('calibration', null);
    saveRegimeMemoryFile(memoryFile, cal.adapter!.snapshot());
  }
  let policyNominal: Float64Array | undefined; // the unadapted policy's nominal profile (from `none`, run first)
  for (const v of [...variants].sort((a, b) => (a === 'none' ? -1 : b === 'none' ? 1 : 0))) {
    const { series, summary, adapter, contextAtEnd } = await once(v, memoryFile);
    opts.onSeries?.(v, series);
    const end = summary.lockstep.simTimeS;
    const visits: Visit[] = sc.regimes
      .map((r, i) => ({ name: r.name, startS: r.startS, endS: Math.min(end, sc.regimes[i + 1]?.startS ?? end) }))
      .filter((r) => r.endS - r.startS > sc.metrics.forgettingWindowS);
    if (v === 'none') policyNominal = nominalProfile(series, visits[0]!.startS + sc.metrics.nominalWarmupS, visits[0]!.endS, sc.metrics.bins);
    if (v === 'full' && adapter) saveRegimeMemoryFile(resolve(opts.memoryDir, 'adaptation-full-memory.json'), adapter.snapshot());
    results.push({
      variant: v,
      visits: visitMetrics(series, visits, sc.metrics, policyNominal),
      run: {
        limitViolations: summary.monitor.violations,
        publishedCommands: summary.shield.commands,
        shieldInterventionTicks: summary.shield.interventionTicks,
        shieldTicks: summary.shield.ticks,
        interventions: summary.shield.interventions,
        fell: summary.sim.fell,
      },
      adapter: adapter ? { ...adapter.stats } : null,
      library: adapter && adapter.config.memory ? adapter.memory.entries.map((e) => e.label) : null,
      events: adapter ? [...adapter.events] : [],
      contextAtEnd,
    });
  }
  const budget = sc.adapter.lagrangian.budget;
  return { durationS, trackedJoints: [...sc.trackedJoints], costBudget: budget, settleS: sc.metrics.settleS, settleWindowS: sc.metrics.settleWindowS, contextGroups: sc.adapter.groups.map((g) => g.loadLink ?? g.joints[0]!), variants: results, summary: summarise(results, firstNominal, budget) };
}

function summarise(results: VariantResult[], nominalName: string, budget: number): AdaptationReport['summary'] {
  const none = results.find((r) => r.variant === 'none');
  const shiftedMse = (r: VariantResult): number => {
    const v = r.visits.filter((x) => x.name !== nominalName);
    const w = v.reduce((s, x) => s + (x.endS - x.startS), 0);
    return v.reduce((s, x) => s + x.rmseRad ** 2 * (x.endS - x.startS), 0) / w;
  };
  const nominalRmse = (r: VariantResult): number => r.visits[0]!.rmseRad;
  const out = {} as AdaptationReport['summary'];
  for (const r of results) {
    if (r.variant === 'none') continue;
    const seen = new Set<string>();
    const firsts: (number | null)[] = [];
    const revisits: (number | null)[] = [];
    const revisitsVsPolicy: (number | null)[] = [];
    r.visits.forEach((v, i) => {
      if (i > 0) (seen.has(v.name) ? revisits : firsts).push(v.adaptS);
      if (i > 0 && seen.has(v.name)) revisitsVsPolicy.push(v.adaptVsPolicyS);
      seen.add(v.name);
    });
    const shiftedFirstVisits = r.visits.filter((v, i) => i > 0 && v.name !== nominalName && r.visits.findIndex((x) => x.name === v.name) === i);
    const shiftedFirsts = shiftedFirstVisits.map((v) => v.adaptS);
    const worst = (xs: (number | null)[]): number | null => (xs.length === 0 || xs.some((x) => x === null) ? null : Math.max(...(xs as number[])));
    out[r.variant] = {
      postShiftRmseReduction: none ? 1 - Math.sqrt(shiftedMse(r) / shiftedMse(none)) : NaN,
      postShiftExcessReduction: none ? 1 - (Math.sqrt(shiftedMse(r)) - nominalRmse(r)) / (Math.sqrt(shiftedMse(none)) - nominalRmse(none)) : NaN,
      worstAdaptS: worst(shiftedFirsts),
      worstRecallS: worst(revisits),
      worstAdaptVsPolicyS: none ? worst(shiftedFirstVisits.map((v) => v.adaptVsPolicyS)) : null,
      worstRecallVsPolicyS: none ? worst(revisitsVsPolicy) : null,
      worstForgetting: Math.max(...r.visits.map((v) => v.forgetting ?? -Infinity)),
      worstForgettingSettled: Math.max(...r.visits.map((v) => v.forgettingSettled ?? -Infinity)),
      limitViolations: r.run.limitViolations,
      costWithinBudget: r.visits.every((v) => v.meanCost <= budget),
    };
    void firsts;
  }
  return out;
}

const f = (x: number | null, d: number, unit = ''): string => (x === null ? 'never' : Number.isFinite(x) ? `${x.toFixed(d)}${unit}` : String(x));

/** The report as a table (one block per variant, one row per regime visit) plus the summary. */
export function formatAdaptationReport(r: AdaptationReport): string {
  const lines: string[] = [`== adaptation scenario: ${r.durationS} s of sim time per variant; cost budget ${r.costBudget} ==`];
  const groups = r.contextGroups;
  const head = `${'regime'.padEnd(16)} ${'t (s)'.padEnd(11)} ${'RMSE mrad'.padStart(9)} ${'cost'.padStart(7)} ${'clamp'.padStart(6)} ${'adapt s'.padStart(7)} ${'vs pol.'.padStart(7)} ${'err/nom start→end'.padStart(18)} ${'forgetting'.padStart(10)} ${`${r.settleWindowS} s from +${r.settleS}`.padStart(14)}${r.variants.some((v) => v.contextAtEnd) ? `  context at the end (a, m kg, b N·m·s/rad): ${groups.join(' | ')}` : ''}`;
  for (const v of r.variants) {
    lines.push('', `-- ${v.variant} --  limit violations ${v.run.limitViolations} in ${v.run.publishedCommands} commands; shield intervention ticks ${v.run.shieldInterventionTicks}/${v.run.shieldTicks} (${Object.entries(v.run.interventions).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})${v.adapter ? `; detected ${v.adapter.detectedSwitches}, announced ${v.adapter.announcedSwitches}, recalls ${v.adapter.recalls}, created ${v.adapter.created}, rejected ${v.adapter.rejectedUpdates}, fallback ticks ${v.adapter.fallbackTicks}${v.contextAtEnd ? `, context clamps ${v.adapter.contextClamped}` : ''}` : ''}${v.library ? `; library [${v.library.join(', ')}]` : ''}`);
    lines.push(head);
    v.visits.forEach((x, i) => {
      const z = v.contextAtEnd?.[i];
      const ctx = z ? `  ${groups.map((_, g) => z.slice(3 * g, 3 * g + 3).map((c) => c.toFixed(2).padStart(5)).join(' ')).join(' | ')}` : '';
      lines.push(
        `${x.name.padEnd(16)} ${`${f(x.startS, 0)}-${f(x.endS, 0)}`.padEnd(11)} ${f(x.rmseRad * 1000, 1).padStart(9)} ${f(x.meanCost, 3).padStart(7)} ${f(x.clampRate, 2).padStart(6)} ${(x.startS === 0 ? '-' : f(x.adaptS, 1)).padStart(7)} ${(x.startS === 0 || x.adaptVsPolicyS === null ? '-' : f(x.adaptVsPolicyS, 1)).padStart(7)} ${`${f(x.startRatio, 2)}→${f(x.endRatio, 2)}`.padStart(18)} ${(x.forgetting === null ? '-' : f(x.forgetting * 100, 1, ' %')).padStart(10)} ${(x.forgettingSettled === null ? '-' : f(x.forgettingSettled * 100, 1, ' %')).padStart(14)}${ctx}`,
      );
    });
  }
  lines.push('', 'summary vs none (targets: RMSE reduction ≥ 50 %, adapt ≤ 1 s, recall ≤ 0.2 s, forgetting ≤ 5 %, 0 violations, cost ≤ budget):');
  for (const [k, s] of Object.entries(r.summary)) {
    lines.push(
      `  ${k.padEnd(10)} post-shift RMSE reduction ${f(s.postShiftRmseReduction * 100, 1)} % (of the excess over nominal ${f(s.postShiftExcessReduction * 100, 1)} %); worst adapt ${f(s.worstAdaptS, 1, ' s')} (vs the policy's nominal ${f(s.worstAdaptVsPolicyS, 1, ' s')}); worst recall ${f(s.worstRecallS, 1, ' s')} (vs the policy's nominal ${f(s.worstRecallVsPolicyS, 1, ' s')}); worst forgetting ${f(s.worstForgetting * 100, 1, ' %')} (after the switching transient, ${r.settleWindowS} s from +${r.settleS} s: ${f(s.worstForgettingSettled * 100, 1, ' %')}); violations ${s.limitViolations}; cost within budget ${s.costWithinBudget ? 'yes' : 'NO'}`,
    );
  }
  return lines.join('\n');
}

/** The run's policy config with the context-conditioned model and the observation of its contract (beside it, checked at load; the `rma` variant). */
function contextPolicyConfig(modelPath: string): (c: PolicyConfig) => PolicyConfig {
  const contractPath = modelPath.replace(/\.onnx$/, '.contract.json');
  const contract = PolicyContractSchema.parse(JSON.parse(readFileSync(contractPath, 'utf8')));
  return (c) => ({ ...c, name: contract.name, modelPath, contractPath, observation: contract.observation });
}
