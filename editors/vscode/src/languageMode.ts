// Which language mode a JSON document should have. Pure: no `vscode` import.
//
// qcls's documents get their own language, `quant-config` (JSON with comments underneath), so
// that qcls alone formats them and gives their outline: VS Code's JSON Language Features serve
// the languages `json` and `jsonc`, and two formatters for one language make "Format Document"
// ask which one to use. Files named *quant_config*.json(c) get the language from their name
// (package.json, `contributes.languages`); any other JSON document qcls serves (the server
// decides by content) is switched to it when it is opened, and a *quant_config* file qcls
// does not serve (a JSON Schema) is switched to plain JSON with comments, so nothing it does
// not serve is taken away from the built-in JSON features.

export const QUANT_CONFIG_LANGUAGE = "quant-config";

/** The language a *quant_config* file qcls does not serve is given back. */
export const PLAIN_LANGUAGE = "jsonc";

/** Languages whose documents are sent to the server only so that it can tell whether it serves them. */
export const JSON_LANGUAGES: readonly string[] = ["json", "jsonc"];

/**
 * The language to switch a document to, or `undefined` to leave it as it is.
 *
 * `served`: whether qcls serves the document (its answer to `qcls/explain` is not `null`).
 * `switchedBefore`: whether the extension switched this document's language before while it
 * was open; then it is left alone, so that a user who picks a language by hand keeps it.
 */
export function languageToSwitchTo(languageId: string, served: boolean, switchedBefore: boolean): string | undefined {
  if (switchedBefore) return undefined;
  if (served && JSON_LANGUAGES.includes(languageId)) return QUANT_CONFIG_LANGUAGE;
  if (!served && languageId === QUANT_CONFIG_LANGUAGE) return PLAIN_LANGUAGE;
  return undefined;
}
