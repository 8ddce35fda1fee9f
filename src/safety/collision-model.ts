/**
 * Self-collision and workspace barriers of one robot, evaluated on a joint
 * command by forward kinematics (`KinematicTree`) over fitted capsules.
 *
 * Self-collision, per checked pair (A, B):   h = |cA − cB| − rA − rB − dmin − buffer
 *   ∂h/∂q_k = u·(J_A(cA) − J_B(cB))_k,  u = (cA − cB)/|cA − cB|
 * Workspace, per capsule endpoint e of a listed link and box face:
 *   h = (max_k − e_k − r) − buffer   or   (e_k − r − min_k) − buffer
 * where J(c)_k = a_k × (c − o_k) for a revolute joint k (axis a_k through o_k,
 * world frame) and a_k for a prismatic one, summed into the mimic leader.
 *
 * Pairs checked: every capsule pair on different bodies (links joined by
 * fixed joints are one body), minus adjacent bodies, pairs already closer
 * than dmin in the reference pose, and configured exclusions.
 * The class holds buffers only; `evaluate` allocates nothing.
 */
import { KinematicTree } from '../robot/kinematics.js';
import { TRANSFORM_SIZE, transformFromXyzRpy, transformPoint } from '../robot/math.js';
import { actuatedJoints, type RobotModel } from '../robot/model.js';
import { Constraint } from './band.js';
import { claimBarrierRow, rowMinChange, type BarrierSet } from './barrier.js';
import { fitCapsules, type CapsuleSet } from './capsules.js';
import type { CollisionConfig, WorkspaceConfig } from './config.js';
import { segmentClosestPoints } from './segment-distance.js';

export class CollisionModel {
  readonly capsules: CapsuleSet;
  /** Checked capsule pairs, 2 indices each. */
  readonly pairs: Int32Array;
  /** Skipped collision elements and excluded pairs, as text (for logs). */
  readonly notes: string[] = [];
  /** Smallest capsule clearance (distance − dmin) and workspace clearance at the last `evaluate`, m. */
  minCollisionClearanceM = Infinity;
  minWorkspaceClearanceM = Infinity;

  private readonly tree: KinematicTree;
  private readonly qFk: Float64Array;
  /** Shield index of each FK joint (−1: not commanded, held at its reference value). */
  private readonly shieldOfFk: Int32Array;
  private readonly moving: Uint8Array;
  private readonly axis: Float64Array;
  private readonly leader: Int32Array;
  private readonly scale: Float64Array;
  /** Shield index of the joint driving each link (−1: fixed or not commanded). */
  private readonly shieldOfLink: Int32Array;
  /** World joint axis of each moving link at the last `evaluate` (3 per link, unit). */
  private readonly worldAxis: Float64Array;
  /** Moving ancestors (incl. self) per link: `chain[chainStart[l] .. chainStart[l+1]]`. */
  private readonly chain: Int32Array;
  private readonly chainStart: Int32Array;
  private readonly world: Float64Array;
  private readonly base: Float64Array;
  private readonly ws: Int32Array;
  private readonly wsMin: Float64Array;
  private readonly wsMax: Float64Array;
  /** Closest points (0..5), their distance (6) and parameters (7, 8) of the last segment query. */
  private readonly closest = new Float64Array(9);
  /** Scalar results of hot helpers (no boxed doubles per call): [0] distance or clearance, m; [1] least row change, m. */
  private readonly scalar = new Float64Array(2);
  /** Point (0..2) and direction (3..5) for the Jacobian product, m and unit. */
  private readonly vec = new Float64Array(6);
  /** One gradient row before it is known to be needed. */
  private readonly row: Float64Array;
  /**
   * Pair culling across `evaluate` calls: a lower bound on each pair's
   * segment (centre-line) distance, m, lowered every call by how far each
   * capsule's endpoints moved (a point of a segment moves no more than its
   * farther endpoint); a pair whose bound clears its activation distance
   * cannot give a row and is not queried. −∞ until measured.
   */
  private readonly pairBound: Float64Array;
  /** Centre-line distance at which pair k's h reaches the activation distance, m (+1e-9). */
  private readonly pairFar: Float64Array;
  /** Pairs culled in the current `evaluate`. */
  private readonly pairCulled: Uint8Array;
  /** Capsule endpoints at the last `evaluate` (6 per capsule, m) and each capsule's move since, m. */
  private readonly lastWorld: Float64Array;
  private readonly moved: Float64Array;
  private hasLastWorld = false;

