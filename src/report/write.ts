/**
 * Writes the run report: reads the plotting library (uPlot's IIFE build and
 * CSS) from node_modules, renders the page and writes it as one file
 * (folders created). Returns the absolute path written.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { ReportData } from './report-data.js';
import { renderReport, type PlotLibrary } from './render.js';

let cached: PlotLibrary | null = null;

/** uPlot's browser build and stylesheet, from the installed npm package. */
export function loadPlotLibrary(): PlotLibrary {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let dist: string;
  try {
    dist = dirname(require.resolve('uplot'));
  } catch (err) {
    throw new Error(`run report: the plotting library 'uplot' is not installed (npm ci): ${(err as Error).message}`);
  }
  cached = { js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'), css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8') };
  return cached;
}

/** Renders and writes the report to `path`; returns the absolute path. Throws a clear error naming the file. */
export function writeRunReport(path: string, data: ReportData): string {
  const abs = resolve(path);
  const html = renderReport(data, loadPlotLibrary());
  try {
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, html);
  } catch (err) {
    throw new Error(`run report: cannot write '${abs}': ${(err as Error).message}`);
  }
  return abs;
}

/** The default report path of a run started at `at`: runs/<UTC timestamp>/report.html under `root`. */
export function defaultReportPath(root: string, at: Date): string {
  const stamp = at.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  return join(root, 'runs', stamp, 'report.html');
}
