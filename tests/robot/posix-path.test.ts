import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dirnamePath, isAbsolutePath, joinPath, normalizePath } from '../../src/robot/posix-path.js';

// Oracle: Node's own posix path implementation.
const CASES = ['/a/b/../c', 'a/./b//c/', '../x/../../y', '/..', '', '.', 'meshes/../meshes/foot.STL', '/opt/ros/share/g1/meshes/a.stl', 'a/b/c/../../..'];

describe('pure POSIX path helpers (the URDF reader\'s mesh resolution)', () => {
  it('normalise like node:path posix (without trailing slashes)', () => {
    for (const p of CASES) expect(normalizePath(p), p).toBe(posix.normalize(p).replace(/(.)\/$/, '$1'));
  });
  it('join, dirname and isAbsolute like node:path posix', () => {
    expect(joinPath('/pkg/g1', 'meshes/../urdf/x.urdf')).toBe(posix.join('/pkg/g1', 'meshes/../urdf/x.urdf'));
    expect(joinPath('rel', '../up')).toBe(posix.join('rel', '../up'));
    for (const p of ['/a/b/c.urdf', 'c.urdf', '/c.urdf', 'a/b/']) expect(dirnamePath(p), p).toBe(posix.dirname(p.replace(/\/$/, '')));
    for (const p of ['/a', 'a', './a', '']) expect(isAbsolutePath(p)).toBe(posix.isAbsolute(p));
  });
});
