#!/usr/bin/env node
/**
 * Generates `types/ros/interfaces.d.ts` from `types/ros/definitions.txt`, in the
 * shape that rclnodejs's own generator (`rostsd_gen/index.js`, rclnodejs 1.9)
 * writes on a ROS machine: one `declare module 'rclnodejs'` with a namespace
 * per package and folder, `export interface <Msg>` plus `<Msg>Constructor`
 * (constants, `new(other?)`), `<Srv>Constructor extends ROSService`, service
 * `_Request`/`_Response`/`_Event` messages (Jazzy), and the `MessagesMap`,
 * `ServicesMap`, `ActionsMap`, `TypeClassName`, … type maps that rclnodejs's
 * typings reference. Field types follow rostsd_gen: numeric arrays are
 * `number[] | <TypedArray>`, 64-bit integers are `bigint`.
 *
 * `node types/ros/generate.mjs` rewrites the file; `--check` exits 1 when the
 * committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PRIMITIVE_JS = {
  bool: 'boolean', byte: 'number', char: 'number', float32: 'number', float64: 'number',
  int8: 'number', uint8: 'number', int16: 'number', uint16: 'number', int32: 'number', uint32: 'number',
  int64: 'bigint', uint64: 'bigint', string: 'string', wstring: 'string',
};
const TYPED_ARRAY = {
  byte: 'Uint8Array', uint8: 'Uint8Array', char: 'Int8Array', int8: 'Int8Array', int16: 'Int16Array',
  uint16: 'Uint16Array', int32: 'Int32Array', uint32: 'Uint32Array', float32: 'Float32Array', float64: 'Float64Array',
};

/** Parses one field or constant line of a .msg/.srv section. */
function parseLine(line, where) {
  const constant = /^(\S+)\s+([A-Z][A-Z0-9_]*)\s*=\s*(\S.*)$/.exec(line);
  if (constant) return { kind: 'constant', type: constant[1], name: constant[2], value: constant[3] };
  const field = /^(\S+)\s+([a-z][a-z0-9_]*)(?:\s+\S.*)?$/.exec(line);
  if (!field) throw new Error(`${where}: cannot parse '${line}'`);
  const t = /^([A-Za-z0-9_/]+?)(?:<=\d+)?(\[(?:<=)?\d*\])?$/.exec(field[1]);
  if (!t) throw new Error(`${where}: cannot parse type '${field[1]}'`);
  return { kind: 'field', base: t[1], isArray: t[2] !== undefined, name: field[2] };
}

/** Parses definitions.txt into interfaces: {pkg, folder, name, fields, constants}. */
export function parseDefinitions(text) {
  const sections = [];
  let current = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const head = /^===\s+([a-z0-9_]+)\/(msg|srv)\/([A-Za-z0-9_]+)$/.exec(raw.trim());
    if (head) {
      current = { pkg: head[1], folder: head[2], name: head[3], lines: [] };
      sections.push(current);
    } else if (line !== '') {
      if (!current) throw new Error(`line outside a section: '${raw}'`);
      current.lines.push(line);
    }
  }
  const out = [];
  for (const s of sections) {
    const where = `${s.pkg}/${s.folder}/${s.name}`;
    const parts = [[]];
    for (const line of s.lines) {
      if (line === '---') parts.push([]);
      else parts[parts.length - 1].push(parseLine(line, where));
    }
    if (s.folder === 'msg') {
      if (parts.length !== 1) throw new Error(`${where}: a message has no '---'`);
      out.push({ pkg: s.pkg, folder: 'msg', name: s.name, kind: 'msg', items: parts[0] });
    } else {
      if (parts.length !== 2) throw new Error(`${where}: a service has exactly one '---'`);
      out.push({ pkg: s.pkg, folder: 'srv', name: s.name, kind: 'srv' });
      out.push({ pkg: s.pkg, folder: 'srv', name: `${s.name}_Request`, kind: 'msg', items: parts[0] });
      out.push({ pkg: s.pkg, folder: 'srv', name: `${s.name}_Response`, kind: 'msg', items: parts[1] });
      out.push({
        pkg: s.pkg, folder: 'srv', name: `${s.name}_Event`, kind: 'msg', sameFolder: true,
        items: [
          { kind: 'field', base: 'service_msgs/ServiceEventInfo', isArray: false, name: 'info' },
          { kind: 'field', base: `${s.pkg}/${s.name}_Request`, isArray: true, name: 'request' },
          { kind: 'field', base: `${s.pkg}/${s.name}_Response`, isArray: true, name: 'response' },
        ],
      });
    }
  }
  return out;
}

function fieldType(iface, f) {
  const prim = PRIMITIVE_JS[f.base];
  if (prim) {
    if (!f.isArray) return prim;
    const typed = prim === 'number' ? TYPED_ARRAY[f.base] : undefined;
    return typed ? `${prim}[] | ${typed}` : `${prim}[]`;
  }
  const [pkg, type] = f.base.includes('/') ? f.base.split('/') : [f.base === 'Header' ? 'std_msgs' : iface.pkg, f.base];
  const folder = iface.sameFolder && pkg === iface.pkg ? iface.folder : 'msg';
  return `${pkg}.${folder}.${type}${f.isArray ? '[]' : ''}`;
}

