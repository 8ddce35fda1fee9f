/**
 * The parameters a launch file gives the policy node, read from the launch
 * files themselves (so a test composed with them fails when the launch file
 * changes): the Python launch's `policy_start` dict (evaluated with
 * python3's ast.literal_eval) and the XML launch's literal `<param>`s of the
 * policy node, values typed as ROS types them ("true" → bool, numbers → number).
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

const typed = (v: string): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);

/** Literal `<param name value>`s of the `aegis_policy_node` in an XML launch file (substitutions `$(...)` left out). */
export function xmlPolicyParams(rel: string): LaunchParams {
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'node' || name === 'param' });
  const launch = xml.parse(readFileSync(join(root, rel), 'utf8')).launch as { node: { exec: string; param?: { name?: string; value?: string }[] }[] };
  const node = launch.node.find((n) => n.exec === 'aegis_policy_node');
  if (!node) throw new Error(`${rel}: no aegis_policy_node`);
  const out: LaunchParams = {};
  for (const p of node.param ?? []) if (p.name && p.value !== undefined && !String(p.value).includes('$(')) out[p.name] = typed(String(p.value));
  return out;
}
