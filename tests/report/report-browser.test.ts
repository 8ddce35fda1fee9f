/**
 * The run report in a real browser: `npm start`'s CLI runs the short scenario
 * (payload, e-stop, reset) and writes the report; headless Chromium (Debian's
 * `chromium`, driven by playwright-core, which downloads no browser) opens the
 * file with every network request refused, and every plot must have data and
 * pixels of its data series' colour, with no page error or console error.
 * Skipped with a message when Chromium or the MuJoCo addon is absent (CI
 * installs Debian's chromium).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mujocoAvailability } from '../../src/sim/addon.js';
import type { ReportData } from '../../src/report/report-data.js';

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

describe.skipIf(skip)('run report (headless Chromium)', () => {
  it('npm start writes the report, names it last, and every plot renders with data and no error', async () => {
    const out = join(work, 'nested', 'report.html');
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vite-node', 'vite-node.mjs'), join(root, 'src', 'cli', 'run.ts'), '--',
      '--config', join(root, 'tests', 'fixtures', 'embedded-short.yaml'), '--quiet', '--report', out], { cwd: root, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
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
      await page.goto(`file://${out}`);
      await page.waitForFunction('window.__report !== undefined && window.__report.done === true', undefined, { timeout: 20_000 });
      const plots = await page.evaluate<Array<{ id: string; points: number; colored: number }>>(PLOT_PIXELS);
      await page.screenshot({ path: join(work, 'report.png'), fullPage: false });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const ids = plots.map((p) => p.id);
      expect(ids).toEqual(expect.arrayContaining(['shield-state', 'policy-mode', 'latency-histogram', ...d.joints.map((j) => `joint-${j.name}`)]));
      expect(plots).toHaveLength(3 + d.joints.length);
      for (const p of plots) {
        expect(p.points, p.id).toBeGreaterThan(1);
        expect(p.colored, `${p.id}: pixels of its data series`).toBeGreaterThan(20);
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
