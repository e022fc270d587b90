// Drives VS Code (code-server) in Debian's chromium through playwright-core and checks what a
// user of the qcls extension sees. Started by run.sh, which sets:
//   E2E_URL        where code-server listens
//   E2E_WORKSPACE  the workspace folder (fixtures/ plus the resnet18 model)
//   E2E_SERVER     server/qcls of the installed extension (its exec bit taken away by run.sh)
//   E2E_EXPECTED   `qcls check --format json quant_config.json` of that server, run in the workspace
//   E2E_EXPLAIN    `qcls explain --format json quant_config.json` of that server, run in the workspace
//   E2E_ARTIFACTS  where screenshots of failed checks go
//   E2E_CHROMIUM   the chromium executable
// Every check waits for a condition (never a fixed sleep) with its own timeout, and says what
// it waited for when it fails. A failed check is reported, screenshotted, and the next runs.
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium } from "playwright-core";

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: start this through run.sh`);
  return v;
}
const baseUrl = env("E2E_URL");
const workspace = env("E2E_WORKSPACE");
const serverBin = env("E2E_SERVER");
const artifacts = env("E2E_ARTIFACTS");
const expected = JSON.parse(fs.readFileSync(env("E2E_EXPECTED"), "utf8"));
const chromiumBin = env("E2E_CHROMIUM");
const explained = JSON.parse(fs.readFileSync(env("E2E_EXPLAIN"), "utf8"));

const CONFIG = "quant_config.json";
const MODEL = "optimized_float_model.onnx";
const fixtureText = fs.readFileSync(path.join(workspace, CONFIG), "utf8");
/** What the Problems panel must show: qcls's diagnostics but hints, which it never lists. */
const SEVERITY_LABEL = { error: "Error", warning: "Warning", information: "Info" };
const shown = expected.diagnostics.filter((d) => d.file === CONFIG && d.severity !== "hint");

/** 1-based line and column of the first occurrence of `needle` in `text`, plus `offset` columns. */
function positionOf(needle, offset = 0, text = fixtureText) {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const col = lines[i].indexOf(needle);
    if (col >= 0) return { line: i + 1, column: col + 1 + offset };
  }
  throw new Error(`the fixture has no ${needle}`);
}

class CheckFailed extends Error {}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns something truthy (which is returned). After `timeout` ms,
 * fails with `what`, plus what `detail()` says about the state at that moment.
 */
async function until(what, probe, { timeout = 20_000, every = 200, detail } = {}) {
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

// ---- the browser ---------------------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: chromiumBin,
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
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.setDefaultTimeout(20_000);
const consoleLog = [];
page.on("console", (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
page.on("pageerror", (e) => consoleLog.push(`[pageerror] ${e.message}`));

const byId = (id) => page.locator(`[id="${id}"]`);
const QCLS_STATUS = "qcls.qcls.qcls.model"; // <publisher>.<name>.<status item id>
const activeEditor = () => page.locator(".editor-group-container.active .monaco-editor").first();
const quickInput = page.locator(".quick-input-widget");
const quickInputBox = page.locator(".quick-input-widget .quick-input-box input");

/** The lines the active editor shows (inlay hints included), in order, with non-breaking spaces as spaces. */
async function editorText() {
  const lines = await activeEditor()
    .locator(".view-lines")
    .evaluate((e) =>
      [...e.querySelectorAll(".view-line")]
        .map((l) => ({ top: parseFloat(l.style.top) || 0, text: l.textContent ?? "" }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
  return lines.join("\n").replace(/\u00a0/g, " ");
}

async function languageMode() {
  return (await byId("status.editor.mode").innerText()).trim();
}

async function focusEditor() {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+1"); // View: Focus First Editor Group
}

function exactly(text) {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
}

/**
 * Presses `key` until the quick input opens. A webview (the precision map, a Markdown preview)
 * that has just opened or been clicked can keep the keyboard, and then the key never reaches
 * the workbench: after a few seconds, focus the Explorer's title and press again.
 */
async function openQuickInput(key) {
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    try {
      await quickInputBox.waitFor({ state: "visible", timeout: 4_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
    }
    await page.locator(".part.sidebar .composite.title").first().click();
  }
}

/**
 * Runs a command from the command palette by its exact label. A webview taking the focus just
 * after the palette opened closes it again: then the palette is opened anew (the command is
 * clicked only once, when its row is there).
 */
async function runCommand(label) {
  const row = quickInput.locator(".monaco-list-row", { has: page.locator(".label-name", { hasText: exactly(label) }) }).first();
  for (let attempt = 1; ; attempt++) {
    try {
      await openQuickInput("F1");
      await quickInputBox.fill(`>${label}`, { timeout: 4_000 });
      await row.waitFor({ state: "visible", timeout: 4_000 });
      break;
    } catch (e) {
      if (attempt === 3) {
        const rows = await quickInput.locator(".monaco-list-row .label-name").allInnerTexts().catch(() => []);
        throw new CheckFailed(`the command palette did not offer "${label}" (it lists: ${rows.slice(0, 8).join(" | ") || "nothing"}): ${e.message.split("\n")[0]}`);
      }
      await page.keyboard.press("Escape");
      await page.locator(".part.sidebar .composite.title").first().click();
    }
  }
  await row.click();
  await quickInput.waitFor({ state: "hidden" });
}

/** Opens a workspace file with Quick Open and waits for its tab to be the active one. */
async function openFile(relPath) {
  const name = path.basename(relPath);
  await focusEditor();
  await page.keyboard.press("Control+P");
  await quickInputBox.waitFor({ state: "visible" });
  await quickInputBox.fill(relPath);
  const row = quickInput.locator(".monaco-list-row", { has: page.locator(".label-name", { hasText: exactly(name) }) }).first();
  await row.waitFor({ state: "visible" });
  await row.click();
  await until(`the tab of ${relPath} to be active`, async () =>
    (await page.locator(".editor-group-container.active .tab.active").getAttribute("aria-label"))?.startsWith(name),
  );
  await activeEditor().locator(".view-lines").waitFor({ state: "visible" });
}

/** Puts the cursor at a 1-based line and column with Go to Line. */
async function goTo({ line, column }) {
  // As in runCommand: a webview that takes the focus closes the quick input; open it again,
  // from the tab of the file it is for.
  const file = (await page.locator(".editor-group-container.active .tab.active .label-name").first().innerText()).trim();
  for (let attempt = 1; ; attempt++) {
    try {
      await openQuickInput("Control+G");
      await quickInputBox.fill(`:${line}:${column}`, { timeout: 4_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press("Escape");
      await page.locator(".part.sidebar .composite.title").first().click();
      await page.locator(".editor-group-container .tab", { hasText: file }).first().click();
    }
  }
  await page.keyboard.press("Enter");
  await quickInput.waitFor({ state: "hidden" });
  await until(`the cursor at Ln ${line}, Col ${column}`, async () => (await byId("status.editor.selection").innerText()).includes(`Ln ${line}, Col ${column}`), {
    detail: () => byId("status.editor.selection").innerText(),
  });
}

/** Presses Control+Z in the active editor until `done()` (at most 6 times). */
async function undoUntil(what, done) {
  for (let i = 0; i < 6 && !(await done()); i++) {
    await page.keyboard.press("Control+Z");
    await sleep(300);
  }
  if (!(await done())) throw new CheckFailed(`${what}: not so after 6 undos:\n${await editorText()}`);
}

/** A dialog, notification or picker about formatters ("There are multiple formatters ..."), if one is shown. */
async function formatterPrompt() {
  for (const dialog of await page.locator(".monaco-dialog-box").allInnerTexts()) {
    if (/formatter/i.test(dialog)) return dialog;
  }
  for (const toast of await page.locator(".notifications-toasts .notification-toast").allInnerTexts()) {
    if (/formatter/i.test(toast)) return toast;
  }
  if (await quickInput.isVisible()) {
    const text = await quickInput.innerText();
    if (/formatter/i.test(text)) return text;
  }
  return undefined;
}

/** Format Document, failing at once if VS Code asks which formatter to use. */
async function formatDocument(what, isFormatted) {
  await runCommand("Format Document");
  await until(what, async () => {
    const prompt = await formatterPrompt();
    if (prompt !== undefined) throw new CheckFailed(`VS Code asked which formatter to use: ${prompt.replace(/\s+/g, " ")}`);
    return isFormatted(await editorText());
  }, { detail: editorText });
  const prompt = await formatterPrompt();
  if (prompt !== undefined) throw new CheckFailed(`VS Code asked which formatter to use: ${prompt.replace(/\s+/g, " ")}`);
}

/** The Problems panel's rows: files, markers (`severity`, `message`, `source`) and related information. */
async function problemRows() {
  const labels = await page.locator(".markers-panel .monaco-list-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("aria-label") ?? ""));
  return labels.map((label) => {
    const m = /^(Error|Warning|Info): (.*) at line (\d+) and character (\d+)\.(.*?)(?: generated by (.*))?$/s.exec(label);
    if (m) return { kind: "marker", severity: m[1], message: m[2], line: Number(m[3]), column: Number(m[4]), source: m[6]?.trim(), label };
    const f = /^\d+ problems? in file (.*?) of folder/.exec(label);
    if (f) return { kind: "file", file: f[1], label };
    return { kind: "other", label };
  });
}

/** The marker rows listed under `file` in the Problems panel. */
function markersOf(rows, file) {
  const out = [];
  let inFile = false;
  for (const r of rows) {
    if (r.kind === "file") inFile = r.file === file;
    else if (r.kind === "marker" && inFile) out.push(r);
  }
  return out;
}

async function outlineLabels() {
  return page.locator(".outline-pane .monaco-list-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("aria-label") ?? r.textContent ?? ""));
}

// ---- checks ----------------------------------------------------------------------------------

const failures = [];
let count = 0;
let aborted = false;

async function check(name, timeout, fn, { fatal = false } = {}) {
  count++;
  if (aborted) {
    console.log(`skip ${count}. ${name}`);
    failures.push(`${count}. ${name}: skipped (an earlier check it needs failed)`);
    return;
  }
  const t0 = Date.now();
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new CheckFailed(`the check took more than ${timeout / 1000}s`)), timeout);
      }),
    ]);
    console.log(`ok   ${count}. ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  } catch (err) {
    const message = err instanceof CheckFailed ? err.message : (err.stack ?? String(err)).split("\n").slice(0, 4).join("\n     ");
    console.log(`FAIL ${count}. ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)\n     ${message}`);
    failures.push(`${count}. ${name}: ${message.split("\n")[0]}`);
    const shot = path.join(artifacts, `${String(count).padStart(2, "0")}-${name.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60)}.png`);
    await page.screenshot({ path: shot }).then(() => console.log(`     screenshot: ${shot}`), () => undefined);
    if (fatal) aborted = true;
    await focusEditor().catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
}

