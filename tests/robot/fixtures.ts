/** Small inline URDFs shared by the robot-model tests. */

/** Wraps link/joint XML in a <robot>. */
export const robot = (body: string, name = 'fixture'): string =>
  `<?xml version="1.0"?>\n<robot name="${name}">\n${body}\n</robot>`;

export const link = (name: string): string => `<link name="${name}"/>`;

export const revolute = (name: string, parent: string, child: string, extra = ''): string =>
  `<joint name="${name}" type="revolute"><parent link="${parent}"/><child link="${child}"/>` +
  `<axis xyz="0 0 1"/><limit lower="-1" upper="1" effort="10" velocity="2"/>${extra}</joint>`;

/**
 * base ─j1 (revolute z, at (1,0,0.5))→ l1 ─j2 (revolute y, at (0.5,0,0))→ l2
 *   ─slide (prismatic along z, axis written unnormalised, at (0,0.2,0))→ l3 ─tool_mount (fixed, yaw π/2, at (0.1,0,0))→ tool
 * base ─grip_a (revolute z, at (0.1,0,0))→ fa;  base ─grip_b (mimic grip_a ×−2 +0.1, at (0,0.1,0))→ fb
 * Actuated order: j1, j2, slide, grip_a.
 */
export const ARM_URDF = robot(`
  <link name="base"/><link name="l1"/><link name="l2"/><link name="l3"/><link name="tool"/><link name="fa"/><link name="fb"/>
  <joint name="j1" type="revolute">
    <origin xyz="1 0 0.5"/><parent link="base"/><child link="l1"/><axis xyz="0 0 1"/>
    <limit lower="-3" upper="3" effort="10" velocity="2"/>
  </joint>
  <joint name="j2" type="revolute">
    <origin xyz="0.5 0 0" rpy="0 0 0"/><parent link="l1"/><child link="l2"/><axis xyz="0 1 0"/>
    <limit lower="-3" upper="3" effort="10" velocity="2"/>
  </joint>
  <joint name="slide" type="prismatic">
    <origin xyz="0 0.2 0"/><parent link="l2"/><child link="l3"/><axis xyz="0 0 2"/>
    <limit lower="0" upper="0.5" effort="100" velocity="0.5"/>
  </joint>
  <joint name="tool_mount" type="fixed">
    <origin xyz="0.1 0 0" rpy="0 0 1.5707963267948966"/><parent link="l3"/><child link="tool"/>
  </joint>
  <joint name="grip_a" type="revolute">
    <origin xyz="0.1 0 0"/><parent link="base"/><child link="fa"/><axis xyz="0 0 1"/>
    <limit lower="-1" upper="1" effort="1" velocity="1"/>
  </joint>
  <joint name="grip_b" type="revolute">
    <origin xyz="0 0.1 0"/><parent link="base"/><child link="fb"/><axis xyz="0 0 1"/>
    <limit lower="-3" upper="3" effort="1" velocity="1"/>
    <mimic joint="grip_a" multiplier="-2" offset="0.1"/>
  </joint>`, 'arm');