  constructor(
    model: RobotModel,
    shieldJoints: readonly string[],
    private readonly cfg: CollisionConfig,
    workspace: WorkspaceConfig,
  ) {
    this.tree = new KinematicTree(model);
    const tree = this.tree;
    const fit = fitCapsules(model, tree);
    this.capsules = fit.capsules;
    this.notes.push(...fit.skipped);
    const L = tree.linkCount;
    const actuated = actuatedJoints(model);
    const fkIndex = new Map(actuated.map((j, i) => [j.name, i]));
    const shieldIndex = new Map(shieldJoints.map((n, i) => [n, i]));
    this.shieldOfFk = Int32Array.from(actuated, (j) => shieldIndex.get(j.name) ?? -1);
    this.row = new Float64Array(shieldJoints.length);
    this.qFk = Float64Array.from(actuated, (j) => {
      const ref = cfg.referencePoseRad[j.name] ?? 0;
      return j.limit ? Math.min(j.limit.upper, Math.max(j.limit.lower, ref)) : ref;
    });
    for (const name of Object.keys(cfg.referencePoseRad)) {
      if (!fkIndex.has(name)) throw new Error(`collision.referencePoseRad: '${name}' is not an actuated joint of '${model.name}'`);
    }
    const refQ = Float64Array.from(this.qFk);

    this.moving = new Uint8Array(L);
    this.axis = new Float64Array(3 * L);
    this.leader = new Int32Array(L).fill(-1);
    this.scale = new Float64Array(L);
    const jointOfChild = new Map(model.joints.map((j) => [j.child, j]));
    const body = new Int32Array(L);
    for (let l = 0; l < L; l++) {
      const j = jointOfChild.get(tree.linkNames[l]!);
      const kind = j === undefined ? 0 : j.type === 'revolute' || j.type === 'continuous' ? 1 : j.type === 'prismatic' ? 2 : 0;
      this.moving[l] = kind;
      const parent = tree.parentIndex[l]!;
      body[l] = kind === 0 && parent >= 0 ? body[parent]! : l;
      if (kind === 0 || !j) continue;
      this.axis.set(j.axis, 3 * l);
      this.leader[l] = fkIndex.get(j.mimic ? j.mimic.joint : j.name) ?? -1;
      this.scale[l] = j.mimic ? j.mimic.multiplier : 1;
    }
    this.shieldOfLink = Int32Array.from({ length: L }, (_, l) => (this.leader[l]! >= 0 ? this.shieldOfFk[this.leader[l]!]! : -1));
    this.worldAxis = new Float64Array(3 * L);
    const chain: number[] = [];
    this.chainStart = new Int32Array(L + 1);
    for (let l = 0; l < L; l++) {
      this.chainStart[l] = chain.length;
      for (let k = l; k >= 0; k = tree.parentIndex[k]!) if (this.moving[k]) chain.push(k);
    }
    this.chainStart[L] = chain.length;
    this.chain = Int32Array.from(chain);

    const C = this.capsules.count;
    this.world = new Float64Array(6 * C);
    this.base = new Float64Array(TRANSFORM_SIZE);
    const [x, y, z] = workspace.rootPose.xyz;
    const [r, p, yaw] = workspace.rootPose.rpy;
    transformFromXyzRpy(this.base, 0, x, y, z, r, p, yaw);

    // Pairs: different bodies, not adjacent, not touching in the reference pose, not excluded by name.
    const excluded = new Set(cfg.excludePairs.flatMap(([a, b]) => [`${a}|${b}`, `${b}|${a}`]));
    this.forward(refQ);
    const pairs: number[] = [];
    const cap = this.capsules;
    for (let a = 0; a < C; a++) {
      for (let b = a + 1; b < C; b++) {
        const la = cap.link[a]!;
        const lb = cap.link[b]!;
        const ba = body[la]!;
        const bb = body[lb]!;
        if (ba === bb) continue;
        const pa = tree.parentIndex[ba]!;
        const pb = tree.parentIndex[bb]!;
        if (cfg.excludeAdjacent && ((pa >= 0 && body[pa] === bb) || (pb >= 0 && body[pb] === ba))) continue;
        if (excluded.has(`${tree.linkNames[la]}|${tree.linkNames[lb]}`)) continue;
        if (cfg.excludeTouchingAtReference && this.distance(a, b) < cfg.minDistanceM + cfg.bufferM) {
          this.notes.push(`pair ${cap.names[a]} – ${cap.names[b]} excluded: within ${cfg.minDistanceM + cfg.bufferM} m in the reference pose`);
          continue;
        }
        pairs.push(a, b);
      }
    }
    this.pairs = Int32Array.from(pairs);
    const P = this.pairs.length / 2;
    this.pairBound = new Float64Array(P).fill(-Infinity);
    this.pairFar = Float64Array.from({ length: P }, (_, k) =>
      cfg.activationDistanceM + cfg.minDistanceM + cfg.bufferM + cap.radius[pairs[2 * k]!]! + cap.radius[pairs[2 * k + 1]!]! + 1e-9);
    this.pairCulled = new Uint8Array(P);
    this.lastWorld = new Float64Array(6 * C);
    this.moved = new Float64Array(C);

    for (const n of workspace.links) if (!tree.linkNames.includes(n)) throw new Error(`workspace.links: no link '${n}' in '${model.name}'`);
    const wsLinks = new Set(workspace.links.map((n) => tree.linkIndex(n)));
    this.ws = Int32Array.from(Array.from({ length: C }, (_, c) => c).filter((c) => wsLinks.has(cap.link[c]!)));
    this.wsMin = Float64Array.from(workspace.minM, (v) => v ?? -Infinity);
    this.wsMax = Float64Array.from(workspace.maxM, (v) => v ?? Infinity);
  }

