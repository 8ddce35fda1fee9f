#!/usr/bin/env node
/**
 * Makes rclnodejs's typings resolve on machines without ROS 2.
 *
 * rclnodejs's `types/base.d.ts` references `./interfaces.d.ts`, which its
 * install script generates from the ROS interfaces it finds on a ROS machine.
 * Installed with `--ignore-scripts` (CI, no ROS), that file is missing and any
 * program that imports rclnodejs's types fails with TS6053. This script writes
 * that file as a one-line reference to the declarations this project ships
 * (`types/ros/interfaces.d.ts`, generated from the ROS 2 Jazzy definitions).
 * A file that rclnodejs generated itself (a ROS machine) is left alone, so
 * there the adapter is checked against the machine's real interfaces.
 *
 * Usage: node scripts/check-ros-files.mjs [--check]
 *   --check  change nothing; exit 1 when the typings would not resolve.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const typesDir = join(root, 'node_modules', 'rclnodejs', 'types');
const target = join(typesDir, 'interfaces.d.ts');
const MARKER = 'aegis-control: shipped ROS 2 interface declarations';
const SHIM = `// ${MARKER} (written by scripts/check-ros-files.mjs)\n/// <reference path="../../../types/ros/interfaces.d.ts" />\n`;
const check = process.argv.includes('--check');

if (!existsSync(typesDir)) {
  console.log('rclnodejs is not installed (optional dependency): nothing to link');
  process.exit(0);
}
if (existsSync(target)) {
  const own = readFileSync(target, 'utf8').includes(MARKER);
  console.log(own ? 'rclnodejs typings use types/ros/interfaces.d.ts' : "rclnodejs typings use rclnodejs's generated interfaces.d.ts");
  process.exit(0);
}
if (check) {
  console.error(`missing ${target}: run node scripts/check-ros-files.mjs`);
  process.exit(1);
}
writeFileSync(target, SHIM);
console.log(`linked ${target} -> types/ros/interfaces.d.ts`);