/** Renders the declaration file text. */
export function generateInterfaces(text) {
  const all = parseDefinitions(text);
  const byPkg = new Map();
  for (const i of all) {
    const folders = byPkg.get(i.pkg) ?? new Map();
    byPkg.set(i.pkg, folders);
    const list = folders.get(i.folder) ?? [];
    folders.set(i.folder, list);
    list.push(i);
  }
  const known = new Set(all.filter((i) => i.kind === 'msg').map((i) => `${i.pkg}/${i.name}`));
  const L = [];
  const w = (indent, s) => L.push(' '.repeat(indent * 2) + s);
  L.push('/* eslint-disable camelcase */');
  L.push('/* eslint-disable max-len */');
  L.push('// DO NOT EDIT: generated by types/ros/generate.mjs from types/ros/definitions.txt');
  L.push("// in the shape of rclnodejs's rostsd_gen output (ROS 2 Jazzy definitions).");
  L.push('');
  L.push("declare module 'rclnodejs' {");
  const messages = [];
  const services = [];
  for (const pkg of [...byPkg.keys()].sort()) {
    w(1, `namespace ${pkg} {`);
    const folders = byPkg.get(pkg);
    for (const folder of [...folders.keys()].sort()) {
      w(2, `namespace ${folder} {`);
      for (const i of folders.get(folder).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (i.kind === 'srv') {
          w(3, `export interface ${i.name}Constructor extends ROSService {`);
          w(4, `readonly Request: ${i.name}_RequestConstructor;`);
          w(4, `readonly Response: ${i.name}_ResponseConstructor;`);
          w(3, '}');
          services.push([`${pkg}/${folder}/${i.name}`, `${pkg}.${folder}.${i.name}Constructor`]);
          continue;
        }
        w(3, `export interface ${i.name} {`);
        for (const f of i.items.filter((x) => x.kind === 'field')) {
          if (!PRIMITIVE_JS[f.base]) {
            const ref = f.base.includes('/') ? f.base : `${f.base === 'Header' ? 'std_msgs' : i.pkg}/${f.base}`;
            if (!known.has(ref)) throw new Error(`${pkg}/${folder}/${i.name}.${f.name}: unknown type ${ref}`);
          }
          w(4, `${f.name}: ${fieldType(i, f)};`);
        }
        w(3, '}');
        w(3, `export interface ${i.name}Constructor {`);
        for (const c of i.items.filter((x) => x.kind === 'constant')) w(4, `readonly ${c.name}: ${PRIMITIVE_JS[c.type]};`);
        w(4, `new(other?: ${i.name}): ${i.name};`);
        w(3, '}');
        messages.push([`${pkg}/${folder}/${i.name}`, `${pkg}.${folder}.${i.name}`]);
      }
      w(2, '}');
    }
    w(1, '}');
    L.push('');
  }
  w(1, 'type MessagesMap = {');
  w(2, "'string': string;");
  for (const [k, v] of messages) w(2, `'${k}': ${v};`);
  w(1, '};');
  w(1, 'type MessageTypeClassName = keyof MessagesMap;');
  w(1, 'type Message = MessagesMap[MessageTypeClassName];');
  w(1, 'type MessageType<T> = T extends MessageTypeClassName ? MessagesMap[T] : object;');
  L.push('');
  w(1, 'type MessageTypeClassConstructorMap = {');
  w(2, "'string': never;");
  for (const [k, v] of messages) w(2, `'${k}': ${v}Constructor;`);
  w(1, '};');
  w(1, 'type MessageConstructorType<T> = T extends MessageTypeClassName ? MessageTypeClassConstructorMap[T] : object;');
  L.push('');
  w(1, 'type ServicesMap = {');
  for (const [k, v] of services) w(2, `'${k}': ${v};`);
  w(1, '};');
  w(1, 'type ServiceTypeClassName = keyof ServicesMap;');
  w(1, 'type Service = ServicesMap[ServiceTypeClassName];');
  w(1, 'type ServiceType<T> = T extends ServiceTypeClassName ? ServicesMap[T] : object;');
  L.push('');
  w(1, 'type ActionsMap = {};');
  w(1, 'type ActionTypeClassName = keyof ActionsMap;');
  w(1, 'type Action = ActionsMap[ActionTypeClassName];');
  w(1, 'type ActionType<T> = T extends ActionTypeClassName ? ActionsMap[T] : object;');
  L.push('');
  w(1, 'type TypeClassName = MessageTypeClassName | ServiceTypeClassName | ActionTypeClassName;');
  w(1, 'type InterfaceType<T> = T extends TypeClassName ? (MessageTypeClassConstructorMap & ServicesMap & ActionsMap)[T] : object;');
  L.push('}');
  L.push('');
  return L.join('\n');
}

const here = dirname(fileURLToPath(import.meta.url));
export const DEFINITIONS_PATH = join(here, 'definitions.txt');
export const INTERFACES_PATH = join(here, 'interfaces.d.ts');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generateInterfaces(readFileSync(DEFINITIONS_PATH, 'utf8'));
  if (process.argv.includes('--check')) {
    const stale = readFileSync(INTERFACES_PATH, 'utf8') !== text;
    console.log(stale ? 'types/ros/interfaces.d.ts is stale: run node types/ros/generate.mjs' : 'types/ros/interfaces.d.ts is up to date');
    process.exit(stale ? 1 : 0);
  }
  writeFileSync(INTERFACES_PATH, text);
  console.log(`wrote ${INTERFACES_PATH}`);
}
