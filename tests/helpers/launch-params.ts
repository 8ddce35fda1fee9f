/**
 * The parameters a launch file gives the policy node, read from the launch
 * files themselves (so a test composed with them fails when the launch file
 * changes): the Python launch's `policy_start` dict (evaluated with
 * python3's ast.literal_eval); the XML twin includes the Python file
 * ({@link xmlInclude}).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

const root = join(import.meta.dirname, '..', '..');

/** The node's own (non-file, non-launch-argument) parameters, as ROS values. */
export type LaunchParams = Record<string, boolean | number | string>;

/** `policy_start = {...}` of a Python launch file (an empty object when it has none). */
export function pythonPolicyParams(rel: string): LaunchParams {
  const code = [
    'import ast, json, re, sys',
    'src = open(sys.argv[1]).read()',
    "m = re.search(r'^\\s*policy_start = (\\{[^}]*\\})', src, re.M)",
    'print(json.dumps(ast.literal_eval(m.group(1)) if m else {}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', code, join(root, rel)], { encoding: 'utf8' })) as LaunchParams;
}

/** The launch file an XML launch file includes (`<include file=".../launch/<name>">`), with the args it passes through as `$(var name)`. */
export function xmlInclude(rel: string): { file: string; passed: string[] } {
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'include' || name === 'arg' });
  const launch = xml.parse(readFileSync(join(root, rel), 'utf8')).launch as { arg?: { name: string }[]; include?: { file: string; arg?: { name: string; value: string }[] }[] };
  const inc = launch.include?.[0];
  if (!inc) throw new Error(`${rel}: no <include>`);
  return { file: inc.file.split('/').at(-1)!, passed: (inc.arg ?? []).filter((a) => a.value === `$(var ${a.name})`).map((a) => a.name) };
}
