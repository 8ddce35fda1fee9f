/**
 * CI checks of the ROS 2 package files (no ROS needed): launch files compile
 * or are well-formed XML, every package file they reference exists and is
 * installed, every ROS package they use is an exec_depend, executables exist,
 * and the URDFs' ros2_control joints, the controllers and the params file agree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { xmlInclude } from '../helpers/launch-params.js';

const root = join(import.meta.dirname, '..', '..');
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');
const list = (dir: string, ext: string): string[] =>
  existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith(ext)).map((f) => `${dir}/${f}`) : [];

const pyLaunch = list('launch', '.launch.py');
const xmlLaunch = list('launch', '.launch.xml');
const launchFiles = [...pyLaunch, ...xmlLaunch];
const urdfs = list('urdf', '.urdf');
const PKG = 'aegis_control';

const all = (text: string, re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1] as string);

/** Package files a launch file references: pkg_file('x') in Python, $(find-pkg-share aegis_control)/x in XML. */
function referencedFiles(file: string): string[] {
  const text = read(file);
  return file.endsWith('.py')
    ? all(text, /pkg_file\('([^']+)'\)/g)
    : all(text, /\$\(find-pkg-share aegis_control\)\/([^"'\s)]+)/g);
}

/** ROS packages a launch file uses (nodes and package shares). */
function referencedPackages(file: string): string[] {
  const text = read(file);
  return file.endsWith('.py')
    ? [...all(text, /package='([a-z0-9_]+)'/g), ...all(text, /FindPackageShare\('([a-z0-9_]+)'\)/g)]
    : [...all(text, /pkg="([a-z0-9_]+)"/g), ...all(text, /\$\(find-pkg-share ([a-z0-9_]+)\)/g)];
}

/** Our executables a launch file starts. */
function referencedExecutables(file: string): string[] {
  const text = read(file);
  const re = file.endsWith('.py') ? /package=PKG, executable='([^']+)'/g : /pkg="aegis_control" exec="([^"]+)"/g;
  return all(text, re);
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['joint', 'link', 'exec_depend', 'command_interface', 'state_interface'].includes(name) });

interface UrdfJoint {
  name: string;
  type?: string;
}
function urdfJoints(file: string): { joints: UrdfJoint[]; controlJoints: string[] } {
  const robot = xml.parse(read(file)).robot as { joint?: UrdfJoint[]; ros2_control?: { joint?: UrdfJoint[] } | { joint?: UrdfJoint[] }[] };
  const blocks = robot.ros2_control === undefined ? [] : Array.isArray(robot.ros2_control) ? robot.ros2_control : [robot.ros2_control];
  return { joints: robot.joint ?? [], controlJoints: blocks.flatMap((b) => (b.joint ?? []).map((j) => j.name)) };
}

