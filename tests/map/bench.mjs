// Benchmark of the precision map page on a big model (started by bench.sh, not a test: it
// asserts nothing about time). For MAP_PAGE it reports, over MAP_RUNS fresh loads:
//   open    from the start of navigation to the first frame drawn (window.qclsMap.readyAt)
//   load    what playwright waits for the same (goto + first frame), wall clock
// then, on one page, the time one frame takes to draw (draw) and the interval between frames
// while the mouse drags the picture (pan), in three views: as opened, everything expanded and
// fitted, and everything expanded at zoom 1. Prints one JSON object.
import * as fs from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const pagePath = process.env.MAP_PAGE;
const runs = Number(process.env.MAP_RUNS ?? 5);
if (!pagePath || !fs.existsSync(pagePath)) throw new Error("MAP_PAGE must name the page to measure (see bench.sh)");
const url = pathToFileURL(pagePath).href;
const browser = await chromium.launch({
  executablePath: process.env.MAP_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: +q(0.5).toFixed(1), p95: +q(0.95).toFixed(1), max: +s[s.length - 1].toFixed(1) };
};

const opens = [], loads = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(() => window.qclsMap && window.qclsMap.ready, null, { timeout: 60_000, polling: 10 });
  loads.push(Date.now() - t0);
  opens.push(await page.evaluate(() => window.qclsMap.readyAt));
  await context.close();
}

const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
await page.goto(url);
await page.waitForFunction(() => window.qclsMap && window.qclsMap.ready, null, { timeout: 60_000 });
const box = await page.locator("#map").boundingBox();

/** Drags the picture around for `steps` mouse moves and returns frame draw times and intervals. */
async function pan(steps = 120) {
  await page.evaluate(() => {
    window.__frames = [];
    window.__draws = [];
    const api = window.qclsMap;
    let last = api.frames;
    const tick = (t) => {
      window.__frames.push(t);
      if (api.frames !== last) { window.__draws.push(api.lastDrawMs); last = api.frames; }
      if (!window.__stop) requestAnimationFrame(tick);
    };
    window.__stop = false;
    requestAnimationFrame(tick);
  });
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 0; i < steps; i++) {
    const a = (i / steps) * Math.PI * 4;
    await page.mouse.move(cx + Math.cos(a) * 250, cy + Math.sin(a) * 200);
  }
  await page.mouse.up();
  const { frames, draws } = await page.evaluate(() => { window.__stop = true; return { frames: window.__frames, draws: window.__draws }; });
  const intervals = frames.slice(1).map((t, i) => t - frames[i]);
  return { draw: stats(draws), interval: stats(intervals) };
}
const info = () => page.evaluate(() => window.qclsMap.drawn());

const result = { page: pagePath, bytes: fs.statSync(pagePath).size, open: stats(opens), load: stats(loads) };
result.asOpened = { drawn: await info(), ...(await pan()) };
const expandMs = await page.evaluate(() => {
  const t = performance.now();
  window.qclsMap.openAll();
  return performance.now() - t;
});
await page.click("#fit");
await page.waitForTimeout(200);
result.expandedFitted = { expandAllMs: +expandMs.toFixed(1), drawn: await info(), ...(await pan()) };
await page.evaluate(() => {
  const api = window.qclsMap, n = api.nodeCount(), v = Math.floor(n / 2), b = api.box(v);
  api.setView(1, 640 - b[0], 400 - b[1]);
});
result.expandedZoom1 = { drawn: await info(), ...(await pan()) };
await browser.close();
console.log(JSON.stringify(result, null, 2));
