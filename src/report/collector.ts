/**
 * Collects what the run report plots, from the bus and from the shield's
 * status record, without slowing the control loop: every buffer is fixed-size
 * and allocated here (decimating traces, bounded event logs, a fixed-bin
 * histogram), and each callback only copies numbers. Nothing is rendered or
 * written until the run is over ({@link RunReportCollector.data}).
 *
 * Sources (all read-only):
 * - the shield's output topic: the command, and from the shield's status at
 *   that moment its state and which stages changed the target (per joint:
 *   output ≠ target this tick);
 * - `/joint_states`: measured positions (mapped to controller order by name);
 * - the policy's candidate topic: the target the policy asked for;
 * - the policy's mode topic: mode transitions;
 * - motion primitives: the motion node's `<ns>/request` and `<ns>/status`
 *   (requests, accepted or refused); adaptation: regime announcements on
 *   `/policy/adaptation/regime` and changes of the `adaptation_state` /
 *   `adaptation_regime` values on /diagnostics (labelled marks, when they
 *   occur);
 * - optional probes: inference latency, the floating base's pose.
 */
import { CONSTRAINT_COUNT, CONSTRAINT_NAMES } from '../safety/band.js';
import { MODE_NAMES } from '../policy/modes.js';
import { REASON_NAMES, SHIELD_STATE_NAMES } from '../safety/status.js';
import type { Shield } from '../safety/shield.js';
import type { TransportNode } from '../transport/port.js';
import { ADAPTATION_REGIME_TOPIC } from '../nodes/adaptation-wiring.js';
import { EventLog, Histogram, Trace } from './trace.js';
import type { ReportData, ReportMeta } from './report-data.js';

export interface ReportSources {
  /** A bus node of its own (subscriptions are created on it). */
  node: TransportNode;
  /** The shield core whose output is published on `commandTopic`. */
  shield: Shield;
  /** Controller joint order (the shield's), with URDF limits, rad. */
  joints: { names: readonly string[]; lower: ArrayLike<number>; upper: ArrayLike<number> };
  commandTopic: string;
  commandFormat: 'float64_multi_array' | 'joint_trajectory';
  jointStateTopic: string;
  /** The policy's candidate topic (JointTrajectory with joint_names); null when no policy. */
  candidateTopic: string | null;
  /** The policy's mode topic (std_msgs/String); null when no policy. */
  modeTopic: string | null;
  /** Mode at start (before the first transition is published). */
  initialMode?: string;
  /** Inference counter and the latest inference's wall time, ms. */
  inference?: { count(): number; lastMs(): number };
  /** Reads the floating base's pose [x, y, z, qw, qx, qy, qz]; absent for a fixed base. */
  basePose?: (out: Float64Array) => void;
  /** Samples per trace before decimation (even). */
  capacity?: number;
  /** The motion-primitive node's namespace (default /motion). */
  motionNamespace?: string;
  /** Where adaptation diagnostics are published (default /diagnostics). */
  diagnosticsTopic?: string;
}

/** Kinds of labelled marks: scripted operator actions and dynamics changes, and events seen on the bus. */
export type MarkKind = 'operator' | 'dynamics' | 'motion' | 'adaptation';
/** /diagnostics keys whose changes are adaptation events. */
const ADAPTATION_KEYS = ['adaptation_state', 'adaptation_regime'] as const;

export class RunReportCollector {
  private readonly n: number;
  private readonly names: readonly string[];
  readonly command: Trace;
  readonly measured: Trace;
  readonly candidate: Trace;
  readonly base: Trace | null;
  /** Interventions: t, code = joint, detail = bit mask of stages (bit c = CONSTRAINT_NAMES[c]); `value` = command. */
  readonly interventions = new EventLog(16384);
  private readonly interventionValue = new Float32Array(16384);
  /** Shield state changes: code = state, detail = reason. */
  readonly states = new EventLog(1024);
  /** Policy mode changes: code = mode index. */
  readonly modes = new EventLog(1024);
  readonly latencyMs = new Histogram(0.01, 2000);
  /** Operator actions, dynamics changes, motion and adaptation events (rare): label per event; bounded. */
  readonly marks: Array<{ t: number; kind: MarkKind; label: string }> = [];
  /** Marks not kept (over the bound). */
  marksDropped = 0;
  private readonly adaptationValues = new Map<string, string>();
  private readonly prevCounts = new Uint32Array(CONSTRAINT_COUNT);
  private readonly scratch: Float64Array;
  private readonly pose = new Float64Array(7);
  private readonly basePrev = new Float64Array(4); // t, x, y, z
  private readonly baseRow = new Float64Array(4); // z, vx, vy, |v_xy|
  private measuredIndex: Int32Array | null = null;
  private measuredNames: readonly string[] | null = null;
  private candidateIndex: Int32Array | null = null;
  private candidateNames: readonly string[] | null = null;
  private lastState = -1;
  private lastInferences = 0;
  private endS = 0;