describe('launch files', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'aegis-launch-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('exist: hardware bringup (Python and XML), Gazebo and the embedded sim', () => {
    expect(pyLaunch).toEqual(expect.arrayContaining(['launch/bringup.launch.py', 'launch/gazebo.launch.py', 'launch/embedded_sim.launch.py']));
    expect(xmlLaunch).toContain('launch/bringup.launch.xml');
  });

  it('hardware bringup never starts motion by itself: shield autoActivate false, policy starts PASSIVE and needs an admission', () => {
    const py = read('launch/bringup.launch.py');
    expect(py).toMatch(/shield_start = \{'core\.autoActivate': False\}/);
    expect(py).toMatch(/parameters=\[params_file, NodeParams\('aegis_shield', \{\*\*common, \*\*shield_output, \*\*shield_start\}\)\]/);
    expect(py).toMatch(/policy_start = \{'modes\.initial': 'PASSIVE', 'admission\.required': True\}/);
    expect(py).toMatch(/parameters=\[params_file, NodeParams\('aegis_policy', \{\*\*common, \*\*policy_start\}\)\]/);
    // The XML twin includes the Python file and passes every one of its own arguments through.
    const inc = xmlInclude('launch/bringup.launch.xml');
    expect(inc.file).toBe('bringup.launch.py');
    const own = (xml.parse(read('launch/bringup.launch.xml')).launch as { arg: { name: string }[] }).arg.map((a) => a.name);
    expect(inc.passed.sort()).toEqual([...own].sort());
  });

  it.each(launchFiles)('%s gives our nodes their launch values under the node\'s name (NodeParams), never as a parameters dict', (file) => {
    // rclnodejs lets a params file's entry under the node's name beat a dict or -p (a `/**` entry),
    // so a dict would let any params file override urdf_file or the bringup's safe start.
    const text = read(file);
    if (file.endsWith('.xml')) {
      expect(text).not.toMatch(/exec="aegis_/);
      return;
    }
    const nodes = [...text.matchAll(/executable='aegis_[a-z]+_node', name='([^']+)'[^]*?parameters=(\[[^\]]*\]|parameters)/g)];
    expect(nodes.length).toBeGreaterThan(0);
    for (const [, name, params] of nodes) {
      if (params === 'parameters') continue; // built above (embedded_sim's policy slot): checked by its own line
      expect(params, `${file}: ${name}`).toMatch(new RegExp(`^\\[params_file, NodeParams\\('${name}', `));
    }
    expect(text).not.toMatch(/'urdf_file': urdf\}\]/);
  });

  it.each(pyLaunch)('%s compiles with python3 and defines generate_launch_description', (file) => {
    const code = "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)";
    expect(() => execFileSync('python3', ['-c', code, join(root, file), join(tmp, 'out.pyc')], { stdio: 'pipe' })).not.toThrow();
    expect(read(file)).toMatch(/^def generate_launch_description\(\):/m);
  });

  it('rejects a Python file with a syntax error (the compile check has teeth)', () => {
    const code = "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)";
    const bad = join(tmp, 'bad.launch.py');
    execFileSync('sh', ['-c', `printf 'def generate_launch_description(:\\n' > ${bad}`]);
    expect(() => execFileSync('python3', ['-c', code, bad, join(tmp, 'bad.pyc')], { stdio: 'pipe' })).toThrow();
  });

  it.each([...xmlLaunch, 'package.xml', ...list('config/ros/gazebo', '.sdf'), ...urdfs])('%s is well-formed XML', (file) => {
    expect(XMLValidator.validate(read(file))).toBe(true);
  });

  it.each(launchFiles)('%s references only package files that exist and are installed', (file) => {
    const refs = referencedFiles(file);
    expect(refs.length).toBeGreaterThan(0);
    const cmake = read('CMakeLists.txt');
    for (const ref of refs) {
      expect(existsSync(join(root, ref)), `${file} → ${ref}`).toBe(true);
      const top = ref.split('/')[0] as string;
      expect(cmake, `${ref}: ${top}/ installed`).toMatch(new RegExp(`install\\(DIRECTORY [^)]*\\b${top}\\b[^)]*DESTINATION share`));
    }
  });

  it.each(launchFiles)('%s uses only ROS packages that package.xml depends on', (file) => {
    const deps = new Set((xml.parse(read('package.xml')).package.exec_depend as string[]).map(String));
    for (const pkg of referencedPackages(file)) {
      if (pkg !== PKG) expect(deps.has(pkg), `${file}: exec_depend ${pkg}`).toBe(true);
    }
  });

  it.each(pyLaunch)('%s starts only executables this package installs', (file) => {
    const exes = referencedExecutables(file);
    expect(exes.length).toBeGreaterThan(0);
    const cmake = read('CMakeLists.txt');
    for (const exe of exes) {
      const path = join(root, 'bin', exe);
      expect(existsSync(path), `bin/${exe}`).toBe(true);
      expect(statSync(path).mode & 0o111, `bin/${exe} executable`).not.toBe(0);
      expect(cmake).toContain(`bin/${exe}`);
    }
  });

  it.each(pyLaunch)('%s names only nodes the params file configures', (file) => {
    const params = parseYaml(read('config/ros/aegis.yaml')) as Record<string, unknown>;
    const names = all(read(file), file.endsWith('.py') ? /executable='aegis_[a-z]+_node', name='([^']+)'/g : /exec="aegis_[a-z]+_node" name="([^"]+)"/g);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(params, `${file}: ${name}`).toHaveProperty(name);
  });
});

describe('Gazebo description (launch/gz_description.py)', () => {
  const describeForGazebo = (urdf: string): string =>
    execFileSync('python3', [join(root, 'launch', 'gz_description.py'), join(root, urdf), '/opt/aegis/share/aegis_control/config/ros/controllers.yaml', '/opt/aegis/share/aegis_control'], { encoding: 'utf8' });

  it.each(urdfs)('%s gets the gz_ros2_control system and plugin, and an IMU on a link of the robot', (urdf) => {
    const text = describeForGazebo(urdf);
    expect(XMLValidator.validate(text)).toBe(true);
    const robot = xml.parse(text).robot as Record<string, unknown>;
    const control = robot['ros2_control'] as { hardware: { plugin: string } };
    expect(control.hardware.plugin).toBe('gz_ros2_control/GazeboSimSystem');
    const gazebo = robot['gazebo'] as { reference?: string; plugin?: { filename: string; parameters: string }; sensor?: { type: string; topic: string } }[];
    const plugin = gazebo.find((g) => g.plugin)?.plugin;
    expect(plugin).toMatchObject({ filename: 'gz_ros2_control-system', parameters: '/opt/aegis/share/aegis_control/config/ros/controllers.yaml' });
    const imu = gazebo.find((g) => g.sensor?.type === 'imu');
    expect(imu?.sensor?.topic).toBe('imu');
    const links = (robot['link'] as { name: string }[]).map((l) => l.name);
    expect(links).toContain(imu?.reference);
    expect(urdfJoints(urdf).controlJoints).toEqual((control as unknown as { joint: UrdfJoint[] }).joint.map((j) => j.name));
  });

  it('leaves a URDF that already carries the plugin as it is, resolving $(find aegis_control)', () => {
    const once = describeForGazebo('urdf/g1_29dof.urdf');
    const tmp = mkdtempSync(join(tmpdir(), 'aegis-gz-'));
    const withFind = join(tmp, 'g.urdf');
    execFileSync('sh', ['-c', `cat > ${withFind}`], { input: once.replace('/opt/aegis/share/aegis_control/config', '$(find aegis_control)/config') });
    const twice = execFileSync('python3', [join(root, 'launch', 'gz_description.py'), withFind, '/elsewhere.yaml', '/opt/aegis/share/aegis_control'], { encoding: 'utf8' });
    rmSync(tmp, { recursive: true, force: true });
    expect(twice).toBe(once);
  });
});

