/**
 * Wiring of the online adaptation into the policy node (topics and services
 * only; the decisions live in src/adaptation):
 *
 * - `/policy/adaptation/enable` (std_srvs/SetBool): adaptation on/off live; off
 *   returns to the consolidated policy's target at once (PolicyController.setAdaptation);
 * - `/policy/adaptation/regime` (std_msgs/String): an operator-announced
 *   switch; `data` names a regime of the library to recall, or is empty for
 *   "something changed" (match or create);
 * - `/diagnostics` keys `adaptation_*` (with a dynamics context: `adaptation_context_<group>`, the
 *   identified compliance change, payload and damping, and how often an estimate was clamped); WARN while the adapter blends toward the
 *   hold pose (cost over budget), runs on the consolidated policy after bad
 *   input, or sees a stalled state stream;
 * - `/diagnostics` in: the shield's status (`<node>: safety shield`) — its limit
 *   interventions since its previous report are charged to the adapter's cost
 *   budget on every tick for three report intervals (ShieldCosts); `adaptation_shield_*`
 *   say what was read, and the status goes WARN while adapting when the shield
 *   has fallen silent (or only sent malformed reports);
 * - with an adaptation module (the adaptation file's `module`): its window is filled by the controller at
 *   each policy tick, and a timer at the module's rate runs it; an accepted output becomes the adapter's
 *   context (`context.source: module`) and the policy's `context_latent` (when its observation has one);
 *   `adaptation_module_*` on `/diagnostics`.
 */
import type { ResidualAdapter } from '../adaptation/residual-adapter.js';
import type { ContextModuleRunner, ContextNet } from '../adaptation/context-module.js';
import { ShieldCosts } from '../adaptation/shield-cost.js';
import type { PolicyController } from '../policy/controller.js';
import { DiagnosticLevel } from '../transport/messages.js';
import type { ServiceServer, Subscription, Timer, TransportNode } from '../transport/port.js';
import type { StatusBuilder } from './diagnostics.js';

export const ADAPTATION_ENABLE_SERVICE = '/policy/adaptation/enable';
export const ADAPTATION_REGIME_TOPIC = '/policy/adaptation/regime';

export interface AdaptationWiring {
  report(b: StatusBuilder): void;
  destroy(): void;
}

/** An adaptation module ready to run: its checks and window (core) and its network (the ONNX session). */
export interface ContextModule {
  runner: ContextModuleRunner;
  net: ContextNet;
}