await check("code-server answers and VS Code's workbench loads with the workspace", 120_000, async () => {
  await until("code-server's /healthz", async () => (await fetch(new URL("healthz", baseUrl)).catch(() => undefined))?.ok, { timeout: 60_000 });
  const url = new URL(baseUrl);
  url.searchParams.set("folder", workspace);
  await page.goto(url.toString());
  await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60_000 });
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: CONFIG }).first().waitFor({ state: "visible", timeout: 60_000 });
}, { fatal: true });

await check(`${CONFIG} opens in an editor`, 60_000, () => openFile(CONFIG), { fatal: true });

await check(`${CONFIG} is in the quant_config language mode`, 30_000, async () => {
  await until('the language mode "quant_config" in the status bar', async () => (await languageMode()) === "quant_config", { detail: languageMode });
});

await check("the extension activates and runs the server bundled in the .vsix (made executable again)", 120_000, async () => {
  const item = byId(QCLS_STATUS);
  await until(`the qcls status bar item naming ${MODEL}`, async () => (await item.isVisible()) && (await item.innerText()).includes(MODEL), {
    timeout: 90_000,
    detail: async () => ((await item.count()) ? await item.innerText() : "no qcls status bar item"),
  });
  const real = fs.realpathSync(serverBin);
  const running = fs.readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return fs.readlinkSync(`/proc/${pid}/exe`) === real;
    } catch {
      return false;
    }
  });
  if (running.length === 0) {
    const others = fs.readdirSync("/proc").flatMap((pid) => {
      try {
        const exe = fs.readlinkSync(`/proc/${pid}/exe`);
        return path.basename(exe) === "qcls" ? [exe] : [];
      } catch {
        return [];
      }
    });
    throw new CheckFailed(`no process runs ${real}; qcls processes: ${others.join(", ") || "none"}`);
  }
  const mode = fs.statSync(serverBin).mode;
  if ((mode & 0o111) === 0) throw new CheckFailed(`${serverBin} is still not executable (mode ${(mode & 0o777).toString(8)})`);
});

