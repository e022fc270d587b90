// Build the extension: copy the JSON Schema from the repository's schemas/ folder (or from
// $QCLS_SCHEMA) into ./schemas/, then bundle src/extension.ts into dist/extension.js.
//   node scripts/build.mjs                      development build (source maps)
//   node scripts/build.mjs --production         minified, no source maps
//   node scripts/build.mjs --require-schema     fail when the schema is missing (packaging)
import * as esbuild from "esbuild";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const production = process.argv.includes("--production");
const requireSchema = process.argv.includes("--require-schema");

const schemaSource = process.env.QCLS_SCHEMA
  ? resolve(process.env.QCLS_SCHEMA)
  : resolve(root, "..", "..", "schemas", "quant_config.schema.json");
const schemaTarget = join(root, "schemas", "quant_config.schema.json");

if (existsSync(schemaSource)) {
  mkdirSync(dirname(schemaTarget), { recursive: true });
  copyFileSync(schemaSource, schemaTarget);
  console.log(`schema: copied ${schemaSource}`);
} else if (requireSchema) {
  console.error(
    `error: ${schemaSource} does not exist; the extension's jsonValidation needs it.\n` +
      "Commit schemas/quant_config.schema.json (qcls schema > schemas/quant_config.schema.json) or set QCLS_SCHEMA.",
  );
  process.exit(1);
} else {
  console.warn(`warning: ${schemaSource} does not exist; building without the JSON Schema`);
}

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
