// Drives the precision map page in Debian's chromium through playwright-core and checks what a
// user sees. Started by run.sh, which sets:
//   MAP_DIR        a folder with <case>.html (qcls explain --format html), <case>.json
//                  (qcls explain --format json) and <case>.config.json for each case
//   MAP_CASES      the cases, separated by spaces (resnet18 vit_tiny)
//   MAP_ARTIFACTS  where screenshots and the console of failed checks go
//   MAP_CHROMIUM   the chromium executable
// Every check waits for a condition (never a fixed sleep), says what it waited for when it
// fails, is screenshotted, and the next one runs.
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: start this through run.sh`);
  return v;
}
const dir = env("MAP_DIR");
const cases = env("MAP_CASES").split(/\s+/).filter(Boolean);
const artifacts = env("MAP_ARTIFACTS");

class CheckFailed extends Error {}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, probe, { timeout = 15_000, every = 100, detail } = {}) {
  const end = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      lastError = undefined;
    } catch (err) {
      if (err instanceof CheckFailed) throw err;
      lastError = err;
    }
    if (Date.now() > end) {
      let extra = "";
      if (detail) extra = await Promise.resolve(detail()).then((d) => `\n     now: ${d}`, (e) => `\n     (no detail: ${e.message})`);
      if (lastError) extra += `\n     last error: ${lastError.message.split("\n")[0]}`;
      throw new CheckFailed(`timed out after ${timeout / 1000}s waiting for ${what}${extra}`);
    }
    await sleep(every);
  }
}
function expect(cond, message) {
  if (!cond) throw new CheckFailed(message);
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The class of a node as the map defines it, from `explain --format json`: the one precision of its inputs, `mixed`, or `none`. */
function classOf(node) {
  const ps = [...new Set(node.inputs.map((i) => i.precision).filter((p) => p !== null))];
  return ps.length === 0 ? "none" : ps.length === 1 ? ps[0] : "mixed";
}
function countClasses(json) {
  const counts = {};
  for (const n of json.nodes) counts[classOf(n)] = (counts[classOf(n)] ?? 0) + 1;
  return counts;
}
const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

const browser = await chromium.launch({
  executablePath: env("MAP_CHROMIUM"),
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

const failures = [];
let count = 0;
let page;
let consoleLog = [];

async function check(name, fn) {
  count++;
  const t0 = Date.now();
  try {
    await Promise.race([fn(), sleep(60_000).then(() => { throw new CheckFailed("the check took more than 60s"); })]);
    console.log(`ok   ${count}. ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  } catch (err) {
    const message = err instanceof CheckFailed ? err.message : (err.stack ?? String(err)).split("\n").slice(0, 4).join("\n     ");
    console.log(`FAIL ${count}. ${name}\n     ${message}`);
    failures.push(`${count}. ${name}: ${message.split("\n")[0]}`);
    fs.mkdirSync(artifacts, { recursive: true });
    const shot = path.join(artifacts, `${String(count).padStart(2, "0")}-${name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60)}.png`);
    if (page) await page.screenshot({ path: shot }).then(() => console.log(`     screenshot: ${shot}`), () => undefined);
  }
}

/** Centres node `v` at zoom 1 and reads the colour of each of its bands from the canvas. */
async function paintedColours(v) {
  return page.evaluate((v) => {
    const api = window.qclsMap;
    const canvas = document.getElementById("map");
    const ctx = canvas.getContext("2d");
    const dpr = window.devicePixelRatio || 1;
    const [x, y, w, h] = api.box(v);
    api.setView(1, canvas.clientWidth / 2 - (x + w / 2), canvas.clientHeight / 2 - (y + h / 2));
    return api.samplePoints(v).map(([px, py]) => {
      const d = ctx.getImageData(Math.round(px * dpr), Math.round(py * dpr), 1, 1).data;
      return [d[0], d[1], d[2]];
    });
  }, v);
}

const hex = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
const near = (a, b) => a.every((x, i) => Math.abs(x - b[i]) <= 2);

