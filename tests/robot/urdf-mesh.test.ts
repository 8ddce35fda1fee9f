import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadUrdfFile } from '../../src/io/urdf-file.js';
import type { Geometry } from '../../src/robot/model.js';
import { parseUrdf, UrdfError } from '../../src/robot/urdf.js';
import { robot } from './fixtures.js';

const meshRobot = (filename: string): string =>
  robot(`<link name="base"><collision><geometry><mesh filename="${filename}" scale="2 2 2"/></geometry></collision></link>`);
const meshOf = (g: Geometry | undefined): Extract<Geometry, { kind: 'mesh' }> => {
  if (g?.kind !== 'mesh') throw new Error('expected a mesh');
  return g;
};

describe('mesh path resolution', () => {
  const packageDirs = { g1_description: '/opt/ros/share/g1_description' };

  it('resolves package:// through packageDirs when the file exists', () => {
    const seen: string[] = [];
    const m = parseUrdf(meshRobot('package://g1_description/meshes/pelvis.STL'), {
      packageDirs, fileExists: (p) => { seen.push(p); return true; },
    });
    const mesh = meshOf(m.links[0]!.collisions[0]?.geometry);
    expect(mesh).toEqual({
      kind: 'mesh', filename: 'package://g1_description/meshes/pelvis.STL',
      resolvedPath: '/opt/ros/share/g1_description/meshes/pelvis.STL', scale: [2, 2, 2],
    });
    expect(seen).toEqual(['/opt/ros/share/g1_description/meshes/pelvis.STL']);
    expect(m.warnings).toEqual([]);
  });

  it('warns and leaves the path null when the mesh file is missing', () => {
    const m = parseUrdf(meshRobot('package://g1_description/meshes/pelvis.STL'), { packageDirs, fileExists: () => false });
    expect(meshOf(m.links[0]!.collisions[0]?.geometry).resolvedPath).toBeNull();
    expect(m.warnings).toEqual([
      '<link name="base"> <collision> #1: mesh file "/opt/ros/share/g1_description/meshes/pelvis.STL" (from "package://g1_description/meshes/pelvis.STL") does not exist',
    ]);
  });

  it('warns when the package is unknown', () => {
    const m = parseUrdf(meshRobot('package://other/m.stl'), { packageDirs, fileExists: () => true });
    expect(meshOf(m.links[0]!.collisions[0]?.geometry).resolvedPath).toBeNull();
    expect(m.warnings[0]).toContain('package "other" is not in packageDirs');
  });

  it('resolves relative paths against the URDF directory and warns without a source path', () => {
    const m = parseUrdf(meshRobot('../meshes/a.obj'), { sourcePath: '/robots/g1/urdf/g1.urdf' });
    expect(meshOf(m.links[0]!.collisions[0]?.geometry).resolvedPath).toBe('/robots/g1/meshes/a.obj');
    const n = parseUrdf(meshRobot('meshes/a.obj'));
    expect(meshOf(n.links[0]!.collisions[0]?.geometry).resolvedPath).toBeNull();
    expect(n.warnings[0]).toContain('relative mesh "meshes/a.obj" not resolved: no sourcePath given');
  });
});

describe('loadUrdfFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aegis-urdf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'pkg', 'meshes'), { recursive: true });
  writeFileSync(join(dir, 'pkg', 'meshes', 'present.stl'), 'solid x\nendsolid x\n');
  const file = join(dir, 'robot.urdf');
  writeFileSync(file, robot(`<link name="base">
    <collision><geometry><mesh filename="package://pkg/meshes/present.stl"/></geometry></collision>
    <collision><geometry><mesh filename="package://pkg/meshes/absent.stl"/></geometry></collision>
    <collision><geometry><mesh filename="pkg/meshes/present.stl"/></geometry></collision></link>`));

  it('checks mesh files on disk and resolves relative to the file', () => {
    const m = loadUrdfFile(file, { packageDirs: { pkg: join(dir, 'pkg') } });
    const paths = m.links[0]!.collisions.map((c) => meshOf(c.geometry).resolvedPath);
    expect(paths).toEqual([join(dir, 'pkg/meshes/present.stl'), null, join(dir, 'pkg/meshes/present.stl')]);
    expect(m.warnings).toHaveLength(1);
    expect(m.warnings[0]).toContain('absent.stl');
  });

  it('names the file when it is missing', () => {
    const missing = join(dir, 'nope.urdf');
    expect(() => loadUrdfFile(missing)).toThrow(`cannot read URDF file '${missing}': no such file`);
  });

  it('names the file in parse errors', () => {
    const bad = join(dir, 'bad.urdf');
    writeFileSync(bad, '<robot name="x"><link name="a"/><link name="b"/></robot>');
    expect(() => loadUrdfFile(bad)).toThrow(UrdfError);
    expect(() => loadUrdfFile(bad)).toThrow(`(in ${bad})`);
  });
});
