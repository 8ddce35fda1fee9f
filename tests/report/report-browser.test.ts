/**
 * The run report in a real browser: `npm start`'s CLI runs the short scenario
 * (payload, e-stop, reset) and writes the report; headless Chromium (Debian's
 * `chromium`, driven by playwright-core, which downloads no browser) opens the
 * file with every network request refused, and every plot must have data and
 * pixels of its data series' colour, with no page error or console error.
 * Skipped with a message when Chromium or the MuJoCo addon is absent (CI
 * installs Debian's chromium).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mujocoAvailability } from '../../src/sim/addon.js';
import type { ReportData } from '../../src/report/report-data.js';
import type { RunReportCollector } from '../../src/report/collector.js';
import { writeRunReport } from '../../src/report/write.js';
import { runEmbedded } from '../../src/runtime/embedded-run.js';
import { runMotionDemo } from '../../src/runtime/motion-run.js';
import { setupG1Walk } from '../helpers/g1-walk.js';
import { sharedDataMissing, UNITREE_G1_VELOCITY } from '../helpers/shared-data.js';

const root = join(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.AEGIS_CHROMIUM ?? '/usr/bin/chromium';
const mujoco = mujocoAvailability();
const skip = !existsSync(CHROMIUM)
  ? `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set AEGIS_CHROMIUM)`
  : !mujoco.available ? mujoco.reason : undefined;
if (skip) process.stderr.write(`skipping run-report browser test: ${skip}\n`);

const work = mkdtempSync(join(tmpdir(), 'aegis-report-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The data the page was built from, read from the file (independently of the browser). */
function embeddedData(html: string): ReportData {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('report has no data block');
  return JSON.parse(m[1]!) as ReportData;
}

/**
 * The slice of playwright-core used here. Loaded untyped: its typings need the DOM lib, which this
 * Node project does not compile against; page code is passed as strings for the same reason.
 */
interface Browser { newContext(o: object): Promise<{ newPage(): Promise<Page> }>; close(): Promise<void> }
interface Page {
  on(ev: 'pageerror', f: (e: Error) => void): void;
  on(ev: 'console', f: (m: { type(): string; text(): string }) => void): void;
  route(glob: string, f: (r: { request(): { url(): string }; continue(): Promise<void>; abort(): Promise<void> }) => Promise<void>): Promise<void>;
  goto(url: string): Promise<unknown>;
  waitForFunction(expr: string, arg?: unknown, o?: object): Promise<unknown>;
  evaluate<T>(expr: string): Promise<T>;
  screenshot(o: object): Promise<unknown>;
}
const playwright = (): { chromium: { launch(o: object): Promise<Browser> } } => createRequire(import.meta.url)('playwright-core');

/** Runs in the page: per plot, its data points and the pixels of its key series' colour. */
const PLOT_PIXELS = `window.__report.plots.map((p) => {
  const c = p.canvas;
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const want = [1, 3, 5].map((k) => parseInt(p.color.slice(k, k + 2), 16));
  let colored = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 200 && Math.abs(px[i] - want[0]) < 30 && Math.abs(px[i + 1] - want[1]) < 30 && Math.abs(px[i + 2] - want[2]) < 30) colored++;
  }
  return { id: p.id, points: p.points, colored };
})`;

