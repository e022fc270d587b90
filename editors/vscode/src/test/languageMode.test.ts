import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { JSON_LANGUAGES, languageToSwitchTo, PLAIN_LANGUAGE, QUANT_CONFIG_LANGUAGE } from "../languageMode";

describe("language mode of JSON documents", () => {
  it("gives a JSON document qcls serves the quant-config language", () => {
    assert.equal(languageToSwitchTo("json", true, false), QUANT_CONFIG_LANGUAGE);
    assert.equal(languageToSwitchTo("jsonc", true, false), QUANT_CONFIG_LANGUAGE);
  });

  it("leaves JSON documents qcls does not serve to the built-in JSON features", () => {
    assert.equal(languageToSwitchTo("json", false, false), undefined);
    assert.equal(languageToSwitchTo("jsonc", false, false), undefined);
  });

  it("gives a *quant_config* file qcls does not serve back to JSON with comments", () => {
    assert.equal(languageToSwitchTo(QUANT_CONFIG_LANGUAGE, false, false), PLAIN_LANGUAGE);
    assert.equal(languageToSwitchTo(QUANT_CONFIG_LANGUAGE, true, false), undefined);
  });

  it("never switches a document twice (the user's choice wins)", () => {
    for (const lang of [...JSON_LANGUAGES, QUANT_CONFIG_LANGUAGE]) {
      for (const served of [true, false]) assert.equal(languageToSwitchTo(lang, served, true), undefined);
    }
  });

  it("leaves other languages alone", () => {
    assert.equal(languageToSwitchTo("yaml", true, false), undefined);
    assert.equal(languageToSwitchTo("yaml", false, false), undefined);
  });

  it("matches the language package.json contributes", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
    const lang = pkg.contributes.languages.find((l: { id: string }) => l.id === QUANT_CONFIG_LANGUAGE);
    assert.ok(lang, "package.json contributes the quant-config language");
    assert.deepEqual(lang.filenamePatterns, ["*quant_config*.json", "*quant_config*.jsonc"]);
    const grammar = pkg.contributes.grammars.find((g: { language: string }) => g.language === QUANT_CONFIG_LANGUAGE);
    assert.ok(grammar, "with a grammar");
    const defaults = pkg.contributes.configurationDefaults[`[${QUANT_CONFIG_LANGUAGE}]`];
    assert.equal(defaults["editor.defaultFormatter"], `${pkg.publisher}.${pkg.name}`);
    assert.ok(pkg.activationEvents.includes(`onLanguage:${QUANT_CONFIG_LANGUAGE}`));
    for (const l of JSON_LANGUAGES) assert.ok(pkg.activationEvents.includes(`onLanguage:${l}`), l);
  });
});
