// Build the extension: bundle src/extension.ts into dist/extension.js.
//   node scripts/build.mjs                      development build (source maps)
//   node scripts/build.mjs --production         minified, no source maps
// The extension contributes no JSON Schema: qcls itself validates, completes and documents
// quant_configs, and VS Code's JSON server validating a schema too gave every bad value a
// second, profile-blind diagnostic and a second hover with raw Markdown.
import * as esbuild from "esbuild";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const production = process.argv.includes("--production");
await esbuild.build({
  entryPoints: [join(root, "src", "extension.ts")],
  outfile: join(root, "dist", "extension.js"),
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  external: ["vscode"],
  minify: production,
  sourcemap: !production,
  logLevel: "info",
});
