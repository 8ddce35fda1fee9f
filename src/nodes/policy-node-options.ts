/** What a PolicyNode (src/nodes/policy-node.ts) is built from. */
import type { ResidualAdapter } from '../adaptation/residual-adapter.js';
import type { ResolvedPolicyConfig } from '../policy/policy-config.js';
import type { Policy } from '../policy/policy-port.js';
import type { ReferenceMotion } from '../policy/reference.js';
import type { RobotModel } from '../robot/model.js';
import type { TransportNode } from '../transport/port.js';
import type { ContextModule } from './adaptation-wiring.js';
import type { AdmissionSource } from './admission-wiring.js';

export interface PolicyNodeOptions {
  node: TransportNode;
  config: ResolvedPolicyConfig;
  policy: Policy;
  /** The robot's joint order (URDF / `/joint_states`); the command is published in this order. */
  robotJointNames: readonly string[];
  /** The robot model (needed when the config names a reference anchor body). */
  robotModel?: RobotModel;
  /** The parsed reference motion (reference.source: file; src/io/reference-motion-file.ts). */
  referenceMotion?: ReferenceMotion;
  /** Online adaptation of the policy's targets and its adaptation module (optional; see src/nodes/adaptation-wiring.ts). */
  adaptation?: { adapter: ResidualAdapter; module: ContextModule | null };
  /** The admission record of the loaded files (needed with `admission.required`; see src/nodes/admission-wiring.ts). */
  admission?: AdmissionSource;
}
