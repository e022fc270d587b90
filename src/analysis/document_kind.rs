//! Which documents qcls serves: the one rule the server and `qcls check` share.
//!
//! - A quant_config: a JSON file whose name contains `quant_config`, or any JSON document whose
//!   top level has `model_config`, `op_config`, `node_config` or `subgraph_config`. A JSON
//!   Schema (a top-level `$schema` and none of those keys) is not one, whatever its name.
//! - An hb_compile YAML: a `*.yaml`/`*.yml` file whose top level has `model_parameters`,
//!   `input_parameters`, `calibration_parameters` or `compiler_parameters`.
//! - Anything else gets nothing (users attach qcls to every JSON and YAML file).

use crate::syntax::Parse;

/// The top-level keys that make a JSON document a quant_config.
pub const CONFIG_SECTIONS: &[&str] = &[
    "model_config",
    "op_config",
    "node_config",
    "subgraph_config",
];

/// The top-level keys that make a YAML document an hb_compile config.
pub const HB_COMPILE_SECTIONS: &[&str] = &[
    "model_parameters",
    "input_parameters",
    "calibration_parameters",
    "compiler_parameters",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    QuantConfig,
    HbCompileYaml,
    /// A JSON Schema; qcls says so when asked to check one.
    JsonSchema,
    /// A YAML file that is not an hb_compile config.
    OtherYaml,
    /// A JSON document that is not a quant_config.
    OtherJson,
}

impl DocumentKind {
    /// Why a document of this kind is not checked, for the note `qcls check` prints.
    pub fn skip_reason(self) -> Option<&'static str> {
        match self {
            DocumentKind::QuantConfig => None,
            DocumentKind::HbCompileYaml => None,
            DocumentKind::JsonSchema => Some("a JSON Schema, not a quant_config"),
            DocumentKind::OtherYaml => Some("a YAML file that is not an hb_compile config"),
            DocumentKind::OtherJson => Some(
                "not a quant_config (no model_config, op_config, node_config or subgraph_config at the top, and not named *quant_config*)",
            ),
        }
    }
}

/// Is `file_name` a YAML file name?
pub fn is_yaml_name(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// The kind of a document from its file name, its text and its JSON parse (the parse is only
/// read for JSON documents).
pub fn document_kind(file_name: &str, text: &str, parse: &Parse) -> DocumentKind {
    if is_yaml_name(file_name) {
        return if yaml_top_keys(text).any(|k| HB_COMPILE_SECTIONS.contains(&k)) {
            DocumentKind::HbCompileYaml
        } else {
            DocumentKind::OtherYaml
        };
    }
    let top = parse.root_object();
    let has = |names: &[&str]| {
        top.is_some_and(|o| {
            o.members
                .iter()
                .any(|m| names.contains(&m.key.text.as_str()))
        })
    };
    if has(CONFIG_SECTIONS) {
        return DocumentKind::QuantConfig;
    }
    if has(&["$schema"]) {
        return DocumentKind::JsonSchema;
    }
    if file_name.contains("quant_config") {
        DocumentKind::QuantConfig
    } else {
        DocumentKind::OtherJson
    }
}

/// The keys of a YAML document's top-level block mapping: lines that start in column 0 with
/// `key:`. Enough to tell an hb_compile YAML from another; the YAML itself is read elsewhere.
fn yaml_top_keys(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let first = line.chars().next()?;
        if first.is_whitespace() || matches!(first, '#' | '-' | '{' | '[' | '%') {
            return None;
        }
        let (key, _) = line.split_once(':')?;
        Some(key.trim().trim_matches(['"', '\'']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn kind(name: &str, text: &str) -> DocumentKind {
        document_kind(name, text, &parse(text))
    }

    #[test]
    fn quant_configs_by_name_or_by_section() {
        assert_eq!(kind("quant_config.json", "{}"), DocumentKind::QuantConfig);
        assert_eq!(
            kind("x.json", r#"{"node_config": {}}"#),
            DocumentKind::QuantConfig
        );
        assert_eq!(kind("x.json", r#"{"a": 1}"#), DocumentKind::OtherJson);
        // Broken text named like a config is still served (the user is typing it).
        assert_eq!(
            kind("my_quant_config.json", "{,"),
            DocumentKind::QuantConfig
        );
    }

    #[test]
    fn json_schemas_are_not_configs_whatever_their_name() {
        let schema = r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}"#;
        assert_eq!(
            kind("quant_config.schema.json", schema),
            DocumentKind::JsonSchema
        );
        assert_eq!(
            kind("ptq-config.schema.json", schema),
            DocumentKind::JsonSchema
        );
    }

    #[test]
    fn yaml_files() {
        let hb = "# compile\nmodel_parameters:\n  onnx_model: m.onnx\ncalibration_parameters:\n  quant_config: {}\n";
        assert_eq!(kind("config.yaml", hb), DocumentKind::HbCompileYaml);
        assert_eq!(
            kind("a_quant_config.yml", "name: x\n"),
            DocumentKind::OtherYaml
        );
        assert_eq!(
            kind("ci.yaml", "jobs:\n  model_parameters: 1\n"),
            DocumentKind::OtherYaml
        );
    }
}
