//! Hover on keys and values: documentation, type, default and valid values (en / zh).

use crate::spec::{
    lookup_level, Bound, KeySpec, Legacy, Level, Locale, MapKind, ScalarType, ValueSpec, EC,
};
use crate::syntax::{path_at, Parse, Slot, Step, ValueKind};
use crate::text::TextRange;

#[derive(Clone, Debug, PartialEq)]
pub struct HoverInfo {
    /// The token hovered (a key with its quotes, or a value).
    pub range: TextRange,
    pub markdown: String,
}

/// What the spec says about the key or value at `offset`; `None` elsewhere (node names and op
/// types are described by the model hover).
pub fn hover(parse: &Parse, offset: usize, locale: Locale) -> Option<HoverInfo> {
    let root = parse.root.as_ref()?;
    let loc = path_at(root, offset);
    let keys: Vec<&str> = loc.keys().collect();
    match loc.slot {
        Slot::Key => {
            let member = loc.member()?;
            let level = lookup_level(&keys[..keys.len().saturating_sub(1)])?;
            let markdown = describe_key(level, &member.key.text, locale)?;
            Some(HoverInfo {
                range: member.key.range,
                markdown,
            })
        }
        Slot::Value => {
            let node = loc.node?;
            if !matches!(
                node.kind,
                ValueKind::String(_) | ValueKind::Number(_) | ValueKind::Bool(_)
            ) {
                return None;
            }
            // The key is the last member step (an array element belongs to its member's key).
            let key_pos = loc
                .path
                .iter()
                .rposition(|s| matches!(s, Step::Member(_)))?;
            let key_count = loc.path[..key_pos]
                .iter()
                .filter(|s| matches!(s, Step::Member(_)))
                .count();
            let level = lookup_level(&keys[..key_count])?;
            let key = keys.get(key_count)?;
            let mut markdown = describe_key(level, key, locale)?;
            if let ValueKind::String(s) = &node.kind {
                if s.value == EC {
                    markdown.push_str("\n\n");
                    markdown.push_str(match locale {
                        Locale::En => "`ec`: int8 with error compensation (the op is duplicated to compensate the quantization loss). Works on the weight (input1) of `Conv`/`ConvTranspose`, either input of `MatMul`, and input0 of `GridSample`/`Resize`.",
                        Locale::Zh => "`ec`：带误差补偿的 int8（复制算子以补偿量化损失）。只对 `Conv`/`ConvTranspose` 的权重（input1）、`MatMul` 的两个输入以及 `GridSample`/`Resize` 的 input0 生效。",
                    });
                }
            }
            Some(HoverInfo {
                range: node.range,
                markdown,
            })
        }
        _ => None,
    }
}

/// Markdown for a key of `level` (a documented key or a legacy one).
pub fn describe_key(level: &Level, name: &str, locale: Locale) -> Option<String> {
    if let Some(spec) = level.key(name) {
        return Some(describe_spec(level, spec, locale));
    }
    level.legacy_key(name).map(|l| describe_legacy(l, locale))
}

fn label(locale: Locale, en: &'static str, zh: &'static str) -> &'static str {
    match locale {
        Locale::En => en,
        Locale::Zh => zh,
    }
}

fn code_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A one-line description of the value type, e.g. "an integer or a list of integers".
pub fn type_text(value: &ValueSpec, locale: Locale) -> String {
    match value {
        ValueSpec::Object(level) => {
            let keys: Vec<&str> = level.key_names().collect();
            format!("{} ({})", label(locale, "object", "对象"), code_list(&keys))
        }
        ValueSpec::Map(kind, _) => match kind {
            MapKind::OpType => label(
                locale,
                "object: op type → settings",
                "对象：算子类型 → 配置",
            ),
            MapKind::NodeName => label(
                locale,
                "object: node name → settings",
                "对象：节点名 → 配置",
            ),
            MapKind::SubgraphName => label(
                locale,
                "object: subgraph name → settings",
                "对象：子图名 → 配置",
            ),
        }
        .to_string(),
        ValueSpec::TensorNames => {
            label(locale, "a list of tensor names", "张量名称列表").to_string()
        }
        ValueSpec::Scalar(s) => {
            let one = match (s.ty, locale) {
                (ScalarType::String, Locale::En) => "a string",
                (ScalarType::Int, Locale::En) => "an integer",
                (ScalarType::Float, Locale::En) => "a float",
                (ScalarType::Bool, Locale::En) => "a boolean",
                (ScalarType::String, Locale::Zh) => "字符串",
                (ScalarType::Int, Locale::Zh) => "整数",
                (ScalarType::Float, Locale::Zh) => "浮点数",
                (ScalarType::Bool, Locale::Zh) => "布尔值",
            };
            if s.list {
                match locale {
                    Locale::En => format!("{one} or a list of them"),
                    Locale::Zh => format!("{one}或其列表"),
                }
            } else {
                one.to_string()
            }
        }
    }
}

