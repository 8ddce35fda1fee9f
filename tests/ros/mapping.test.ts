/**
 * The adapter's pure mapping logic (no ROS, no rclnodejs): QoS presets to rmw
 * settings, ROS name rules, the ROS-environment check, lifecycle results.
 * This is unit coverage of the mapping only, not ROS coverage.
 */
import { describe, expect, it } from 'vitest';
import { checkRosEnvironment, RosEnvironmentError } from '../../src/transport/ros/environment.js';
import { canShutdownFrom, callbackCode, ManagedResult, runHook } from '../../src/transport/ros/lifecycle-hooks.js';
import { loadRclnodejs } from '../../src/transport/ros/load.js';
import { checkNamespace, checkNodeName, checkTopicName, rosNamespace } from '../../src/transport/ros/names.js';
import { qosSettings, RmwReliability } from '../../src/transport/ros/qos.js';
import { RosTransport } from '../../src/transport/ros/transport.js';

describe('QoS presets', () => {
  it('maps sensor_data to best effort, keep last 5, volatile', () => {
    expect(qosSettings({ preset: 'sensor_data' })).toEqual({ history: 1, depth: 5, reliability: 2, durability: 2, liveliness: 0 });
  });

  it('maps reliable (commands to ros2_control) to reliable, keep last 10', () => {
    expect(qosSettings({ preset: 'reliable' })).toMatchObject({ history: 1, depth: 10, reliability: RmwReliability.Reliable });
  });

  it('uses the default profile (reliable) when no QoS is given', () => {
    expect(qosSettings()).toMatchObject({ reliability: RmwReliability.Reliable, depth: 10 });
  });

  it('takes a depth override and rejects a non-positive one', () => {
    expect(qosSettings({ preset: 'sensor_data', depth: 1 }).depth).toBe(1);
    expect(() => qosSettings({ preset: 'reliable', depth: 0 })).toThrow(/positive integer/);
  });
});

describe('ROS names', () => {
  it('accepts node names of letters, digits and underscores', () => {
    expect(checkNodeName('aegis_shield')).toEqual({ ok: true });
    expect(checkNodeName('aegis-shield')).toMatchObject({ ok: false, reason: expect.stringMatching(/only contain/) });
    expect(checkNodeName('2shield')).toMatchObject({ ok: false, reason: expect.stringMatching(/digit/) });
  });

  it('accepts absolute, relative and private topic names and rejects malformed ones', () => {
    for (const ok of ['/joint_states', 'imu', '~/diagnostics', '/forward_position_controller/commands', '{node}/state']) {
      expect(checkTopicName(ok), ok).toEqual({ ok: true });
    }
    for (const bad of ['', '/joint_states/', '/a//b', 'a/~b', '~x', '/1imu', '/imu data', '/a{b']) {
      expect(checkTopicName(bad).ok, bad).toBe(false);
    }
  });

  it('normalises namespaces to absolute form', () => {
    expect(rosNamespace(undefined)).toBe('');
    expect(rosNamespace('robot1')).toBe('/robot1');
    expect(rosNamespace('/robot1/arm')).toBe('/robot1/arm');
    expect(checkNamespace('/robot1/')).toMatchObject({ ok: false });
    expect(() => rosNamespace('robot-1')).toThrow(/only contain/);
  });
});

describe('ROS environment check', () => {
  it('passes when AMENT_PREFIX_PATH and ROS_DISTRO are set', () => {
    expect(checkRosEnvironment({ AMENT_PREFIX_PATH: '/opt/ros/jazzy', ROS_DISTRO: 'jazzy' })).toEqual({
      ok: true,
      distro: 'jazzy',
      amentPrefixPath: '/opt/ros/jazzy',
    });
  });

  it('names what is missing and tells the user to source ROS 2', () => {
    const r = checkRosEnvironment({ ROS_DISTRO: 'humble' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.missing).toEqual(['AMENT_PREFIX_PATH']);
    expect(r.message).toMatch(/source \/opt\/ros\/jazzy\/setup\.bash/);
  });

  it('refuses to load rclnodejs without ROS 2, with one clear error', async () => {
    await expect(loadRclnodejs({})).rejects.toBeInstanceOf(RosEnvironmentError);
    await expect(RosTransport.open({ env: { PATH: '/usr/bin' } })).rejects.toThrow(
      /ROS 2 mode needs a sourced ROS 2 environment \(AMENT_PREFIX_PATH and ROS_DISTRO not set\)/,
    );
  });
});

describe('lifecycle hook results', () => {
  it('maps results to lifecycle callback codes', () => {
    expect([callbackCode('success'), callbackCode('failure'), callbackCode('error')]).toEqual([97, 98, 99]);
  });

  it('turns a throwing hook into an error result and reports the exception', () => {
    const seen: unknown[] = [];
    const result = runHook(() => {
      throw new Error('model missing');
    }, (e) => seen.push(e));
    expect(result).toBe(ManagedResult.Error);
    expect(String(seen[0])).toMatch(/model missing/);
  });

  it('treats a hook that returns no valid result as an error', () => {
    expect(runHook(() => undefined as unknown as ManagedResult, () => {})).toBe('error');
    expect(runHook(() => ManagedResult.Failure, () => {})).toBe('failure');
  });

  it('allows the signal shutdown only from primary states that have a shutdown transition', () => {
    expect([0, 1, 2, 3, 4].map(canShutdownFrom)).toEqual([false, true, true, true, false]);
  });
});