await check("the code lens on line 1 and the status bar item show the paired model", 30_000, async () => {
  const lens = activeEditor().locator(".codelens-decoration");
  await until(`a code lens naming ${MODEL}`, async () => (await lens.allInnerTexts()).some((t) => t.includes(MODEL)), {
    detail: async () => JSON.stringify(await lens.allInnerTexts()),
  });
  const status = await byId(QCLS_STATUS).innerText();
  if (!status.includes(MODEL)) throw new CheckFailed(`the status bar item says "${status}"`);
});

await check(`the Problems panel lists exactly qcls's ${shown.length} diagnostics, each once`, 60_000, async () => {
  await page.keyboard.press("Control+Shift+M");
  await page.locator(".markers-panel").waitFor({ state: "visible" });
  const describe = async () => JSON.stringify((await problemRows()).map((r) => r.label));
  await until(`${shown.length} markers, all from qcls, matching \`qcls check\``, async () => {
    const markers = markersOf(await problemRows(), CONFIG);
    if (markers.length !== shown.length) return false;
    for (const d of shown) {
      const same = markers.filter((m) => m.message === d.message && m.line === d.range.start.line + 1 && m.column === d.range.start.character + 1);
      if (same.length !== 1 || same[0].severity !== SEVERITY_LABEL[d.severity]) return false;
    }
    return markers.every((m) => m.source === "qcls");
  }, { timeout: 45_000, detail: describe });
  const counts = (await byId("status.problems").getAttribute("aria-label")) ?? "";
  const want = `Errors: ${shown.filter((d) => d.severity === "error").length}, Warnings: ${shown.filter((d) => d.severity === "warning").length}`;
  if (!counts.startsWith(want)) throw new CheckFailed(`the status bar counts "${counts}", expected "${want}"`);
  await focusEditor();
});