  /** Number of checked pairs. */
  get pairCount(): number { return this.pairs.length / 2; }

  /**
   * Fills `set` with the barriers of command `p` (shield order, rad) that are
   * within the activation distance and could bind for some command in the
   * band [lo, hi] this tick (with the set's per-tick decay γ); updates the clearances.
   */
  evaluate(p: Float64Array, set: BarrierSet, lo: Float64Array, hi: Float64Array): void {
    const gamma = set.gamma;
    set.m = 0;
    this.place(p);
    this.placeAxes();
    const cfg = this.cfg;
    const margin = cfg.minDistanceM + cfg.bufferM;
    const n = this.row.length;
    let minC = Infinity;
    // Once the set is full a row must beat its largest h to be claimed (claimBarrierRow): skip the gradient otherwise.
    let cut = Infinity;
    if (cfg.enabled) {
      this.trackMotion();
      const bound = this.pairBound;
      const pairs = this.pairs;
      const moved = this.moved;
      for (let k = 0; k < pairs.length; k += 2) {
        const q = k >> 1;
        // 1e-12 m per call keeps the running bound conservative under rounding.
        const lb = bound[q]! - moved[pairs[k]!]! - moved[pairs[k + 1]!]! - 1e-12;
        bound[q] = lb;
        if (lb >= this.pairFar[q]!) {
          this.pairCulled[q] = 1;
          continue;
        }
        this.pairCulled[q] = 0;
        this.pairDistance(k);
        bound[q] = this.closest[6]!;
        const dist = this.scalar[0]!;
        if (dist - cfg.minDistanceM < minC) minC = dist - cfg.minDistanceM;
        const h = dist - margin;
        if (h >= cfg.activationDistanceM || !(h < cut)) continue;
        this.pairGradient(k);
        rowMinChange(this.row, 0, n, p, lo, hi, this.scalar, 1);
        if (!(this.scalar[1]! < -gamma * h)) continue;
        set.claimH[0] = h;
        const row = claimBarrierRow(set, Constraint.Collision, k);
        if (row < 0) continue;
        set.grad.set(this.row, row * n);
        if (set.m >= set.capacity) {
          cut = set.h[0]!;
          for (let j = 1; j < set.m; j++) if (set.h[j]! > cut) cut = set.h[j]!;
        }
      }
      // Culled pairs give no row; query the ones whose bound does not rule them out as the closest pair.
      const rad = this.capsules.radius;
      for (let k = 0; k < pairs.length; k += 2) {
        const q = k >> 1;
        if (!this.pairCulled[q] || !(bound[q]! - rad[pairs[k]!]! - rad[pairs[k + 1]!]! - cfg.minDistanceM < minC)) continue;
        this.pairDistance(k);
        bound[q] = this.closest[6]!;
        const dist = this.scalar[0]!;
        if (dist - cfg.minDistanceM < minC) minC = dist - cfg.minDistanceM;
      }
    }
    this.minCollisionClearanceM = minC;
    let minW = Infinity;
    const faces = this.ws.length * 12;
    for (let f = 0; f < faces; f++) {
      this.faceClearance(f);
      const clear = this.scalar[0]!;
      if (clear === Infinity) continue;
      if (clear < minW) minW = clear;
      const h = clear - cfg.bufferM;
      if (h >= cfg.activationDistanceM || !(h < cut)) continue;
      this.faceGradient(f);
      rowMinChange(this.row, 0, n, p, lo, hi, this.scalar, 1);
      if (!(this.scalar[1]! < -gamma * h)) continue;
      set.claimH[0] = h;
      const row = claimBarrierRow(set, Constraint.Workspace, -1 - f);
      if (row < 0) continue;
      set.grad.set(this.row, row * n);
      if (set.m >= set.capacity) {
        cut = set.h[0]!;
        for (let j = 1; j < set.m; j++) if (set.h[j]! > cut) cut = set.h[j]!;
      }
    }
    this.minWorkspaceClearanceM = minW;
  }