/** Opens a report in headless Chromium (fresh context, every non-file request refused); its errors, requests and plots. */
async function openInChromium(file: string, screenshot: string): Promise<{ errors: string[]; requests: string[]; plots: Array<{ id: string; points: number; colored: number }> }> {
  const { chromium } = playwright();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${file}`);
    await page.waitForFunction('window.__report !== undefined && window.__report.done === true', undefined, { timeout: 20_000 });
    const plots = await page.evaluate<Array<{ id: string; points: number; colored: number }>>(PLOT_PIXELS);
    await page.screenshot({ path: screenshot, fullPage: false });
    return { errors, requests, plots };
  } finally {
    await browser.close();
  }
}

describe.skipIf(skip)('run report (headless Chromium)', () => {
  it('npm start writes the report, names it last, and every plot renders with data and no error', async () => {
    const out = join(work, 'nested', 'report.html');
    // asynchronously: a synchronous child would block this worker's event loop (vitest's RPC times out on a loaded machine)
    const r = await new Promise<{ status: number; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, [join(root, 'node_modules', 'vite-node', 'vite-node.mjs'), join(root, 'src', 'cli', 'run.ts'), '--',
        '--config', join(root, 'tests', 'fixtures', 'embedded-short.yaml'), '--quiet', '--report', out], { cwd: root, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } },
      (err, stdout, stderr) => done({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe(`report              ${out}`);
    const html = readFileSync(out, 'utf8');
    // one file: no external script, stylesheet or image (the browser below also refuses any request)
    expect(html.match(/<(script|link|img)\b[^>]*\b(src|href)=/gi) ?? []).toEqual([]);

    // what the run did, as the report records it
    const d = embeddedData(html);
    expect(d.joints).toHaveLength(29);
    expect(d.states.code).toContain(3); // ESTOP
    expect(d.states.code.at(-1)).toBe(1); // ACTIVE again after the reset
    expect(d.marks.map((m) => m.label)).toEqual(expect.arrayContaining(['estop', 'reset', 'add_payload left_rubber_hand']));
    expect(d.interventions.t.length).toBeGreaterThan(0);
    expect(d.latency?.count).toBeGreaterThan(100);

    const { errors, requests, plots } = await openInChromium(out, join(work, 'report.png'));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    const ids = plots.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['shield-state', 'policy-mode', 'latency-histogram', ...d.joints.map((j) => `joint-${j.name}`)]));
    expect(plots).toHaveLength(3 + d.joints.length);
    for (const p of plots) {
      expect(p.points, p.id).toBeGreaterThan(1);
      expect(p.colored, `${p.id}: pixels of its data series`).toBeGreaterThan(20);
    }
  }, 120_000);

  /** Writes a collector's report to `name` in the work folder; its path and data. */
  const writeReport = (c: RunReportCollector, name: string): { file: string; d: ReportData } => {
    const file = writeRunReport(join(work, name), c.data({ title: name, robot: 'g1', summary: ['test'], createdAt: new Date(0).toISOString() }));
    return { file, d: embeddedData(readFileSync(file, 'utf8')) };
  };
  const checkPlots = (r: Awaited<ReturnType<typeof openInChromium>>): void => {
    expect(r.errors).toEqual([]);
    expect(r.requests).toEqual([]);
    for (const p of r.plots) {
      expect(p.points, p.id).toBeGreaterThan(1);
      expect(p.colored, `${p.id}: pixels of its data series`).toBeGreaterThan(20);
    }
  };

  const walkMissing = sharedDataMissing(UNITREE_G1_VELOCITY.urdf, UNITREE_G1_VELOCITY.deploy, UNITREE_G1_VELOCITY.onnx);
  if (walkMissing) process.stderr.write(`skipping the floating-base report test: ${walkMissing}\n`);
  it.skipIf(walkMissing !== undefined)('a floating-base run (G1 walking policy) plots base height and speed', async () => {
    const setup = setupG1Walk();
    let collector: RunReportCollector | null = null;
    // stands, then walks at 0.5 m/s from t = 1 s
    await runEmbedded({ configPath: setup.runConfig(join(root, 'config', 'shield_g1_floating.yaml'), 0.5, 2.5), root, onReport: (c) => (collector = c) });
    const { file, d } = writeReport(collector!, 'floating.html');
    const base = d.base!;
    expect(base.t.length).toBeGreaterThan(100);
    const at = (tS: number): number => base.t.findIndex((t) => t >= tS);
    // the pelvis stands about 0.8 m up (the run's start height) and moves once the walk command comes
    for (const z of base.z.slice(at(0.5))) expect(z).toBeGreaterThan(0.5);
    const speedBefore = Math.max(...base.speed.slice(at(0.3), at(0.9)));
    const speedAfter = Math.max(...base.speed.slice(at(1.8)));
    expect(speedAfter).toBeGreaterThan(0.2);
    expect(speedAfter).toBeGreaterThan(speedBefore);
    const r = await openInChromium(file, join(work, 'floating.png'));
    checkPlots(r);
    expect(r.plots.map((p) => p.id)).toContain('base-height');
  }, 180_000);

  it('marks motion-primitive requests on the bus (the motion demo\'s first request)', async () => {
    let collector: RunReportCollector | null = null;
    await runMotionDemo({ configPath: join(root, 'config', 'motion', 'demo.yaml'), root, durationS: 1.6, embedded: { onReport: (c) => (collector = c) } });
    const { file, d } = writeReport(collector!, 'motion.html');
    const motion = d.marks.filter((m) => m.kind === 'motion');
    // the node answers on /motion/status at the request's time (1.0 s in demo.yaml)
    expect(motion.map((m) => m.label)).toEqual(["ok 'play wave_right'"]);
    expect(motion[0]!.t).toBeCloseTo(1.0, 1);
    checkPlots(await openInChromium(file, join(work, 'motion.png')));
  }, 180_000);
});
