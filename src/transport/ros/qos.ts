/**
 * QoS presets of the transport port mapped to ROS 2 (rmw) QoS settings.
 * Pure data: the adapter turns the result into an `rclnodejs.QoS`.
 *
 * - `sensor_data`: rmw_qos_profile_sensor_data (KEEP_LAST 5, BEST_EFFORT,
 *   VOLATILE) for sensor inputs; a best-effort subscription also matches
 *   reliable publishers.
 * - `reliable`: KEEP_LAST 10, RELIABLE, VOLATILE, for commands to ros2_control
 *   (forward_command_controller subscribes reliable; a best-effort publisher
 *   would never connect to it).
 * - `default`: rmw_qos_profile_default (KEEP_LAST 10, RELIABLE, VOLATILE).
 */
import type { Qos, QosPreset } from '../port.js';

/** rmw_qos_history_policy_e values. */
export const RmwHistory = { SystemDefault: 0, KeepLast: 1, KeepAll: 2 } as const;
/** rmw_qos_reliability_policy_e values. */
export const RmwReliability = { SystemDefault: 0, Reliable: 1, BestEffort: 2 } as const;
/** rmw_qos_durability_policy_e values. */
export const RmwDurability = { SystemDefault: 0, TransientLocal: 1, Volatile: 2 } as const;
/** rmw_qos_liveliness_policy_e values. */
export const RmwLiveliness = { SystemDefault: 0, Automatic: 1 } as const;

export interface QosSettings {
  history: (typeof RmwHistory)[keyof typeof RmwHistory];
  /** KEEP_LAST queue depth, messages. */
  depth: number;
  reliability: (typeof RmwReliability)[keyof typeof RmwReliability];
  durability: (typeof RmwDurability)[keyof typeof RmwDurability];
  liveliness: (typeof RmwLiveliness)[keyof typeof RmwLiveliness];
}

const PRESETS: Readonly<Record<QosPreset, QosSettings>> = {
  sensor_data: {
    history: RmwHistory.KeepLast,
    depth: 5,
    reliability: RmwReliability.BestEffort,
    durability: RmwDurability.Volatile,
    liveliness: RmwLiveliness.SystemDefault,
  },
  reliable: {
    history: RmwHistory.KeepLast,
    depth: 10,
    reliability: RmwReliability.Reliable,
    durability: RmwDurability.Volatile,
    liveliness: RmwLiveliness.SystemDefault,
  },
  default: {
    history: RmwHistory.KeepLast,
    depth: 10,
    reliability: RmwReliability.Reliable,
    durability: RmwDurability.Volatile,
    liveliness: RmwLiveliness.SystemDefault,
  },
};

/** The rmw settings of a port QoS (no QoS: the `default` preset). Throws on a bad depth. */
export function qosSettings(qos?: Qos): QosSettings {
  const base = PRESETS[qos?.preset ?? 'default'];
  if (qos?.depth === undefined) return { ...base };
  if (!Number.isInteger(qos.depth) || qos.depth < 1) {
    throw new Error(`QoS depth must be a positive integer, got ${qos.depth}`);
  }
  return { ...base, depth: qos.depth };
}