  constructor(private readonly src: ReportSources) {
    const cap = src.capacity ?? 2048;
    this.names = src.joints.names;
    this.n = this.names.length;
    this.command = new Trace(this.n, cap);
    this.measured = new Trace(this.n, cap);
    this.candidate = new Trace(this.n, cap);
    this.base = src.basePose ? new Trace(4, cap) : null;
    this.scratch = new Float64Array(this.n);
    this.basePrev[0] = NaN;
    const node = src.node;
    if (src.commandFormat === 'joint_trajectory') {
      node.createSubscription('trajectory_msgs/msg/JointTrajectory', src.commandTopic, (m) => this.onCommand(m.points[0]?.positions), { preset: 'reliable' });
    } else {
      node.createSubscription('std_msgs/msg/Float64MultiArray', src.commandTopic, (m) => this.onCommand(m.data), { preset: 'reliable' });
    }
    node.createSubscription('sensor_msgs/msg/JointState', src.jointStateTopic, (m) => {
      if (this.measuredNames !== m.name) {
        this.measuredNames = m.name;
        this.measuredIndex = indexOf(this.names, m.name);
      }
      const idx = this.measuredIndex!;
      for (let i = 0; i < this.n; i++) this.scratch[i] = idx[i]! >= 0 ? m.position[idx[i]!] ?? NaN : NaN;
      this.measured.push(node.nowSeconds(), this.scratch);
    }, { preset: 'sensor_data' });
    if (src.candidateTopic) {
      node.createSubscription('trajectory_msgs/msg/JointTrajectory', src.candidateTopic, (m) => {
        const p = m.points[0];
        if (!p) return;
        if (this.candidateNames !== m.joint_names) {
          this.candidateNames = m.joint_names;
          this.candidateIndex = indexOf(this.names, m.joint_names);
        }
        const idx = this.candidateIndex!;
        for (let i = 0; i < this.n; i++) this.scratch[i] = idx[i]! >= 0 ? p.positions[idx[i]!] ?? NaN : NaN;
        this.candidate.push(node.nowSeconds(), this.scratch);
        const inf = src.inference;
        if (inf) {
          const c = inf.count();
          if (c !== this.lastInferences) {
            this.lastInferences = c;
            this.latencyMs.add(inf.lastMs());
          }
        }
      });
    }
    if (src.modeTopic) {
      node.createSubscription('std_msgs/msg/String', src.modeTopic, (m) => {
        this.modes.push(node.nowSeconds(), (MODE_NAMES as readonly string[]).indexOf(m.data));
      });
    }
    if (src.initialMode !== undefined) this.modes.push(0, (MODE_NAMES as readonly string[]).indexOf(src.initialMode));
    // rare events: best-effort subscriptions accept any publisher's QoS
    const ns = src.motionNamespace ?? '/motion';
    node.createSubscription('std_msgs/msg/String', `${ns}/request`, (m) => this.mark(node.nowSeconds(), 'motion', `request '${m.data}'`), { preset: 'sensor_data' });
    node.createSubscription('std_msgs/msg/String', `${ns}/status`, (m) => this.mark(node.nowSeconds(), 'motion', m.data), { preset: 'sensor_data' });
    node.createSubscription('std_msgs/msg/String', ADAPTATION_REGIME_TOPIC, (m) => {
      this.mark(node.nowSeconds(), 'adaptation', m.data === '' ? 'switch announced' : `regime '${m.data}' announced`);
    }, { preset: 'sensor_data' });
    node.createSubscription('diagnostic_msgs/msg/DiagnosticArray', src.diagnosticsTopic ?? '/diagnostics', (m) => {
      for (const s of m.status) {
        for (const kv of s.values) {
          if (!(ADAPTATION_KEYS as readonly string[]).includes(kv.key) || this.adaptationValues.get(kv.key) === kv.value) continue;
          this.adaptationValues.set(kv.key, kv.value);
          this.mark(node.nowSeconds(), 'adaptation', `${kv.key.slice('adaptation_'.length)} ${kv.value}`);
        }
      }
    }, { preset: 'sensor_data' });
  }