for (const name of cases) {
  const json = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8"));
  const configText = fs.readFileSync(path.join(dir, `${name}.config.json`), "utf8");
  const expected = countClasses(json);
  const url = pathToFileURL(path.join(dir, `${name}.html`)).href;
  console.log(`\n${name}: ${json.nodes.length} nodes, expected ${JSON.stringify(sorted(expected))}`);
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  consoleLog = [];
  const requests = [];
  page.on("console", (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => consoleLog.push(`[pageerror] ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));

  await check(`${name}: the page opens and draws, fetching nothing`, async () => {
    await page.goto(url);
    await until("the first frame (window.qclsMap.ready)", () => page.evaluate(() => window.qclsMap && window.qclsMap.ready));
    expect(same(requests, [url]), `the page made requests: ${JSON.stringify(requests.filter((r) => r !== url))}`);
    const n = await page.evaluate(() => window.qclsMap.nodeCount());
    expect(n === json.nodes.length, `the page has ${n} nodes, explain has ${json.nodes.length}`);
  });

  await check(`${name}: the legend counts the nodes of each precision as explain --format json does`, async () => {
    const legend = await page.$$eval("#legend .row", (rows) => rows.map((r) => [r.dataset.class, Number(r.dataset.count)]));
    const classes = Object.fromEntries(legend.filter(([c]) => c !== "boundary"));
    expect(same(sorted(classes), sorted(expected)), `legend ${JSON.stringify(sorted(classes))}, expected ${JSON.stringify(sorted(expected))}`);
    const boundary = legend.find(([c]) => c === "boundary");
    expect(boundary && boundary[1] > 0, `the legend counts no precision change: ${JSON.stringify(legend)}`);
    const texts = await page.$$eval("#legend .row", (rows) => rows.map((r) => r.innerText));
    expect(texts.every((t) => /\d+$/.test(t.trim())), `legend rows without their count: ${JSON.stringify(texts)}`);
  });

  await check(`${name}: every node is painted in the colours of its precisions (pixels read from the canvas)`, async () => {
    const classes = await page.evaluate(() => JSON.parse(document.getElementById("qcls-map-data").textContent).classes);
    const colourOf = Object.fromEntries(classes.map((c) => [c.key, hex(c.color)]));
    const order = classes.map((c) => c.key);
    const painted = {};
    const wrong = [];
    for (let v = 0; v < json.nodes.length; v++) {
      const node = json.nodes[v];
      const shownName = await page.evaluate((v) => window.qclsMap.name(v), v);
      expect(shownName === node.name, `node ${v} is ${JSON.stringify(shownName)} on the page, ${JSON.stringify(node.name)} in explain`);
      const colours = await paintedColours(v);
      const keys = colours.map((rgb) => order.find((k) => k !== "mixed" && near(rgb, colourOf[k])) ?? `rgb(${rgb})`);
      const key = keys.length === 1 ? keys[0] : "mixed";
      painted[key] = (painted[key] ?? 0) + 1;
      const want = classOf(node);
      const wantBands = want === "mixed"
        ? order.filter((k) => node.inputs.some((i) => i.precision === k))
        : [want];
      if (key !== want || !same(keys, wantBands)) wrong.push(`${node.name}: painted ${keys.join("|")}, expected ${wantBands.join("|")}`);
    }
    expect(wrong.length === 0, `${wrong.length} nodes in the wrong colours: ${wrong.slice(0, 5).join("; ")}`);
    expect(same(sorted(painted), sorted(expected)), `painted ${JSON.stringify(sorted(painted))}, expected ${JSON.stringify(sorted(expected))}`);
  });

  await check(`${name}: Fit shows the whole model, every node drawn once`, async () => {
    await page.click("#fit");
    await until("every node drawn after Fit", async () => {
      const d = await page.evaluate(() => window.qclsMap.drawn());
      return d && d.nodes === json.nodes.length;
    }, { detail: () => page.evaluate(() => JSON.stringify(window.qclsMap.drawn())) });
  });

  // A node with a node_config entry, found by typing part of its name.
  const entryName = json.nodes.find((n) => n.overridden && !n.ambiguous)?.name;
  await check(`${name}: search finds ${entryName} and shows its inputs, their precisions and the lines that decided them`, async () => {
    expect(entryName, "the fixture has no node_config entry");
    const fragment = entryName.split("/").slice(-2).join("/");
    await page.click("#search");
    await page.keyboard.type(fragment);
    await until(`a search result naming ${entryName}`, async () =>
      (await page.$$eval("#results li", (lis) => lis.map((l) => l.innerText))).some((t) => t.startsWith(entryName)),
    { detail: () => page.$$eval("#results li", (lis) => lis.map((l) => l.innerText).join(" | ")) });
    // The results list the matches only.
    const results = await page.$$eval("#results li[data-node]", (lis) => lis.map((l) => l.innerText));
    expect(results.every((t) => t.toLowerCase().includes(fragment.toLowerCase())), `results that do not match: ${results.join(" | ")}`);
    const index = results.findIndex((t) => t.startsWith(entryName));
    for (let i = 0; i < index; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await expectDetails(json.nodes.find((n) => n.name === entryName), configText);
    const selected = await page.evaluate(() => window.qclsMap.name(window.qclsMap.selected()));
    expect(selected === entryName, `selected ${selected}`);
  });

  // A node of another precision than the first, clicked with the mouse.
  const target = json.nodes.find((n) => classOf(n) !== classOf(json.nodes[0]) && classOf(n) !== "none" && n.name !== entryName);
  await check(`${name}: a click on ${target?.name} shows it`, async () => {
    expect(target, "the fixture has a single precision");
    await page.keyboard.press("Escape");
    const v = json.nodes.indexOf(target);
    const [x, y] = await page.evaluate((v) => {
      const api = window.qclsMap, canvas = document.getElementById("map");
      const [x, y, w, h] = api.box(v);
      api.setView(1, canvas.clientWidth / 2 - (x + w / 2), canvas.clientHeight / 2 - (y + h / 2));
      return api.screenCenter(v);
    }, v);
    const r = await page.locator("#map").boundingBox();
    await page.mouse.click(r.x + x, r.y + y);
    await expectDetails(target, configText);
  });

  // A group: its title closes it into one box in the colours of its mix; a click on the box opens it.
  const groupName = await page.evaluate(() => {
    const d = JSON.parse(document.getElementById("qcls-map-data").textContent);
    let best = 1;
    for (let g = 1; g < d.groups.parent.length; g++) if (d.groups.count[g] > d.groups.count[best]) best = g;
    return d.groups.parent.length > 1 ? d.groups.name[best] : null;
  });
  await check(`${name}: a click on the title of ${groupName} closes it into one box, a click on the box opens it`, async () => {
    expect(groupName, "the page has no group");
    await page.keyboard.press("Escape");
    const before = await page.evaluate((g) => {
      // Its top-left corner at (40, 40) of the canvas, at zoom 1.
      const api = window.qclsMap, v = api.view(), b = api.group(g).box;
      api.setView(1, 40 - (b[0] - v.tx) / v.s, 40 - (b[1] - v.ty) / v.s);
      return { group: api.group(g), drawn: api.drawn() };
    }, groupName);
    expect(before.group.open, `${groupName} starts closed`);
    const r = await page.locator("#map").boundingBox();
    const [bx, by] = before.group.box;
    await page.mouse.click(r.x + bx + 30, r.y + by + before.group.head / 2);
    await until(`${groupName} closed`, async () => !(await page.evaluate((g) => window.qclsMap.group(g).open, groupName)));
    const after = await until("a frame with one more closed box", async () => {
      const d = await page.evaluate(() => window.qclsMap.drawn());
      return d.closed === before.drawn.closed + 1 && d.nodes < before.drawn.nodes ? d : null;
    }, { detail: () => page.evaluate(() => JSON.stringify(window.qclsMap.drawn())) });
    expect(after.open < before.drawn.open, `open frames ${before.drawn.open} -> ${after.open}`);
    // The box is painted in the colours of the group's mix.
    const mixColours = await page.evaluate((g) => {
      const d = JSON.parse(document.getElementById("qcls-map-data").textContent);
      const i = d.groups.name.indexOf(g);
      const out = [];
      for (let k = 0; k < d.groups.mix[i].length; k += 2) out.push(d.classes[d.groups.mix[i][k]].color);
      return out;
    }, groupName);
    const box = await page.evaluate((g) => window.qclsMap.group(g).box, groupName);
    const sample = await page.evaluate(([x, y]) => {
      const c = document.getElementById("map"), dpr = window.devicePixelRatio || 1;
      const d = c.getContext("2d").getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
      return [d[0], d[1], d[2]];
    }, [box[0] + 3, Math.min(box[1] + box[3] - 3, box[1] + 60)]);
    expect(mixColours.some((c) => near(sample, hex(c))), `the closed box is rgb(${sample}), not one of its mix ${mixColours.join(" ")}`);
    await page.mouse.click(r.x + box[0] + Math.min(box[2] / 2, 200), r.y + box[1] + Math.min(box[3] / 2, 200));
    await until(`${groupName} open again`, () => page.evaluate((g) => window.qclsMap.group(g).open, groupName));
  });

  await check(`${name}: no errors in the browser console`, async () => {
    const errors = consoleLog.filter((l) => l.startsWith("[error]") || l.startsWith("[pageerror]"));
    expect(errors.length === 0, errors.join("\n"));
  });
  if (failures.length) fs.writeFileSync(path.join(artifacts, `${name}-console.log`), consoleLog.join("\n") + "\n");
  await page.close();
}

/** The details panel shows `node`: its name, op type and, per input, the precision and the setting (with its line) explain gives. */
async function expectDetails(node, configText) {
  await until(`the details of ${node.name}`, async () => (await page.locator("#details-name").innerText().catch(() => "")) === node.name, {
    detail: async () => (await page.locator("#details").isVisible()) ? await page.locator("#details").innerText() : "no details shown",
  });
  const op = await page.locator("#details-op").innerText();
  expect(op.includes(`op type ${node.op_type}`), `details say ${JSON.stringify(op)}`);
  const rows = await page.$$eval("#details-inputs tr[data-input]", (trs) => trs.map((tr) => [...tr.children].map((td) => td.innerText.trim())));
  expect(rows.length === node.inputs.length, `${rows.length} input rows for ${node.inputs.length} inputs`);
  node.inputs.forEach((input, i) => {
    const [index, tensor, precision, source] = rows[i];
    expect(index === String(i), `row ${i} is input ${index}`);
    const wantPrecision = input.precision ?? "(omitted)";
    expect(precision === wantPrecision, `input ${i}: precision ${precision}, expected ${wantPrecision}`);
    const wantSource = input.precision === null ? "" : input.source ? `${input.source.path} (line ${input.source.line + 1})` : "default";
    expect(source === wantSource, `input ${i}: decided by ${JSON.stringify(source)}, expected ${JSON.stringify(wantSource)}`);
    if (input.weight) expect(tensor === `${input.tensor} (weight)`, `input ${i}: ${tensor}`);
  });
  const entry = await page.locator("#details-entry").innerText();
  const lineOfEntry = configText.split("\n").findIndex((l) => l.includes(JSON.stringify(node.name) + ":")) + 1;
  const wantEntry = node.overridden ? `node_config entry on line ${lineOfEntry}` : "no node_config entry";
  expect(entry === wantEntry, `details say ${JSON.stringify(entry)}, expected ${JSON.stringify(wantEntry)}`);
}

await browser.close();
console.log(failures.length === 0 ? `\nall ${count} checks passed` : `\n${failures.length} of ${count} checks failed:\n  ${failures.join("\n  ")}`);
process.exit(failures.length === 0 ? 0 : 1);
