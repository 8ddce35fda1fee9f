/**
 * Feeds the reference part of the observation state each policy tick, per
 * the config's `reference` section (see ./reference.ts for the conventions):
 * samples the file motion or the topic chunk at the policy tick, computes the
 * robot's and the reference's anchor orientations by forward kinematics,
 * and applies the start-yaw alignment. Allocates nothing per tick.
 */
import type { RobotModel } from '../robot/model.js';
import { AnchorKinematics } from './anchor.js';
import type { ObservationInputs } from './observation.js';
import type { ResolvedPolicyConfig } from './policy-config.js';
import { quatMulXyzw, sampleFrames, yawOfXyzw, yawQuatXyzw, type ReferenceConfig, type ReferenceFrame, type ReferenceMotion } from './reference.js';
import { ReferenceTrack } from './reference-track.js';

export interface ReferenceSources {
  /** The robot model (anchor orientation by forward kinematics). */
  robot?: RobotModel;
  /** The parsed reference motion (reference.source: file). */
  referenceMotion?: ReferenceMotion;
}

export class ReferenceFeed {
  readonly config: ReferenceConfig | undefined;
  /** Topic chunks (reference.source: topic), else null. */
  readonly track: ReferenceTrack | null;
  /** The model outputs the reference: a priming call at time_step 0 precedes policy step 0. */
  readonly primes: boolean;
  /** The model's reference anchor orientation as output (x, y, z, w), before the yaw alignment. */
  readonly modelAnchorQuatXyzw = Float64Array.of(0, 0, 0, 1);
  private readonly robotAnchor: AnchorKinematics | null;
  private readonly motion: ReferenceMotion | null;
  private readonly frame: ReferenceFrame;
  private readonly refAnchorRaw = Float64Array.of(0, 0, 0, 1);
  private yawPending = true;
  /** Rz(robot start yaw − reference start yaw), x, y, z, w. */
  private readonly yawAlign = Float64Array.of(0, 0, 0, 1);
  /** File time to sample, s (a slot: float arguments of calls V8 does not inline are boxed). */
  private readonly at = new Float64Array(1);

  /** @throws Error naming what is missing (robot model, motion, anchor link). */
  constructor(
    cfg: ResolvedPolicyConfig,
    private readonly inputs: ObservationInputs,
    /** [0] = the node's time, s (the controller's clock slot). */
    private readonly clock: Float64Array,
    sources: ReferenceSources,
  ) {
    const ref = cfg.config.reference;
    this.config = ref;
    const n = cfg.joints.length;
    this.primes = ref?.source === 'model_outputs';
    this.track = ref?.source === 'topic' ? new ReferenceTrack(cfg.joints, ref.maxPoints, ref.anchorBody !== undefined) : null;
    if (ref?.source === 'file') {
      if (!sources.referenceMotion) throw new Error(`policy '${cfg.config.name}': reference.source is file but no reference motion was loaded`);
      this.motion = sources.referenceMotion;
      if (this.motion.jointPos.length !== this.motion.frames * n) throw new Error(`policy '${cfg.config.name}': the reference motion has ${this.motion.jointPos.length / this.motion.frames} joints, the policy ${n}`);
    } else this.motion = null;
    if (ref?.anchorBody) {
      if (!sources.robot) throw new Error(`policy '${cfg.config.name}': reference.anchorBody '${ref.anchorBody}' needs the robot model (URDF) for forward kinematics`);
      this.robotAnchor = new AnchorKinematics(sources.robot, ref.anchorBody, cfg.joints);
    } else this.robotAnchor = null;
    this.frame = { jointPos: inputs.referenceJointPos, jointVel: inputs.referenceJointVel, rootPos: inputs.referenceRootPos, rootQuatXyzw: inputs.referenceRootQuatXyzw };
  }

  /** True when the reference can be fed this tick (a topic chunk has arrived; always for the other sources). */
  get ready(): boolean {
    return this.track === null || this.track.ready;
  }

  /** POLICY entered: the next tick is policy step 0 (start-yaw alignment taken again). */
  reset(): void {
    this.yawPending = true;
  }

  /** Writes the reference state for the policy tick at the policy time `inputs.timeS` and the node time `clock[0]`. */
  update(): void {
    const ref = this.config;
    if (!ref) return;
    const s = this.inputs;
    if (this.motion && ref.source === 'file') {
      const end = ref.endS ?? (this.motion.frames - 1) / this.motion.fps;
      const t = ref.startS + s.timeS;
      this.at[0] = t < end ? t : end;
      sampleFrames(this.motion, this.at, this.frame);
    } else if (this.track && this.track.ready) this.track.sample(this.clock, this.frame);
    const fk = this.robotAnchor;
    if (!fk) return;
    fk.anchorQuatXyzw(s.baseQuatXyzw, s.jointPos, s.robotAnchorQuatXyzw);
    if (ref.source === 'model_outputs') this.refAnchorRaw.set(this.modelAnchorQuatXyzw);
    else fk.anchorQuatXyzw(s.referenceRootQuatXyzw, s.referenceJointPos, this.refAnchorRaw);
    if (this.yawPending) {
      this.yawPending = false; // once per POLICY entry: the boxed floats here do not recur
      yawQuatXyzw(
        ref.startYaw === 'none' ? 0
        : ref.startYaw === 'root' ? yawOfXyzw(s.baseQuatXyzw) - yawOfXyzw(s.referenceRootQuatXyzw)
        : yawOfXyzw(s.robotAnchorQuatXyzw) - yawOfXyzw(this.refAnchorRaw),
        this.yawAlign,
      );
    }
    quatMulXyzw(this.yawAlign, this.refAnchorRaw, s.referenceAnchorQuatXyzw);
  }
}