await check("the outline and breadcrumbs are qcls's alone", 30_000, async () => {
  await runCommand("Explorer: Focus on Outline View");
  // With a second outline provider, VS Code groups the symbols under each provider's name.
  await until("an outline that starts with model_config, lists it and op_config once, and has no provider groups", async () => {
    const labels = await outlineLabels();
    const once = (k) => labels.filter((l) => l.split(" ")[0] === k).length === 1;
    return labels[0]?.startsWith("model_config ") && once("model_config") && once("op_config") && !labels.some((l) => /JSON Language Features|quant_config \(qcls\)/.test(l));
  }, { detail: async () => JSON.stringify(await outlineLabels()) });
  await focusEditor();
});

await check("hover on a node name shows the precision table, rendered", 30_000, async () => {
  await goTo(positionOf('"/layer1/layer1.0/conv1/Conv"', 3));
  await page.keyboard.press("Control+K");
  await page.keyboard.press("Control+I"); // Show or Focus Hover
  const hover = page.locator(".monaco-hover").filter({ has: page.locator("table") }).first();
  await until("a hover with a table", () => hover.isVisible());
  const text = await hover.innerText();
  const rows = await hover.locator("tr").count();
  if (rows < 2) throw new CheckFailed(`the hover's table has ${rows} rows: ${text}`);
  if (/^\s*\|/m.test(text)) throw new CheckFailed(`the hover shows raw Markdown table rows: ${text}`);
  if (!text.includes("int16")) throw new CheckFailed(`the hover does not show the node's int16 precision: ${text}`);
  await page.keyboard.press("Escape");
});