  /** Updates the minimum clearances for command `p` (shield order) without building rows. */
  measure(p: Float64Array): void {
    this.place(p);
    let minC = Infinity;
    for (let k = 0; k < this.pairs.length; k += 2) {
      this.pairDistance(k);
      const d = this.scalar[0]! - this.cfg.minDistanceM;
      if (d < minC) minC = d;
    }
    let minW = Infinity;
    for (let f = 0; f < this.ws.length * 12; f++) {
      this.faceClearance(f);
      if (this.scalar[0]! < minW) minW = this.scalar[0]!;
    }
    this.minCollisionClearanceM = this.cfg.enabled ? minC : Infinity;
    this.minWorkspaceClearanceM = minW;
  }

  /** The true barrier value of each row of `set` at command `p` (same margins as `evaluate`), into `out`, m. */
  values(p: Float64Array, set: BarrierSet, out: Float64Array): void {
    this.place(p);
    const cfg = this.cfg;
    for (let j = 0; j < set.m; j++) {
      const id = set.id[j]!;
      if (id >= 0) {
        this.pairDistance(id);
        out[j] = this.scalar[0]! - cfg.minDistanceM - cfg.bufferM;
      } else {
        this.faceClearance(-1 - id);
        out[j] = this.scalar[0]! - cfg.bufferM;
      }
    }
  }

  /** How far each capsule's farther endpoint moved since the last call (into `moved`, m; +∞ on the first call). */
  private trackMotion(): void {
    const w = this.world;
    const last = this.lastWorld;
    const moved = this.moved;
    for (let c = 0; c < moved.length; c++) {
      let most = 0;
      for (let e = 6 * c; e < 6 * c + 6; e += 3) {
        const dx = w[e]! - last[e]!, dy = w[e + 1]! - last[e + 1]!, dz = w[e + 2]! - last[e + 2]!;
        const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
        if (!(d <= most)) most = d; // NaN propagates: the bound becomes NaN and the pair is queried
      }
      moved[c] = this.hasLastWorld ? most : Infinity;
    }
    last.set(w);
    this.hasLastWorld = true;
  }

  /** FK for a command in shield order. */
  private place(p: Float64Array): void {
    for (let k = 0; k < this.shieldOfFk.length; k++) {
      const s = this.shieldOfFk[k]!;
      if (s >= 0) this.qFk[k] = p[s]!;
    }
    this.forward(this.qFk);
  }

  /**
   * Gradient of pair k's distance (k = index into `pairs`) into `row`; uses
   * the closest points of the segment query just made by `pairDistance(k)`.
   */
  private pairGradient(k: number): void {
    const a = this.pairs[k]!;
    const b = this.pairs[k + 1]!;
    const c = this.closest;
    const centre = c[6]!;
    const v = this.vec;
    let ux = c[0]! - c[3]!, uy = c[1]! - c[4]!, uz = c[2]! - c[5]!;
    if (centre > 1e-9) { ux /= centre; uy /= centre; uz /= centre; } else { ux = 0; uy = 0; uz = 1; }
    v[3] = ux; v[4] = uy; v[5] = uz;
    this.row.fill(0);
    const link = this.capsules.link;
    v[0] = c[0]!; v[1] = c[1]!; v[2] = c[2]!;
    this.addJacobian(link[a]!, 1);
    v[0] = c[3]!; v[1] = c[4]!; v[2] = c[5]!;
    this.addJacobian(link[b]!, -1);
  }

  /**
   * Face f = ((capsule·2 + endpoint)·3 + axis)·2 + side of the workspace
   * capsules: clearance of that endpoint's sphere to that box face, m
   * (Infinity for an unbounded side), into scalar[0].
   */
  private faceClearance(f: number): void {
    const side = f % 2;
    const ax = ((f - side) / 2) % 3;
    const e = Math.floor(f / 6) % 2;
    const ci = this.ws[Math.floor(f / 12)]!;
    const bound = side === 0 ? this.wsMin[ax]! : this.wsMax[ax]!;
    if (!Number.isFinite(bound)) {
      this.scalar[0] = Infinity;
      return;
    }
    const x = this.world[6 * ci + 3 * e + ax]!;
    const r = this.capsules.radius[ci]!;
    this.scalar[0] = side === 0 ? x - r - bound : bound - x - r;
  }