  /** Samples the floating base (call once per physics step or slower). */
  sampleBase(timeS: number): void {
    if (!this.base || !this.src.basePose) return;
    this.src.basePose(this.pose);
    const p = this.basePrev;
    const dt = timeS - p[0]!;
    const r = this.baseRow;
    r[0] = this.pose[2]!;
    r[1] = dt > 0 ? (this.pose[0]! - p[1]!) / dt : 0;
    r[2] = dt > 0 ? (this.pose[1]! - p[2]!) / dt : 0;
    r[3] = Math.hypot(r[1]!, r[2]!);
    p[0] = timeS;
    p[1] = this.pose[0]!;
    p[2] = this.pose[1]!;
    p[3] = this.pose[2]!;
    this.base.push(timeS, r);
  }

  /** An operator action, a dynamics change, a motion or adaptation event (rare; the first 1000 kept, the rest counted). */
  mark(timeS: number, kind: MarkKind, label: string): void {
    if (this.marks.length < 1000) this.marks.push({ t: timeS, kind, label });
    else this.marksDropped++;
  }

  /** Sets the run's end time (the plots' x range) and destroys the subscriptions (the shutdown hold is not part of the run). */
  finish(timeS: number): void {
    this.endS = timeS;
    this.src.node.destroy();
  }

  private onCommand(positions: ArrayLike<number> | undefined): void {
    if (!positions || positions.length !== this.n) return;
    const t = this.src.node.nowSeconds();
    this.command.push(t, positions);
    const st = this.src.shield.status;
    if (st.state !== this.lastState) {
      this.lastState = st.state;
      this.states.push(t, st.state, st.reason);
    }
    let mask = 0;
    const counts = st.interventions;
    for (let c = 0; c < CONSTRAINT_COUNT; c++) {
      if (counts[c] !== this.prevCounts[c]) {
        mask |= 1 << c;
        this.prevCounts[c] = counts[c]!;
      }
    }
    if (mask === 0) return;
    const target = this.src.shield.target;
    for (let i = 0; i < this.n; i++) {
      if (positions[i] !== target[i]) {
        const k = this.interventions.length;
        this.interventions.push(t, i, mask);
        if (k < this.interventionValue.length) this.interventionValue[k] = positions[i]!;
      }
    }
  }

  /** The collected data as plain JSON-able arrays (allocates; call after the run). */
  data(meta: ReportMeta): ReportData {
    const rows = (tr: Trace) => ({ t: tr.times(), stride: tr.stride, series: this.names.map((_, i) => tr.channel(i)) });
    const ev = (e: EventLog) => ({ t: Array.from(e.t.subarray(0, e.length)), code: Array.from(e.code.subarray(0, e.length)), detail: Array.from(e.detail.subarray(0, e.length)), dropped: e.dropped });
    const h = this.latencyMs;
    let lastBin = 0;
    for (let b = 0; b < h.counts.length; b++) if (h.counts[b]! > 0) lastBin = b;
    return {
      meta,
      endS: this.endS,
      joints: this.names.map((name, i) => ({ name, lower: this.src.joints.lower[i]!, upper: this.src.joints.upper[i]! })),
      command: rows(this.command),
      measured: rows(this.measured),
      candidate: this.src.candidateTopic ? rows(this.candidate) : null,
      interventions: { ...ev(this.interventions), value: Array.from(this.interventionValue.subarray(0, Math.min(this.interventions.length, this.interventionValue.length))) },
      stageNames: [...CONSTRAINT_NAMES],
      states: ev(this.states),
      stateNames: [...SHIELD_STATE_NAMES],
      reasonNames: [...REASON_NAMES],
      modes: this.src.modeTopic ? ev(this.modes) : null,
      modeNames: [...MODE_NAMES],
      marks: [...this.marks],
      base: this.base ? { t: this.base.times(), stride: this.base.stride, z: this.base.channel(0), vx: this.base.channel(1), vy: this.base.channel(2), speed: this.base.channel(3) } : null,
      latency: h.count > 0 ? { binMs: h.binWidth, counts: Array.from(h.counts.subarray(0, lastBin + 1)), count: h.count, meanMs: h.sum / h.count, maxMs: h.max } : null,
    };
  }
}

/** For each wanted name, its index in `have` (−1 if absent). */
function indexOf(wanted: readonly string[], have: readonly string[]): Int32Array {
  return Int32Array.from(wanted, (n) => have.indexOf(n));
}