describe('ros2 run executables', () => {
  it.each(['shield', 'policy', 'sim'])('bin/aegis_%s_node runs dist/cli/ros-node.js with its kind and passes all arguments through', (kind) => {
    const text = read(`bin/aegis_${kind}_node`);
    expect(text).toMatch(/^#!\/bin\/sh/);
    expect(text).toContain(`dist/cli/ros-node.js`);
    expect(text).toMatch(new RegExp(`exec "\\$\\{AEGIS_NODE:-node\\}" "\\$entry" ${kind} "\\$@"`));
    expect(() => execFileSync('sh', ['-n', join(root, 'bin', `aegis_${kind}_node`)])).not.toThrow();
  });
});

describe('package.xml', () => {
  const pkg = xml.parse(read('package.xml')).package as Record<string, unknown>;
  it('is a format 3 ament_cmake package named aegis_control', () => {
    expect(pkg['format']).toBe('3');
    expect(pkg['name']).toBe(PKG);
    expect(pkg['buildtool_depend']).toBe('ament_cmake');
    expect((pkg['export'] as Record<string, unknown>)['build_type']).toBe('ament_cmake');
  });

  it('depends on the interfaces the nodes and rclnodejs use', () => {
    const deps = pkg['exec_depend'] as string[];
    for (const d of ['std_msgs', 'sensor_msgs', 'trajectory_msgs', 'diagnostic_msgs', 'std_srvs', 'rosgraph_msgs', 'rcl_interfaces', 'lifecycle_msgs']) {
      expect(deps).toContain(d);
    }
  });
});

describe('URDF and controllers', () => {
  it('has the robot descriptions', () => {
    expect(urdfs).toEqual(expect.arrayContaining(['urdf/g1_29dof.urdf', 'urdf/g1_29dof_fixed.urdf']));
  });

  it.each(urdfs)("%s: every ros2_control joint is a movable joint of the URDF, and every movable joint is controlled", (file) => {
    const { joints, controlJoints } = urdfJoints(file);
    const movable = joints.filter((j) => j.type !== 'fixed').map((j) => j.name);
    expect(controlJoints.length).toBeGreaterThan(0);
    expect(new Set(controlJoints).size).toBe(controlJoints.length);
    for (const j of controlJoints) expect(movable, `${file}: ros2_control joint ${j}`).toContain(j);
    expect(controlJoints).toEqual(movable);
  });

  it('controllers list the 29 G1 joints in URDF order, and the launch files spawn only declared controllers', () => {
    const yaml = parseYaml(read('config/ros/controllers.yaml')) as Record<string, { ros__parameters: Record<string, unknown> }>;
    const { controlJoints } = urdfJoints('urdf/g1_29dof.urdf');
    expect(controlJoints).toHaveLength(29);
    expect(controlJoints[0]).toBe('left_hip_pitch_joint');
    expect(controlJoints[28]).toBe('right_wrist_yaw_joint');
    expect(yaml['forward_position_controller']?.ros__parameters['joints']).toEqual(controlJoints);
    expect(yaml['forward_position_controller']?.ros__parameters['interface_name']).toBe('position');
    expect(yaml['joint_trajectory_controller']?.ros__parameters['joints']).toEqual(controlJoints);
    const cm = yaml['controller_manager']?.ros__parameters ?? {};
    for (const file of launchFiles) {
      const spawned = [...all(read(file), /arguments=\['([a-z_]+)', '--controller-manager'/g), ...all(read(file), /args="([a-z_]+) --controller-manager/g)];
      for (const c of spawned) expect(cm, `${file} spawns ${c}`).toHaveProperty(c);
    }
    expect(cm['forward_position_controller']).toEqual({ type: 'forward_command_controller/ForwardCommandController' });
  });
});