await check('"qcls: Show effective precision" opens its view with the table of every node', 60_000, async () => {
  await runCommand("qcls: Show effective precision");
  await until("a tab of the precision view", async () => (await page.locator(".tab", { hasText: "precision.md" }).count()) > 0, {
    detail: async () => JSON.stringify(await page.locator(".tab").allInnerTexts()),
  });
  await until("the precision table (with /conv1/Conv) in the Markdown preview", async () => {
    for (const frame of page.frames()) {
      const found = await frame
        .evaluate(() => [...document.querySelectorAll("table")].some((t) => t.innerText.includes("/conv1/Conv") && t.innerText.includes("Precision")))
        .catch(() => false);
      if (found) return true;
    }
    return false;
  }, { timeout: 30_000 });
  // Close the preview (not the config): make its tab the active one first.
  await page.locator(".tab", { hasText: "precision.md" }).first().click();
  await until("the precision view to be the active editor", async () => (await page.locator(".tab.active", { hasText: "precision.md" }).count()) > 0);
  await runCommand("View: Close Editor");
  await until("the precision view closed", async () => (await page.locator(".tab", { hasText: "precision.md" }).count()) === 0);
  await focusEditor();
  await until(`${CONFIG} to be the active editor again`, async () =>
    (await page.locator(".editor-group-container.active .tab.active").getAttribute("aria-label"))?.startsWith(CONFIG),
  );
});

await check('"qcls: Show precision map" opens the map beside the config, follows typing; a click on a node selects its entry or adds one', 150_000, async () => {
  // The map's classes: a node's one input precision, "mixed" when they differ, "none" without inputs.
  const want = {};
  for (const n of explained.nodes) {
    const ps = [...new Set(n.inputs.map((i) => i.precision).filter((p) => p !== null))];
    const key = ps.length === 0 ? "none" : ps.length === 1 ? ps[0] : "mixed";
    want[key] = (want[key] ?? 0) + 1;
  }
  const wanted = JSON.stringify(Object.entries(want).sort());
  await runCommand("qcls: Show precision map");
  await until("a tab of the precision map", async () => (await page.locator(".tab", { hasText: "Precision map" }).count()) > 0, {
    detail: async () => JSON.stringify(await page.locator(".tab").allInnerTexts()),
  });
  let legend = "";
  const map = await until(`the map drawn in its webview with the legend ${wanted}`, async () => {
    for (const frame of page.frames()) {
      const seen = await frame
        .evaluate(() => window.qclsMap && window.qclsMap.ready
          ? JSON.stringify([...document.querySelectorAll("#legend .row")].filter((r) => r.dataset.class !== "boundary").map((r) => [r.dataset.class, Number(r.dataset.count)]).sort())
          : null)
        .catch(() => null);
      if (seen !== null) legend = seen;
      if (seen === wanted) return frame;
    }
    return null;
  }, { timeout: 60_000, detail: () => legend || "no frame with a drawn map" });
  // A click on a node with a node_config entry selects the entry's key in the config.
  const node = "/layer1/layer1.0/conv1/Conv";
  const line = positionOf(`"${node}"`).line;
  const [x, y] = await map.evaluate((name) => {
    const api = window.qclsMap, canvas = document.getElementById("map");
    const v = api.find(name);
    const [bx, by, bw, bh] = api.box(v);
    api.setView(1, canvas.clientWidth / 2 - (bx + bw / 2), canvas.clientHeight / 2 - (by + bh / 2));
    return api.screenCenter(v);
  }, node);
  await map.locator("#map").click({ position: { x, y } });
  await until(`the cursor on line ${line}, the entry of ${node}`, async () => (await byId("status.editor.selection").innerText()).includes(`Ln ${line},`), {
    detail: () => byId("status.editor.selection").innerText(),
  });
  // The click leaves the keyboard with the map's frame for a moment (Control+G then went to the
  // webview and no quick input opened): give it to the config's editor before typing.
  await page.locator(".tab", { hasText: "quant_config.json" }).first().click();
  // Typing redraws the map: int16 -> float16 in that entry moves one node between the counts.
  const legendOf = () => map.evaluate(() => Object.fromEntries([...document.querySelectorAll("#legend .row")].map((r) => [r.dataset.class, Number(r.dataset.count)])));
  const before = await legendOf();
  const at = positionOf('"int16"', 1, fixtureText.split("\n").slice(line - 1).join("\n"));
  await goTo({ line: line + at.line - 1, column: at.column });
  await page.keyboard.press("Control+Shift+ArrowRight");
  await page.keyboard.type("float16");
  await until("float16 counted once more in the map's legend", async () => {
    const now = await legendOf();
    return (now.float16 ?? 0) === (before.float16 ?? 0) + 1 && (now.int16 ?? 0) === (before.int16 ?? 0) - 1;
  }, { timeout: 30_000, detail: async () => JSON.stringify(await legendOf()) });
  // (The editor shows inlay hints after node names: look for the name and the value on one line.)
  const entryIs = async (name, value) => (await editorText()).split("\n").some((l) => l.includes(`"${name}"`) && l.includes(value));
  await undoUntil(`"int16" back in the entry of ${node}`, () => entryIs(node, '{"qtype": "int16"}'));
  await until("the legend as it was after the undo", async () => JSON.stringify(await legendOf()) === JSON.stringify(before), {
    timeout: 30_000, detail: async () => JSON.stringify(await legendOf()),
  });
  // A click on a node without an entry offers to add one, with the qtype picked. (First close
  // the details of the last node, which cover the middle of a narrow map.)
  await map.locator("#details .close").click();
  await map.locator("#details").waitFor({ state: "hidden" });
  const bare = "/relu/Relu";
  const [bx, by] = await map.evaluate((name) => {
    const api = window.qclsMap, canvas = document.getElementById("map");
    const v = api.find(name);
    const [x0, y0, w0, h0] = api.box(v);
    api.setView(1, canvas.clientWidth / 2 - (x0 + w0 / 2), canvas.clientHeight / 2 - (y0 + h0 / 2));
    return api.screenCenter(v);
  }, bare);
  await map.locator("#map").click({ position: { x: bx, y: by } });
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: `${bare} has no node_config entry` });
  await toast.waitFor({ state: "visible" });
  await toast.locator(".monaco-button", { hasText: "Add node_config entry" }).click();
  await quickInputBox.waitFor({ state: "visible" });
  const int16 = quickInput.locator(".monaco-list-row", { has: page.locator(".label-name", { hasText: exactly("int16") }) }).first();
  await int16.click();
  await until(`the entry "${bare}": {"qtype": "int16"} in the config`, () => entryIs(bare, '{"qtype": "int16"}'), {
    detail: editorText,
  });
  await undoUntil(`the entry of ${bare} undone`, async () => !(await editorText()).includes(`"${bare}"`));
  // Close the map (not the config): make its tab the active one first.
  await page.locator(".tab", { hasText: "Precision map" }).first().click();
  await until("the map to be the active editor", async () => (await page.locator(".tab.active", { hasText: "Precision map" }).count()) > 0);
  await runCommand("View: Close Editor");
  await until("the map closed", async () => (await page.locator(".tab", { hasText: "Precision map" }).count()) === 0);
  await focusEditor();
  await until(`${CONFIG} to be the active editor again`, async () =>
    (await page.locator(".editor-group-container.active .tab.active").getAttribute("aria-label"))?.startsWith(CONFIG),
  );
});