fn bound_text(min: Option<Bound>, max: Option<Bound>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(b) = min {
        parts.push(format!(
            "{} {}",
            if b.inclusive { "≥" } else { ">" },
            b.value
        ));
    }
    if let Some(b) = max {
        parts.push(format!(
            "{} {}",
            if b.inclusive { "≤" } else { "<" },
            b.value
        ));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn describe_spec(level: &Level, spec: &KeySpec, locale: Locale) -> String {
    let mut out = format!("**{}**", spec.name);
    if !level.path.is_empty() {
        out.push_str(&format!(" · `{}`", level.path));
    }
    out.push_str("\n\n");
    out.push_str(spec.doc.get(locale));
    out.push_str("\n\n");
    let mut facts = vec![format!(
        "{}: {}",
        label(locale, "Type", "类型"),
        type_text(&spec.value, locale)
    )];
    if let Some(default) = spec.default {
        facts.push(format!(
            "{}: `{default}`",
            label(locale, "Default", "默认值")
        ));
    }
    if let ValueSpec::Scalar(s) = &spec.value {
        if !s.values.is_empty() {
            facts.push(format!(
                "{}: {}",
                label(locale, "Valid values", "有效值"),
                code_list(s.values)
            ));
        }
        if let Some(range) = bound_text(s.min, s.max) {
            facts.push(format!("{}: {range}", label(locale, "Range", "范围")));
        }
    }
    out.push_str(&facts.join("  \n"));
    out
}

fn describe_legacy(legacy: &Legacy, locale: Locale) -> String {
    let mut out = format!(
        "**{}** · {}\n\n{}",
        legacy.name,
        label(locale, "legacy key", "旧版键"),
        legacy.doc.get(locale)
    );
    if !legacy.values.is_empty() {
        out.push_str(&format!(
            "\n\n{}: {}",
            label(locale, "Valid values", "有效值"),
            code_list(legacy.values)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture;
    use crate::syntax::parse;

    fn hover_at(s: &str, locale: Locale) -> Option<HoverInfo> {
        let (text, offset) = fixture(s);
        hover(&parse(&text), offset, locale)
    }

    #[test]
    fn key_in_english() {
        let h = hover_at(
            r#"{"model_config": {"activation": {"num_$0bin": 1024}}}"#,
            Locale::En,
        )
        .unwrap();
        assert!(h.markdown.starts_with("**num_bin**"), "{}", h.markdown);
        assert!(h.markdown.contains("Default: `1024`"), "{}", h.markdown);
        assert!(h.markdown.contains("Range: > 128"), "{}", h.markdown);
        assert_eq!(h.range, TextRange::new(33, 42));
    }

    #[test]
    fn key_in_chinese() {
        let h = hover_at(
            r#"{"op_config": {"Conv": {"qt$0ype": "int8"}}}"#,
            Locale::Zh,
        )
        .unwrap();
        assert!(h.markdown.contains("有效值"), "{}", h.markdown);
        assert!(h.markdown.contains("`int16`"), "{}", h.markdown);
    }

    #[test]
    fn value_shows_key_docs_and_ec() {
        let h = hover_at(r#"{"node_config": {"c": {"input1": "e$0c"}}}"#, Locale::En).unwrap();
        assert!(h.markdown.contains("**input1**"));
        assert!(h.markdown.contains("error compensation"));
        assert_eq!(h.range, TextRange::new(33, 37));
    }

    #[test]
    fn list_element() {
        let h = hover_at(
            r#"{"model_config": {"activation": {"calibration_type": ["kl", "m$0ax"]}}}"#,
            Locale::En,
        )
        .unwrap();
        assert!(h.markdown.contains("**calibration_type**"));
    }

    #[test]
    fn legacy_key() {
        let h = hover_at(
            r#"{"node_config": {"c": {"In$0putType": "int8"}}}"#,
            Locale::En,
        )
        .unwrap();
        assert!(h.markdown.contains("legacy key"), "{}", h.markdown);
    }

    #[test]
    fn node_names_and_unknown_keys_have_no_spec_hover() {
        assert_eq!(
            hover_at(r#"{"node_config": {"co$0nv1": {}}}"#, Locale::En),
            None
        );
        assert_eq!(hover_at(r#"{"bo$0gus": 1}"#, Locale::En), None);
        assert_eq!(hover_at(r#"{"a": 1}  $0"#, Locale::En), None);
    }

    #[test]
    fn top_level_key() {
        let h = hover_at(r#"{"node_con$0fig": {}}"#, Locale::En).unwrap();
        assert!(
            h.markdown.contains("node name → settings"),
            "{}",
            h.markdown
        );
    }
}
