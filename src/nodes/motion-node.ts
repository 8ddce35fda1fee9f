/**
 * The motion node: wiring only. Requests arrive as std_msgs/String on
 * `<ns>/request` (`play wave_right`, `queue bow`, `stop`; grammar in
 * src/motion/reference-player.ts) or as std_srvs/Trigger `<ns>/stop`; the
 * reference goes out as trajectory_msgs/JointTrajectory on `/motion/reference`
 * (every joint of the robot, `windowFrames` points `dtS` apart with
 * time_from_start; the policy reads the first point) at the chunk rate. The
 * player checks every point (limits, speed, the optional collision check)
 * before it is published and holds-then-glides-home when one fails; refused
 * requests are answered on `<ns>/status` and counted on /diagnostics.
 * With a teleop input, geometry_msgs/PoseArray keypoints on
 * `<ns>/teleop/keypoints` are followed after a `teleop` request (order,
 * checks and watchdog: src/motion/teleop.ts).
 */
import { nodeLogger, type Logger } from '../log.js';
import { parseRequest, type ReferencePlayer } from '../motion/reference-player.js';
import type { TeleopInput } from '../motion/teleop.js';
import { DiagnosticLevel, makeJointTrajectory, setTimeNs, type JointTrajectory, type StringMsg } from '../transport/messages.js';
import type { Publisher, Subscription, Timer, TransportNode } from '../transport/port.js';
import { DiagnosticsPublisher } from './diagnostics.js';

export interface MotionNodeOptions {
  node: TransportNode;
  player: ReferencePlayer;
  /** Every joint the reference names (robot order). */
  jointNames: readonly string[];
  /** Index in `jointNames` of each player joint. */
  playerIndex: Int32Array;
  /** Pose of the joints the player does not drive (robot order, rad). */
  restPose: Float64Array;
  windowFrames?: number;
  referenceTopic?: string;
  /** Live keypoint stream → retargeting → reference (followed after a `teleop` request). */
  teleop?: TeleopInput;
  namespace?: string;
}

export class MotionNode {
  readonly log: Logger;
  /** Last request and its outcome, for diagnostics and tests. */
  lastRequest = { text: '', outcome: '' };
  private readonly msg: JointTrajectory;
  private readonly buf: Float64Array;
  private readonly pub: Publisher<JointTrajectory>;
  private readonly statusPub: Publisher<StringMsg>;
  private readonly status: StringMsg = { data: '' };
  private readonly sub: Subscription;
  private readonly timer: Timer;
  private readonly diagnostics: DiagnosticsPublisher;
  private published = 0;

  constructor(private readonly o: MotionNodeOptions) {
    const { node, player } = o;
    this.log = nodeLogger(node.name);
    const frames = o.windowFrames ?? 16;
    const dt = player.opts.dtS;
    const ns = o.namespace ?? '/motion';
    this.buf = new Float64Array(frames * player.n);
    this.msg = makeJointTrajectory(o.jointNames);
    const template = this.msg.points[0]!;
    this.msg.points = Array.from({ length: frames }, (_, k) => ({
      ...template,
      positions: Float64Array.from(o.restPose),
      velocities: new Float64Array(0),
      effort: new Float64Array(0),
      time_from_start: { sec: Math.floor(k * dt), nanosec: Math.round((k * dt - Math.floor(k * dt)) * 1e9) },
    }));
    this.pub = node.createPublisher('trajectory_msgs/msg/JointTrajectory', o.referenceTopic ?? '/motion/reference', { preset: 'reliable', depth: 1 });
    this.statusPub = node.createPublisher('std_msgs/msg/String', `${ns}/status`, { preset: 'reliable', depth: 10 });
    this.sub = node.createSubscription('std_msgs/msg/String', `${ns}/request`, (m) => void this.onRequest(m.data), { preset: 'reliable' });
    node.createService('std_srvs/srv/Trigger', `${ns}/stop`, () => {
      const why = this.onRequest('stop');
      return { success: why === undefined, message: why ?? 'gliding to the default pose' };
    });
    const teleop = o.teleop;
    if (teleop) node.createSubscription('geometry_msgs/msg/PoseArray', `${ns}/teleop/keypoints`, (m) => void teleop.onMessage(m, node.nowSeconds(), player), { preset: 'sensor_data' });
    this.timer = node.createTimer(BigInt(Math.round(dt * 1e9)), () => this.publish());
    this.diagnostics = new DiagnosticsPublisher(node, { name: `${node.name}: motion reference`, hardwareId: 'aegis' }, (b) => {
      const s = player.stats;
      b.set('published', this.published);
      b.set('requests', s.requests);
      b.set('refused_requests', s.refused);
      b.set('check_failures', s.checkFailures);
      b.set('last_failure', s.lastFailure);
      b.set('last_request', `${this.lastRequest.text}: ${this.lastRequest.outcome}`);
      if (teleop) for (const [k, v] of Object.entries(teleop.stats)) b.set(`teleop_${k}`, v);
      if (s.checkFailures > 0) b.summary(DiagnosticLevel.WARN, `reference check failed ${s.checkFailures}× (held, glided home): ${s.lastFailure}`);
      else b.summary(DiagnosticLevel.OK, 'reference within limits');
    });
  }

  /** References published so far. */
  get publishedCount(): number {
    return this.published;
  }

  /** Handles one request string; returns why it was refused (undefined when applied). */
  onRequest(text: string): string | undefined {
    const req = parseRequest(text);
    const why = 'error' in req ? req.error : this.o.player.request(req, this.o.node.nowSeconds());
    if ('error' in req) this.o.player.stats.refused++;
    this.lastRequest = { text, outcome: why ?? 'ok' };
    if (why) this.say(`refused '${text}': ${why}`, 'motion request refused', { request: text, reason: why });
    else this.say(`ok '${text}'`, 'motion request', { request: text }, 'info');
    return why;
  }

  private say(status: string, msg: string, fields: object = {}, level: 'warn' | 'info' = 'warn'): void {
    this.log[level](fields, msg);
    this.status.data = status;
    this.statusPub.publish(this.status);
  }

  private publish(): void {
    const { player, playerIndex } = this.o;
    const n = player.n;
    if (this.o.teleop?.watch(this.o.node.nowSeconds(), player)) this.say('teleop stream stale: holding, then gliding home', 'teleop stream stale');
    player.window(this.o.node.nowSeconds(), this.msg.points.length, this.buf);
    for (let k = 0; k < this.msg.points.length; k++) {
      const pos = this.msg.points[k]!.positions;
      for (let j = 0; j < n; j++) pos[playerIndex[j]!] = this.buf[k * n + j]!;
    }
    setTimeNs(this.msg.header.stamp, this.o.node.nowNs());
    this.pub.publish(this.msg);
    this.published++;
  }

  destroy(): void {
    this.timer.cancel();
    this.sub.destroy();
    this.diagnostics.cancel();
  }
}
