//! Where a new node_config entry goes, for the editors' "add a node_config entry" from the map:
//! after the last entry (or inside an empty `node_config`, or as a new `node_config` after the
//! last top-level key), indented like its neighbours.

use crate::syntax::{Parse, Value};

/// Insert `before`, the entry (`"<name>": {"qtype": "<q>"}`), then `after`, at `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Insertion {
    pub offset: usize,
    pub before: String,
    pub after: String,
}

/// The whitespace that starts the line holding `offset`.
fn indentation(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &text[start..];
    let end = line
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(line.len());
    &line[..end]
}

/// Where a new node_config entry goes in a JSON quant_config; `None` when the document has
/// syntax errors or its `node_config` is not an object (nothing sensible to add to).
pub fn new_entry_insertion(text: &str, parse: &Parse) -> Option<Insertion> {
    if !parse.errors.is_empty() {
        return None;
    }
    let root = parse.root.as_ref()?;
    let top = root.as_object()?;
    if !text[root.range.start..].starts_with('{') {
        return None;
    }
    if let Some(member) = top.get("node_config") {
        let value: &Value = member.value.as_ref()?;
        let entries = value.as_object()?;
        return Some(match entries.members.last() {
            Some(last) => Insertion {
                offset: last.range().end,
                before: format!(",\n{}", indentation(text, last.key.range.start)),
                after: String::new(),
            },
            None => {
                let outer = indentation(text, member.key.range.start);
                Insertion {
                    offset: value.range.start + 1,
                    before: format!("\n{outer}  "),
                    after: format!("\n{outer}"),
                }
            }
        });
    }
    Some(match top.members.last() {
        Some(last) => {
            let indent = indentation(text, last.key.range.start);
            Insertion {
                offset: last.range().end,
                before: format!(",\n{indent}\"node_config\": {{\n{indent}  "),
                after: format!("\n{indent}}}"),
            }
        }
        None => Insertion {
            offset: root.range.start + 1,
            before: "\n  \"node_config\": {\n    ".to_string(),
            after: "\n  }\n".to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn add(text: &str, name: &str) -> String {
        let ins = new_entry_insertion(text, &parse(text)).expect("an insertion");
        let entry = format!("{}: {{\"qtype\": \"int16\"}}", serde_json::json!(name));
        format!(
            "{}{}{entry}{}{}",
            &text[..ins.offset],
            ins.before,
            ins.after,
            &text[ins.offset..]
        )
    }

    fn entry_qtype(text: &str, name: &str) -> Option<String> {
        let p = parse(text);
        assert!(p.errors.is_empty(), "{text}\n{:?}", p.errors);
        let root = p.root.as_ref()?.as_object()?;
        let entry = root
            .get_value("node_config")?
            .as_object()?
            .get_value(name)?;
        Some(entry.as_object()?.get_value("qtype")?.as_str()?.to_string())
    }

    #[test]
    fn after_the_last_entry_indented_like_it() {
        let text = "{\n  \"node_config\": {\n    \"/a/Conv\": {\"qtype\": \"int8\"}\n  }\n}\n";
        let out = add(text, "/b/Conv");
        assert_eq!(
            out,
            "{\n  \"node_config\": {\n    \"/a/Conv\": {\"qtype\": \"int8\"},\n    \"/b/Conv\": {\"qtype\": \"int16\"}\n  }\n}\n"
        );
        assert_eq!(entry_qtype(&out, "/b/Conv").as_deref(), Some("int16"));
    }

    #[test]
    fn into_an_empty_node_config_and_a_config_without_one() {
        let out = add("{\n  \"node_config\": {}\n}", "x");
        assert_eq!(
            out,
            "{\n  \"node_config\": {\n    \"x\": {\"qtype\": \"int16\"}\n  }\n}"
        );
        let out = add(
            "{\n  // comment\n  \"model_config\": {\"all_node_type\": \"int16\"}\n}\n",
            "a\"b",
        );
        assert_eq!(entry_qtype(&out, "a\"b").as_deref(), Some("int16"));
        assert!(
            out.contains("  \"node_config\": {\n    \"a\\\"b\""),
            "{out}"
        );
        let out = add("{}", "x");
        assert_eq!(entry_qtype(&out, "x").as_deref(), Some("int16"));
    }

    #[test]
    fn nothing_for_broken_documents() {
        for text in [
            "{\"node_config\": {\"a\": 1,}}",
            "{\"node_config\": []}",
            "[]",
            "",
        ] {
            assert_eq!(new_entry_insertion(text, &parse(text)), None, "{text}");
        }
    }
}