await check("the quick fix moves `ec` to input1", 30_000, async () => {
  await goTo(positionOf('"input0": "ec"', 11));
  await page.keyboard.press("Control+.");
  const title = "Move `ec` to input1";
  const rows = page.locator(".action-widget .monaco-list-row");
  const menu = async () => JSON.stringify(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute("aria-label"))));
  await until(`"${title}" in the quick fix menu`, async () => (await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute("aria-label")))).includes(title), {
    detail: menu,
  });
  // Choose it with the keyboard, as the menu is meant to be used.
  await until(`"${title}" selected`, async () => {
    if ((await page.locator(".action-widget .monaco-list-row.focused").getAttribute("aria-label")) === title) return true;
    await page.keyboard.press("ArrowDown");
    return false;
  }, { detail: menu });
  await page.keyboard.press("Enter");
  await until('"input1": "ec" in the document', async () => {
    const text = await editorText();
    return text.includes('"input1": "ec"') && !text.includes('"input0": "ec"');
  }, { detail: editorText });
});

await check("Format Document formats with qcls, without asking which formatter", 30_000, async () => {
  await goTo({ line: 1, column: 1 });
  await formatDocument("the mis-indented line re-indented", (text) => /^ {4}"model_output_type": "int8",$/m.test(text));
  await page.keyboard.press("Control+S");
  const disk = await until(`${CONFIG} saved with the quick fix and the formatting`, () => {
    const t = fs.readFileSync(path.join(workspace, CONFIG), "utf8");
    return t.includes('"input1": "ec"') && /^ {4}"model_output_type": "int8",$/m.test(t) ? t : false;
  }, { detail: () => fs.readFileSync(path.join(workspace, CONFIG), "utf8") });
  if (!disk.includes("// qcls end-to-end fixture")) throw new CheckFailed(`formatting lost the comment:\n${disk}`);
});