  private faceGradient(f: number): void {
    const side = f % 2;
    const ax = ((f - side) / 2) % 3;
    const e = Math.floor(f / 6) % 2;
    const ci = this.ws[Math.floor(f / 12)]!;
    const o = 6 * ci + 3 * e;
    const sign = side === 0 ? 1 : -1;
    const v = this.vec;
    v[0] = this.world[o]!; v[1] = this.world[o + 1]!; v[2] = this.world[o + 2]!;
    v[3] = ax === 0 ? sign : 0; v[4] = ax === 1 ? sign : 0; v[5] = ax === 2 ? sign : 0;
    this.row.fill(0);
    this.addJacobian(this.capsules.link[ci]!, 1);
  }

  /** Capsule distance (surface to surface) between capsules a and b after the last FK, m (not for the hot path). */
  distance(a: number, b: number): number {
    this.capsuleDistance(a, b);
    return this.scalar[0]!;
  }

  /** Distance of checked pair k (index into `pairs`) into scalar[0], m. */
  private pairDistance(k: number): void {
    this.capsuleDistance(this.pairs[k]!, this.pairs[k + 1]!);
  }

  private capsuleDistance(a: number, b: number): void {
    const cap = this.capsules;
    segmentClosestPoints(this.world, 6 * a, 6 * a + 3, 6 * b, 6 * b + 3, this.closest);
    this.scalar[0] = this.closest[6]! - cap.radius[a]! - cap.radius[b]!;
  }

  /** Runs FK for `q` (FK joint order) and places every capsule in the world. */
  private forward(q: Float64Array): void {
    const t = this.tree.forward(q, this.base);
    const cap = this.capsules;
    for (let c = 0; c < cap.count; c++) {
      const to = cap.link[c]! * TRANSFORM_SIZE;
      transformPoint(this.world, 6 * c, t, to, cap.localA, 3 * c);
      transformPoint(this.world, 6 * c + 3, t, to, cap.localB, 3 * c);
    }
  }

  /** World axis of every commanded moving link after the last FK, into worldAxis. */
  private placeAxes(): void {
    const t = this.tree.transforms;
    const w = this.worldAxis;
    for (let l = 0; l < this.shieldOfLink.length; l++) {
      if (this.shieldOfLink[l]! < 0) continue;
      const o = l * TRANSFORM_SIZE;
      const a0 = this.axis[3 * l]!, a1 = this.axis[3 * l + 1]!, a2 = this.axis[3 * l + 2]!;
      w[3 * l] = t[o]! * a0 + t[o + 1]! * a1 + t[o + 2]! * a2;
      w[3 * l + 1] = t[o + 4]! * a0 + t[o + 5]! * a1 + t[o + 6]! * a2;
      w[3 * l + 2] = t[o + 8]! * a0 + t[o + 9]! * a1 + t[o + 10]! * a2;
    }
  }

  /**
   * row += sign · u·J_link(point) for point = vec[0..2], u = vec[3..5], in
   * shield joint order (world axes from `placeAxes` after the same FK).
   */
  private addJacobian(link: number, sign: number): void {
    const v = this.vec;
    const px = v[0]!, py = v[1]!, pz = v[2]!, ux = v[3]!, uy = v[4]!, uz = v[5]!;
    const t = this.tree.transforms;
    const w = this.worldAxis;
    const g = this.row;
    const go = 0;
    for (let k = this.chainStart[link]!; k < this.chainStart[link + 1]!; k++) {
      const l = this.chain[k]!;
      const s = this.shieldOfLink[l]!;
      if (s < 0) continue;
      const o = l * TRANSFORM_SIZE;
      const wx = w[3 * l]!, wy = w[3 * l + 1]!, wz = w[3 * l + 2]!;
      let d: number;
      if (this.moving[l] === 1) {
        const rx = px - t[o + 3]!, ry = py - t[o + 7]!, rz = pz - t[o + 11]!;
        d = ux * (wy * rz - wz * ry) + uy * (wz * rx - wx * rz) + uz * (wx * ry - wy * rx);
      } else d = ux * wx + uy * wy + uz * wz;
      g[go + s]! += sign * this.scale[l]! * d;
    }
  }
}
