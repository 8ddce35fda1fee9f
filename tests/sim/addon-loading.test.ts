import { describe, expect, it } from 'vitest';
import { AddonLoadError, loadMujocoAddon } from '../../src/sim/index.js';
import { mujocoReady } from './fixtures.js';

describe('loading the MuJoCo addon', () => {
  it('tells to run npm run build:addon when the .node file is missing', () => {
    expect(() => loadMujocoAddon('/nonexistent/aegis_mujoco.node')).toThrow(AddonLoadError);
    expect(() => loadMujocoAddon('/nonexistent/aegis_mujoco.node')).toThrow(/npm run build:addon/);
  });

  it.skipIf(!mujocoReady)('loads the built addon against MuJoCo 2.2.2', () => {
    expect(loadMujocoAddon().mujocoVersion).toBe(222);
  });
});
