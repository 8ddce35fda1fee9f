/**
 * Wiring of the pre-arm admission gate into the policy node (the decisions
 * live in src/policy/admission-gate.ts and src/admission/record.ts):
 *
 * - the controller's mode veto: with `admission.required`, POLICY and MOTION
 *   are refused unless the record covers the loaded files (re-read on every
 *   such request), logged at error with the reason; a gated start mode starts
 *   PASSIVE instead;
 * - `admission.override`: entered anyway, logged at warn on every entry;
 * - `/policy/admission/run` (std_srvs/Trigger): starts an admission trial in
 *   another process (the source's `runTrial`) and answers at once; when the
 *   trial ends the record is read again;
 * - `/diagnostics` keys `admission_*`; ERROR while the gate is closed (the
 *   reason names the file whose hash no passing record covers), WARN while
 *   overridden.
 */
import type { Logger } from '../log.js';
import { shortHash, type AdmissionCheck, type AdmissionFile } from '../admission/record.js';
import { decideGate, gatedStartMode, gateVeto, GATED_MODES, type AdmissionGateConfig, type GateDecision } from '../policy/admission-gate.js';
import type { PolicyController } from '../policy/controller.js';
import type { Transition } from '../policy/modes.js';
import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import { DiagnosticLevel } from '../transport/messages.js';
import type { ServiceServer, TransportNode } from '../transport/port.js';
import type { StatusBuilder } from './diagnostics.js';

export const ADMISSION_RUN_SERVICE = '/policy/admission/run';

/** What the composition gives the gate (file hashing, record reading and the trial process are adapters: src/runtime/admission-source.ts). */
export interface AdmissionSource {
  /** Reads the record again and checks the node's loaded files (hashed at load) against it. */
  check(): AdmissionCheck;
  /** The loaded files with their hashes (shown on /diagnostics). */
  files: readonly AdmissionFile[];
  /** Config fields the node's parameters changed from the admitted config file (they void the admission). */
  overrides: readonly string[];
  /** Runs an admission trial in another process; resolves when it ends (never rejects). Absent: the service is refused. */
  runTrial?: () => Promise<{ ok: boolean; message: string }>;
  /** Stops a trial still running (node destroyed). */
  cancelTrial?: () => void;
}

export class AdmissionWiring {
  private decision: GateDecision;
  private trial: { state: 'idle' | 'running' | 'passed' | 'failed'; message: string } = { state: 'idle', message: '' };
  private srv: ServiceServer | null = null;
  private destroyed = false;

  constructor(
    private readonly cfg: AdmissionGateConfig,
    private readonly source: AdmissionSource | null,
    private readonly log: Logger,
  ) {
    this.decision = this.refresh();
    const d = this.decision;
    if (d.state === 'closed') this.log.error({ reason: d.reason }, 'admission: POLICY and MOTION refused until a passing admission record covers the loaded files');
    else if (d.state === 'override') this.log.warn({ reason: d.reason }, 'admission: no passing record, admission.override set (development only)');
    else if (d.why === 'admitted' && d.check?.admitted) this.log.info({ record: d.check.recordPath, date: d.check.record.date }, 'admission: loaded files admitted');
  }

  /** The config to build the controller with: a gated start mode becomes PASSIVE while the gate is closed. */
  startConfig(config: ResolvedPolicyConfig): ResolvedPolicyConfig {
    const initial = gatedStartMode(config.config.modes.initial, this.decision);
    if (initial === config.config.modes.initial) return config;
    this.log.error({ configured: config.config.modes.initial }, 'admission: starting PASSIVE instead of the configured start mode');
    return { ...config, config: { ...config.config, modes: { ...config.config.modes, initial } } };
  }

  /** Installs the veto on the controller and the admission service. */
  attach(node: TransportNode, controller: PolicyController): void {
    controller.gate = (to) => {
      if (!GATED_MODES.includes(to)) return null;
      this.decision = this.refresh();
      const veto = gateVeto(to, this.decision);
      if (veto !== null) this.log.error({ mode: to, file: this.decision.check && !this.decision.check.admitted ? this.decision.check.file : undefined }, veto);
      return veto;
    };
    if (GATED_MODES.includes(controller.mode)) this.onTransition({ from: controller.mode, to: controller.mode, reason: 'start', timeS: 0 });
    this.srv = node.createService('std_srvs/srv/Trigger', ADMISSION_RUN_SERVICE, () => this.startTrial());
  }

  /** Every entry into POLICY/MOTION under the override: a warn line. */
  onTransition(t: Transition): void {
    if (this.decision.state === 'override' && GATED_MODES.includes(t.to)) {
      this.log.warn({ mode: t.to, reason: this.decision.reason }, `admission override: entering ${t.to} without a passing admission record`);
    }
  }

  report(b: StatusBuilder): void {
    const d = this.decision;
    b.set('admission_required', this.cfg.required);
    b.set('admission_override', this.cfg.override);
    b.set('admission_state', d.state === 'open' ? d.why : d.state);
    const c = d.check;
    b.set('admission_record', c?.admitted ? `${c.recordPath} (${c.record.date})` : 'none');
    b.set('admission_reason', d.state === 'open' ? '' : d.reason);
    const file = c && !c.admitted ? c.file : undefined;
    b.set('admission_file', file ? `${file.role} ${file.path} sha256 ${file.sha256}` : '');
    b.set('admission_loaded', (this.source?.files ?? []).map((f) => `${f.role} ${shortHash(f.sha256)}`).join(', '));
    b.set('admission_trial', this.trial.message === '' ? this.trial.state : `${this.trial.state}: ${this.trial.message}`);
    if (d.state === 'closed') b.summary(DiagnosticLevel.ERROR, `admission: POLICY/MOTION refused: ${d.reason}`);
    else if (d.state === 'override' && b.status.level === DiagnosticLevel.OK) b.summary(DiagnosticLevel.WARN, `admission overridden (development): ${d.reason}`);
  }

  destroy(): void {
    this.destroyed = true;
    this.srv?.destroy();
    this.source?.cancelTrial?.();
  }

  /** The decision now (the record read again); a check that throws counts as no passing record, never a crash. */
  private refresh(): GateDecision {
    if (!this.cfg.required && !this.cfg.override) return { state: 'open', why: 'not required', check: null };
    let check: AdmissionCheck | null;
    try {
      check = this.source ? this.source.check() : null;
    } catch (err) {
      check = { admitted: false, reason: `the admission check failed: ${(err as Error).message}` };
    }
    return decideGate(this.cfg, check, this.source?.overrides ?? []);
  }

  private startTrial(): { success: boolean; message: string } {
    const run = this.source?.runTrial;
    if (!run) return { success: false, message: 'no admission trial configured (set admission.runConfig)' };
    if (this.trial.state === 'running') return { success: false, message: 'an admission trial is already running' };
    this.trial = { state: 'running', message: '' };
    this.log.info('admission trial started');
    void run().then((r) => {
      if (this.destroyed) return;
      this.trial = { state: r.ok ? 'passed' : 'failed', message: r.message };
      this.decision = this.refresh();
      const d = this.decision;
      this.log[r.ok && d.state === 'open' ? 'info' : 'error']({ trial: r.message, gate: d.state, reason: d.state === 'open' ? undefined : d.reason }, 'admission trial finished');
    });
    return { success: true, message: `admission trial started; the result comes on /diagnostics (admission_trial) and in the log` };
  }
}