await check("completion offers the model's node names", 30_000, async () => {
  // Where node_config starts in the document as it is now (formatted or not): save, read it back.
  await page.keyboard.press("Control+S");
  await until(`${CONFIG} saved`, async () => (await page.locator(".editor-group-container.active .tab.active.dirty").count()) === 0);
  const at = positionOf('"node_config": {', 0, fs.readFileSync(path.join(workspace, CONFIG), "utf8"));
  await goTo({ line: at.line, column: 1 });
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.keyboard.type('"/layer2/layer2.0/c', { delay: 40 });
  const want = "/layer2/layer2.0/conv1/Conv";
  const item = page.locator(".suggest-widget .monaco-list-row", { hasText: want }).first();
  const shownNow = await item.waitFor({ state: "visible", timeout: 8_000 }).then(() => true, () => false);
  if (!shownNow) {
    await page.keyboard.press("Control+Space");
    await item.waitFor({ state: "visible" }).catch(async () => {
      throw new CheckFailed(`no ${want} among the suggestions: ${JSON.stringify(await page.locator(".suggest-widget .monaco-list-row").allInnerTexts())}`);
    });
  }
  await item.click();
  await until(`${want} inserted`, async () => (await editorText()).split("\n").some((l) => l.includes(want) && !l.includes("/layer2/layer2.0/c\"")), {
    detail: editorText,
  });
});

await check("a plain package.json keeps VS Code's JSON features (language, checker, formatter, outline)", 60_000, async () => {
  await openFile("package.json");
  await until('the language mode "JSON"', async () => (await languageMode()) === "JSON", { detail: languageMode });
  await until("the JSON checker's duplicate key warning for package.json, and nothing from qcls", async () => {
    const markers = markersOf(await problemRows(), "package.json");
    return markers.some((m) => /duplicate/i.test(m.message) && m.source !== "qcls") && !markers.some((m) => m.source === "qcls");
  }, { detail: async () => JSON.stringify(markersOf(await problemRows(), "package.json")) });
  if (await byId(QCLS_STATUS).isVisible()) throw new CheckFailed("the qcls status bar item shows for package.json");
  await formatDocument("package.json formatted by VS Code's JSON formatter", (text) => /^\s+"name": "demo-app",$/m.test(text));
  await runCommand("Explorer: Focus on Outline View");
  await until("the JSON outline of package.json", async () => (await outlineLabels()).some((l) => l.startsWith("name")), {
    detail: async () => JSON.stringify(await outlineLabels()),
  });
  await focusEditor();
});

await check("a JSON file qcls recognises by its content is switched to quant_config", 60_000, async () => {
  await openFile("calib/int16_nodes.json");
  await until('the language mode "quant_config"', async () => (await languageMode()) === "quant_config", { timeout: 30_000, detail: languageMode });
  const item = byId(QCLS_STATUS);
  await until(`the qcls status bar item naming ${MODEL}`, async () => (await item.isVisible()) && (await item.innerText()).includes(MODEL), {
    detail: async () => ((await item.count()) ? await item.innerText() : "no qcls status bar item"),
  });
});

if (failures.length > 0) {
  fs.writeFileSync(path.join(artifacts, "browser-console.log"), consoleLog.join("\n") + "\n");
  await page.screenshot({ path: path.join(artifacts, "final.png") }).catch(() => undefined);
}
await browser.close();
console.log(failures.length === 0 ? `\nall ${count} checks passed` : `\n${failures.length} of ${count} checks failed:\n  ${failures.join("\n  ")}`);
process.exit(failures.length === 0 ? 0 : 1);
