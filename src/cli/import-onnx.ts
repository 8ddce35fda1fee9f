/**
 * Builds an aegis policy config from the exporter metadata in an ONNX file.
 *
 *   node dist/cli/import-onnx.js <model.onnx> [--rate 50] [--name n] [--out cfg.yaml]
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { importOnnxMetadata } from '../policy/importers/onnx-metadata.js';
import { readOnnxModelInfo } from '../policy/onnx-model-info.js';
import { joinNegativeValues, numberFlag } from './args.js';
import { fail, writeImportedConfig } from './import-common.js';

function main(): void {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(process.argv.slice(2), ['rate']),
    allowPositionals: true,
    options: { rate: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) fail('usage: import-onnx <model.onnx> [--rate <Hz>] [--name <name>] [--out <config.yaml>]');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (err) {
    fail(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const rate = values.rate === undefined ? undefined : numberFlag('rate', values.rate, { above: 0, unit: 'Hz' });
  let info;
  try {
    info = readOnnxModelInfo(bytes);
  } catch (err) {
    fail(`cannot import ${file}: not a readable ONNX model: ${(err as Error).message}`);
  }
  const { config, notes } = importOnnxMetadata(info, {
    // modelPath is resolved against the folder of the config file that names it
    modelPath: relative(values.out ? dirname(resolve(values.out)) : process.cwd(), resolve(file)),
    file,
    ...(rate !== undefined ? { rateHz: rate } : {}),
    ...(values.name ? { name: values.name } : {}),
  });
  writeImportedConfig(config, notes, file, values.out);
}

try {
  main();
} catch (err) {
  fail(err);
}
