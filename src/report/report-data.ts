/** The run report's data: plain JSON, produced by the collector, consumed by the renderer. */

export interface ReportMeta {
  title: string;
  robot: string;
  /** The run's text summary, line by line. */
  summary: string[];
  /** ISO time the report was written. */
  createdAt: string;
}

export interface JointTraces {
  t: number[];
  /** Samples kept: one offered in `stride`. */
  stride: number;
  /** One array per joint (controller order). */
  series: number[][];
}

export interface Events {
  t: number[];
  code: number[];
  detail: number[];
  dropped: number;
}

export interface ReportData {
  meta: ReportMeta;
  /** End of the run (sim time), s. */
  endS: number;
  joints: Array<{ name: string; lower: number; upper: number }>;
  /** The shield's published command. */
  command: JointTraces;
  /** Measured joint positions. */
  measured: JointTraces;
  /** The policy's target (null without a policy). */
  candidate: JointTraces | null;
  /** code = joint index, detail = stage bit mask, value = command at that tick. */
  interventions: Events & { value: number[] };
  stageNames: string[];
  /** code = state, detail = reason. */
  states: Events;
  stateNames: string[];
  reasonNames: string[];
  /** code = mode index. */
  modes: Events | null;
  modeNames: string[];
  marks: Array<{ t: number; kind: 'operator' | 'dynamics' | 'motion' | 'adaptation'; label: string }>;
  base: { t: number[]; stride: number; z: number[]; vx: number[]; vy: number[]; speed: number[] } | null;
  latency: { binMs: number; counts: number[]; count: number; meanMs: number; maxMs: number } | null;
}
