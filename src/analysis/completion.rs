//! Completion of keys (from the spec, minus the keys already present) and of values (enums
//! and booleans). Works on broken text: the context comes from [`cursor_at`], the tree is only
//! used to learn which keys follow the cursor.

use std::collections::HashSet;

use super::cursor::{cursor_at, value_at_path, Seg, Slot};
use super::hover::{describe_key, type_text};
use crate::spec::{lookup_level, Locale, ScalarType, ValueSpec};
use crate::syntax::{Parse, ValueKind};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Key,
    /// A string value from a fixed set.
    EnumValue,
    /// `true` / `false`.
    Keyword,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// What the item replaces: the whole string token under the cursor (quotes included; up
    /// to the cursor when unclosed), the bare word being typed, or an empty range.
    pub range: TextRange,
    /// The quoted key or value (bare for booleans); also the filter text.
    pub new_text: String,
    /// Keeps the spec's order in the client's list.
    pub sort_text: String,
}

/// Every completion at `offset`.
pub fn complete(text: &str, parse: &Parse, offset: usize, locale: Locale) -> Vec<CompletionItem> {
    let cursor = cursor_at(text, offset);
    let range = cursor
        .token
        .unwrap_or(TextRange::empty(offset.min(text.len())));
    match cursor.slot {
        Slot::Key => complete_keys(parse, &cursor, range, offset, locale),
        Slot::Value => complete_values(&cursor.path, range, locale),
        Slot::Other => Vec::new(),
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn complete_keys(
    parse: &Parse,
    cursor: &super::cursor::Cursor,
    range: TextRange,
    offset: usize,
    locale: Locale,
) -> Vec<CompletionItem> {
    let keys = cursor.keys();
    // Node names, op types and subgraph names are not in the spec (the model completes them).
    let Some(level) = lookup_level(&keys) else {
        return Vec::new();
    };
    let mut present: HashSet<&str> = cursor.keys_before.iter().map(String::as_str).collect();
    if let Some(ValueKind::Object(o)) = value_at_path(parse, &cursor.path).map(|v| &v.kind) {
        for m in &o.members {
            // The key being typed is no reason to hide its completion.
            if !m.key.range.contains_inclusive(offset) {
                present.insert(&m.key.text);
            }
        }
    }
    level
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| !present.contains(k.name))
        .map(|(i, k)| CompletionItem {
            label: k.name.to_string(),
            kind: CompletionKind::Key,
            detail: Some(type_text(&k.value, locale)),
            documentation: describe_key(level, k.name, locale),
            range,
            new_text: quote(k.name),
            sort_text: format!("{i:03}"),
        })
        .collect()
}

fn complete_values(path: &[Seg], range: TextRange, locale: Locale) -> Vec<CompletionItem> {
    // `[..., Key(k)]` or `[..., Key(k), Index(i)]` for an element of a list value.
    let (key_index, in_list) = match path {
        [.., Seg::Key(_), Seg::Index(_)] => (path.len() - 2, true),
        [.., Seg::Key(_)] => (path.len() - 1, false),
        _ => return Vec::new(),
    };
    let Seg::Key(key) = &path[key_index] else {
        return Vec::new();
    };
    let parent: Vec<&str> = path[..key_index]
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect();
    if parent.len() != key_index {
        return Vec::new();
    }
    let Some(level) = lookup_level(&parent) else {
        return Vec::new();
    };
    let doc = describe_key(level, key, locale);
    let (values, is_bool): (&[&str], bool) = if let Some(spec) = level.key(key) {
        match &spec.value {
            ValueSpec::Scalar(s) if in_list && !s.list => return Vec::new(),
            ValueSpec::Scalar(s) if s.ty == ScalarType::Bool => (&[], true),
            ValueSpec::Scalar(s) if s.ty == ScalarType::String => (s.values, false),
            _ => return Vec::new(),
        }
    } else if let Some(legacy) = level.legacy_key(key) {
        if in_list {
            return Vec::new();
        }
        (legacy.values, false)
    } else {
        return Vec::new();
    };
    let item = |i: usize, label: &str, new_text: String, kind| CompletionItem {
        label: label.to_string(),
        kind,
        detail: None,
        documentation: doc.clone(),
        range,
        new_text,
        sort_text: format!("{i:03}"),
    };
    if is_bool {
        return ["true", "false"]
            .iter()
            .enumerate()
            .map(|(i, b)| item(i, b, b.to_string(), CompletionKind::Keyword))
            .collect();
    }
    values
        .iter()
        .enumerate()
        .map(|(i, v)| item(i, v, quote(v), CompletionKind::EnumValue))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::fixture;
    use crate::syntax::parse;

    fn complete_at(s: &str) -> Vec<CompletionItem> {
        let (text, offset) = fixture(s);
        complete(&text, &parse(&text), offset, Locale::En)
    }

    fn labels(items: &[CompletionItem]) -> Vec<&str> {
        items.iter().map(|i| i.label.as_str()).collect()
    }

    #[test]
    fn top_level_keys_skip_present_ones() {
        let items = complete_at("{\n  $0\n  \"op_config\": {}\n}");
        assert_eq!(
            labels(&items),
            ["model_config", "node_config", "subgraph_config"]
        );
        assert_eq!(items[0].new_text, "\"model_config\"");
        assert_eq!(items[0].range, TextRange::empty(4));
    }

    #[test]
    fn key_in_closed_string_replaces_whole_token() {
        let items = complete_at(r#"{"model_config": {"act$0iv": 1}}"#);
        let act = items.iter().find(|i| i.label == "activation").unwrap();
        assert_eq!(act.range, TextRange::new(18, 25));
        assert_eq!(act.new_text, "\"activation\"");
    }

    #[test]
    fn key_in_broken_document() {
        // Unclosed string, no closers: the user is typing.
        let items = complete_at("{\n  \"model_config\": {\n    \"activation\": {\n      \"num$0");
        let l = labels(&items);
        assert!(
            l.contains(&"num_bin") && l.contains(&"max_percentile"),
            "{l:?}"
        );
        let it = items.iter().find(|i| i.label == "num_bin").unwrap();
        assert_eq!(it.range.end - it.range.start, 4); // `"num` up to the cursor
    }

    #[test]
    fn keys_after_the_cursor_are_excluded() {
        let items = complete_at(r#"{"node_config": {"n": {$0 "qtype": "int8", "input1": "ec"}}}"#);
        assert_eq!(labels(&items), ["input0"]);
    }

    #[test]
    fn qtype_values() {
        let items = complete_at(r#"{"op_config": {"Conv": {"qtype": "$0"}}}"#);
        assert_eq!(labels(&items), ["int8", "int16", "float16", "float32"]);
        assert_eq!(items[0].range, TextRange::new(33, 35));
        assert_eq!(items[0].new_text, "\"int8\"");
    }

    #[test]
    fn ec_only_in_node_inputs() {
        let items = complete_at(r#"{"node_config": {"n": {"input0": $0}}}"#);
        assert!(labels(&items).contains(&"ec"));
        let items = complete_at(r#"{"node_config": {"n": {"qtype": "$0"}}}"#);
        assert!(!labels(&items).contains(&"ec"));
        let items = complete_at(r#"{"model_config": {"all_node_type": "$0"}}"#);
        assert!(!labels(&items).contains(&"ec"));
    }

    #[test]
    fn booleans_replace_the_word() {
        let items = complete_at("{\"model_config\": {\"activation\": {\"per_channel\": tr$0");
        assert_eq!(labels(&items), ["true", "false"]);
        assert_eq!(items[0].new_text, "true");
        assert_eq!(items[0].range.len(), 2);
    }

    #[test]
    fn list_elements() {
        let items =
            complete_at(r#"{"model_config": {"activation": {"calibration_type": ["kl", "$0"]}}}"#);
        assert_eq!(labels(&items), ["kl", "max"]);
        // Not a list key: nothing inside a list.
        let items = complete_at(r#"{"op_config": {"Conv": {"qtype": ["$0"]}}}"#);
        assert!(items.is_empty());
    }

    #[test]
    fn metrics_in_search() {
        let items = complete_at(r#"{"model_config": {"layerwise_search": {"metric": "$0"#);
        assert_eq!(labels(&items)[0], "cosine-similarity");
    }

    #[test]
    fn nothing_in_comments_or_after_values() {
        assert!(complete_at("{ // $0\n}").is_empty());
        assert!(complete_at(r#"{"model_config": {} $0}"#).is_empty());
    }

    #[test]
    fn node_names_are_not_from_the_spec() {
        assert!(complete_at(r#"{"node_config": {$0}}"#).is_empty());
    }
}