export function attachAdaptation(node: TransportNode, controller: PolicyController, adapter: ResidualAdapter, module: ContextModule | null = null, diagnosticsTopic = '/diagnostics'): AdaptationWiring {
  controller.adapter = adapter;
  const srv: ServiceServer = node.createService('std_srvs/srv/SetBool', ADAPTATION_ENABLE_SERVICE, (req) => {
    controller.setAdaptation(req.data);
    return { success: true, message: `adaptation ${req.data ? 'on' : 'off (consolidated policy)'}` };
  });
  const sub: Subscription = node.createSubscription('std_msgs/msg/String', ADAPTATION_REGIME_TOPIC, (m) => adapter.announceSwitch(m.data === '' ? undefined : m.data), { preset: 'reliable' });
  const shieldCost = new ShieldCosts();
  const diag: Subscription = node.createSubscription('diagnostic_msgs/msg/DiagnosticArray', diagnosticsTopic, (m) => {
    const nowS = node.nowSeconds();
    if (shieldCost.read(m.status, nowS)) adapter.chargeUntil(shieldCost.rate, nowS + shieldCost.holdS);
  });
  const moduleTimer = module ? attachContextModule(node, controller, adapter, module) : null;
  return {
    report(b) {
      const st = adapter.stats;
      b.set('adaptation_state', adapter.state);
      b.set('adaptation_regime', adapter.activeRegime ?? 'none');
      b.set('adaptation_lambda', adapter.lagrangian.lambda);
      b.set('adaptation_cost', adapter.lagrangian.cost);
      b.set('adaptation_cost_budget', adapter.lagrangian.config.budget);
      b.set('adaptation_fallback_blend', adapter.beta);
      b.set('adaptation_shield_cost', shieldCost.rate);
      b.set('adaptation_shield_reports', shieldCost.reports);
      if (shieldCost.malformed > 0) b.set('adaptation_shield_reports_malformed', shieldCost.malformed);
      b.set('adaptation_shield_report_age_s', shieldCost.reports > 0 ? node.nowSeconds() - shieldCost.lastReportS : 'none yet');
      const silence = adapter.enabled ? shieldCost.silence(node.nowSeconds()) : null;
      for (const k of ['detectedSwitches', 'announcedSwitches', 'recalls', 'created', 'rejectedUpdates', 'badInputTicks', 'stalledTicks', 'fallbackTicks', 'contextClamped'] as const) b.set(`adaptation_${k}`, st[k]);
      const ctx = adapter.context;
      if (ctx) {
        // the identified dynamics per group: e.g. the payload the robot holds in a hand
        adapter.config.groups.forEach((g, i) => {
          const [a, m, d] = ctx.z.subarray(3 * i, 3 * i + 3);
          b.set(`adaptation_context_${g.loadLink ?? g.joints[0]}`, `compliance ${a!.toFixed(2)}, payload ${m!.toFixed(2)} kg, damping ${d!.toFixed(2)} N·m·s/rad`);
        });
      }
      if (module) reportContextModule(b, module.runner, node.nowSeconds());
      const why =
        adapter.state === 'fallback'
          ? `adaptation: safety cost ${adapter.lagrangian.cost.toFixed(3)} over budget ${adapter.lagrangian.config.budget}, blending toward hold (β ${adapter.beta.toFixed(2)})`
          : adapter.state === 'bad_input' || adapter.state === 'stalled'
            ? `adaptation: ${adapter.state.replace('_', ' ')}, consolidated policy in use`
            : silence
              ? `adaptation: ${silence}`
              : null;
      if (why && b.status.level === DiagnosticLevel.OK) b.summary(DiagnosticLevel.WARN, why);
    },
    destroy() {
      srv.destroy();
      sub.destroy();
      diag.destroy();
      moduleTimer?.cancel();
      if (module) {
        controller.contextWindow = null;
        module.runner.window.restart();
      }
    },
  };
}

/** The module's timer: runs the network when a window is due and hands an accepted context to its readers. */
function attachContextModule(node: TransportNode, controller: PolicyController, adapter: ResidualAdapter, m: ContextModule): Timer {
  const { runner, net } = m;
  runner.window.restart(); // no rows from an earlier activation
  controller.contextWindow = runner.window;
  let inFlight = false; // one run at a time: a second would refill the input a pending run still reads
  const latent = controller.inputs.contextLatent;
  const feedsPolicy = latent.length === runner.z.length; // checked at set-up: a policy reads it with this width, or not at all
  return node.createTimer(BigInt(Math.round(runner.periodS * 1e9)), () => {
    const nowS = node.nowSeconds();
    const publish = (): void => {
      adapter.setContextFromModule(runner.z);
      if (feedsPolicy) latent.set(runner.z);
    };
    if (runner.expire(nowS)) publish(); // nothing accepted for 10 periods: back to the nominal context
    if (inFlight || !runner.prepare(nowS)) return;
    const use = (out: ArrayLike<number>): void => {
      inFlight = false;
      if (runner.accept(out, nowS) === null) publish(); // refused: counted, the last good context stands (until it expires)
    };
    const out = net.run(runner.input);
    if (out instanceof Float32Array) return use(out);
    inFlight = true;
    return out.then(use, () => use(NAN_OUTPUT)); // an inference error counts as a non-finite output
  });
}

const NAN_OUTPUT = [NaN];

function reportContextModule(b: StatusBuilder, r: ContextModuleRunner, nowS: number): void {
  b.set('adaptation_module', r.contract.name);
  b.set('adaptation_module_runs', r.runs);
  b.set('adaptation_module_accepted', r.accepted);
  b.set('adaptation_module_refused_not_finite', r.refused.not_finite);
  b.set('adaptation_module_refused_out_of_bounds', r.refused.out_of_bounds);
  b.set('adaptation_module_refused_absurd_window', r.refused.absurd_window);
  b.set('adaptation_module_age_s', Number.isFinite(r.acceptedAtS) ? nowS - r.acceptedAtS : 'none (nominal context)');
  b.set('adaptation_module_stale_resets', r.staleResets);
  b.set('adaptation_module_context', r.contract.output.names.map((n, i) => `${n} ${r.z[i]!.toFixed(2)}`).join(', '));
}
