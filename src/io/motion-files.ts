/** Reads and writes the motion configuration files (retargeting maps, primitive libraries), validated. */
import { writeFileSync } from 'node:fs';
import { Document, isScalar, visit } from 'yaml';
import { loadConfigFile } from './config-file.js';
import { PrimitiveLibrarySchema, type PrimitiveLibrary } from '../motion/primitives.js';
import { RetargetMapSchema, type RetargetMap } from '../motion/retarget-config.js';

/** Loads a retargeting map (YAML/JSON); ConfigError lists every problem by field path. */
export function loadRetargetMap(path: string): RetargetMap {
  return loadConfigFile(RetargetMapSchema, path);
}

/** Loads a primitive library (YAML/JSON); ConfigError lists every problem by field path. */
export function loadPrimitiveLibrary(path: string): PrimitiveLibrary {
  return loadConfigFile(PrimitiveLibrarySchema, path);
}

/** Writes a primitive library (validated first) as YAML, token tuples on one line each. */
export function savePrimitiveLibrary(path: string, lib: PrimitiveLibrary): void {
  const valid = PrimitiveLibrarySchema.parse(lib);
  const header = '# Motion primitives as motion-token sequences (src/motion/primitives.ts; record one with\n# `node dist/cli/record-primitive.js --clip <bvh> --from <s> --to <s> --name <name>`).\n';
  const doc = new Document(valid);
  visit(doc, { Seq(_, node) { if (node.items.every((i) => isScalar(i))) node.flow = true; } }); // token tuples inline
  writeFileSync(path, header + doc.toString({ lineWidth: 200, flowCollectionPadding: false }));
}
