/**
 * Joint limits read straight from a URDF's XML with fast-xml-parser: an
 * oracle independent of the project's URDF loader (src/robot/urdf.ts), the
 * retargeter's saturation and the motion player's check.
 */
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

/** name → [lower, upper, velocity] of every revolute/prismatic joint with a <limit>. */
export function urdfLimits(path: string): Map<string, [number, number, number]> {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'joint' }).parse(readFileSync(path, 'utf8')) as {
    robot: { joint: { name: string; type: string; limit?: { lower: string; upper: string; velocity: string } }[] };
  };
  const out = new Map<string, [number, number, number]>();
  for (const j of doc.robot.joint) if ((j.type === 'revolute' || j.type === 'prismatic') && j.limit) out.set(j.name, [Number(j.limit.lower), Number(j.limit.upper), Number(j.limit.velocity)]);
  return out;
}
