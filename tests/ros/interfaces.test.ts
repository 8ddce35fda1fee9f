/**
 * The shipped ROS interface declarations: generated from the definitions
 * file, up to date, covering every port message/service type, and agreeing
 * with the constants the adapter hard-codes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFINITIONS_PATH, generateInterfaces, INTERFACES_PATH, parseDefinitions } from '../../types/ros/generate.mjs';
import { messageSchemas } from '../../src/transport/messages.js';
import { CALLBACK_CODE } from '../../src/transport/ros/lifecycle-hooks.js';
import { PARAMETER_TYPE } from '../../src/transport/ros/param-descriptors.js';

const definitions = readFileSync(DEFINITIONS_PATH, 'utf8');

/** The value of a constant in a definition section, e.g. constant('rcl_interfaces/msg/ParameterType', 'PARAMETER_BOOL'). */
function constant(section: string, name: string): number {
  const body = definitions.split(`=== ${section}\n`)[1]?.split('\n===')[0] ?? '';
  const m = new RegExp(`^\\S+\\s+${name}\\s*=\\s*(\\d+)`, 'm').exec(body);
  if (!m?.[1]) throw new Error(`${section}: no constant ${name}`);
  return Number(m[1]);
}

describe('types/ros/interfaces.d.ts', () => {
  it('is the generator output of definitions.txt (regenerate with node types/ros/generate.mjs)', () => {
    expect(readFileSync(INTERFACES_PATH, 'utf8')).toBe(generateInterfaces(definitions));
  });

  it('declares every message type the transport port uses', () => {
    const declared = new Set(parseDefinitions(definitions).map((i) => `${i.pkg}/${i.folder}/${i.name}`));
    for (const type of Object.keys(messageSchemas)) expect(declared.has(type), type).toBe(true);
    for (const type of ['std_srvs/srv/Trigger', 'std_srvs/srv/SetBool']) expect(declared.has(type), type).toBe(true);
  });

  it('declares what rclnodejs typings reference', () => {
    const text = readFileSync(INTERFACES_PATH, 'utf8');
    for (const name of ['MessagesMap', 'MessageTypeClassName', 'MessageType<T>', 'ServicesMap', 'ServiceType<T>', 'ActionsMap', 'TypeClassName', 'InterfaceType<T>']) {
      expect(text).toContain(`type ${name}`);
    }
    for (const ns of ['builtin_interfaces', 'rcl_interfaces', 'unique_identifier_msgs', 'action_msgs', 'lifecycle_msgs']) {
      expect(text).toContain(`namespace ${ns} {`);
    }
  });

  it('maps numeric arrays to typed arrays and 64-bit integers to bigint, as rostsd_gen does', () => {
    const text = readFileSync(INTERFACES_PATH, 'utf8');
    expect(text).toContain('position: number[] | Float64Array;');
    expect(text).toContain('axes: number[] | Float32Array;');
    expect(text).toContain('buttons: number[] | Int32Array;');
    expect(text).toContain('integer_value: bigint;');
    expect(text).toContain('integer_array_value: bigint[];');
  });

  it('rejects a definition that references an unknown type', () => {
    expect(() => generateInterfaces('=== a_msgs/msg/A\nb_msgs/B b\n')).toThrow(/unknown type b_msgs\/B/);
  });
});

describe('constants the adapter hard-codes', () => {
  it('parameter types equal rcl_interfaces/msg/ParameterType', () => {
    for (const [kind, value] of Object.entries(PARAMETER_TYPE)) {
      expect(value, kind).toBe(constant('rcl_interfaces/msg/ParameterType', `PARAMETER_${kind.toUpperCase()}`));
    }
  });

  it('lifecycle callback codes equal lifecycle_msgs/msg/Transition TRANSITION_CALLBACK_*', () => {
    for (const [result, code] of Object.entries(CALLBACK_CODE)) {
      expect(code, result).toBe(constant('lifecycle_msgs/msg/Transition', `TRANSITION_CALLBACK_${result.toUpperCase()}`));
    }
  });
});
