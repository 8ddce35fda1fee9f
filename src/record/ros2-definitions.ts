/**
 * ROS 2 message definitions for recording: the standard interfaces come from
 * `@foxglove/rosmsg-msgs-common` (ROS 2 Jazzy), written out as `.msg` text
 * with their dependencies (the `ros2msg` schema encoding rosbag2 uses), with
 * `builtin_interfaces/Time`/`Duration` spelled as ROS 2 spells them. Two
 * project messages (`aegis_control/msg/ShieldDecision`, `.../ServiceCall`)
 * are defined here in the same `.msg` syntax.
 */
import { createRequire } from 'node:module';
import type { MessageDefinition, MessageDefinitionField } from '@foxglove/message-definition';
import { parse, stringify } from '@foxglove/rosmsg';
import type { MessageTypeName } from '../transport/messages.js';

const require = createRequire(import.meta.url);
const common = (require('@foxglove/rosmsg-msgs-common') as { ros2jazzy: Record<string, MessageDefinition> }).ros2jazzy;

/** The shield's decision on one tick (published with each command). */
export const SHIELD_DECISION_TYPE = 'aegis_control/msg/ShieldDecision';
const SHIELD_DECISION_MSG = `# The safety shield's decision on one tick (recorded with each published command).
std_msgs/Header header
uint32 tick
# ShieldState: 0 INACTIVE, 1 ACTIVE, 2 HOLD, 3 ESTOP
uint8 state
# Reason the state was entered (src/safety/status.ts REASON_NAMES)
uint8 reason
# Bit c set: stage c (src/safety/band.ts CONSTRAINT_NAMES) changed a joint on this tick
uint32 stage_mask
# Joint-ticks changed per stage so far
uint32[] interventions
# Largest single-joint change on this tick, rad
float64 intervention_linf
# Target before the stages and the published output, rad (controller joint order)
float64[] target
float64[] output
`;

/** A service request seen on the bus (operator actions: reset, activate, …). */
export const SERVICE_CALL_TYPE = 'aegis_control/msg/ServiceCall';
const SERVICE_CALL_MSG = `std_msgs/Header header
string service
string type
`;

export type RecordedTypeName = MessageTypeName | typeof SHIELD_DECISION_TYPE | typeof SERVICE_CALL_TYPE;

const TIME: MessageDefinition = {
  name: 'builtin_interfaces/Time',
  definitions: [{ name: 'sec', type: 'int32', isArray: false, isComplex: false }, { name: 'nanosec', type: 'uint32', isArray: false, isComplex: false }],
};
const DURATION: MessageDefinition = { name: 'builtin_interfaces/Duration', definitions: TIME.definitions };

/** `pkg/msg/Name` → `pkg/Name` (the key style of rosmsg-msgs-common). */
function shortName(type: string): string {
  return type.replace('/msg/', '/');
}

function lookup(name: string): MessageDefinition {
  if (name === TIME.name) return TIME;
  if (name === DURATION.name) return DURATION;
  const d = common[name] ?? custom.get(name);
  if (!d) throw new Error(`no ROS 2 definition for '${name}'`);
  return d;
}

/** time/duration primitives as the builtin_interfaces messages ROS 2 writes. */
function ros2Fields(d: MessageDefinition): MessageDefinition {
  const definitions: MessageDefinitionField[] = d.definitions.map((f) => {
    if (f.type === 'time') return { ...f, type: 'builtin_interfaces/Time', isComplex: true };
    if (f.type === 'duration') return { ...f, type: 'builtin_interfaces/Duration', isComplex: true };
    return f;
  });
  return { ...d, definitions };
}

const custom = new Map<string, MessageDefinition>();
const HEADER = common['std_msgs/Header']!;
for (const [type, text] of [[SHIELD_DECISION_TYPE, SHIELD_DECISION_MSG], [SERVICE_CALL_TYPE, SERVICE_CALL_MSG]] as const) {
  // parsed with the standard definitions it uses appended (the parser resolves nested types)
  const deps = stringify([HEADER]);
  const root = parse(`${text}\n${'='.repeat(80)}\nMSG: std_msgs/Header\n${deps}`, { ros2: true })[0]!;
  custom.set(shortName(type), { ...root, name: shortName(type) });
}

/** The type's definition first, then every nested type once (depth-first), builtins as ROS 2 messages. */
export function definitionsOf(type: RecordedTypeName): MessageDefinition[] {
  const out = new Map<string, MessageDefinition>();
  const visit = (name: string): void => {
    if (out.has(name)) return;
    const d = ros2Fields(lookup(name));
    out.set(name, d);
    for (const f of d.definitions) if (f.isComplex && !f.isConstant) visit(f.type);
  };
  visit(shortName(type));
  return [...out.values()];
}

/** The `ros2msg` schema text of a type (its `.msg` plus dependencies, as rosbag2 writes it). */
export function schemaText(type: RecordedTypeName): string {
  return stringify(definitionsOf(type));
}
