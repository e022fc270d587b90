//! The JSON-like inline quant_config read with the JSON parser and grafted into the tree saphyr
//! reads of the rest of the YAML.

use super::read_yaml;
use crate::syntax::{Parse, Value, ValueKind};

/// The quant_config written as a JSON-like flow mapping (`quant_config: {"model_config": …}`, as
/// real YAMLs and the scripts that write them have it) read with the JSON parser, about ten
/// times faster than saphyr on a 2,000-entry mapping, and the rest of the YAML with saphyr, the
/// mapping's text blanked so that every offset stays. Only when the mapping is JSON but for
/// trailing commas (which YAML allows); anything else is read by saphyr alone.
pub(super) fn read_with_json_quant_config(text: &str) -> Option<Parse> {
    let start = flow_mapping_start(text, "quant_config")?;
    let end = flow_mapping_end(text, start)?;
    let region = &text[start..end];
    let mut inner = crate::syntax::parse(region);
    let only_trailing_commas = inner
        .errors
        .iter()
        .all(|e| e.message == "trailing comma is not allowed in JSON");
    if !only_trailing_commas || !inner.comments.is_empty() {
        return None;
    }
    let mut value = inner.root.take()?;
    value.map_offsets(|o| o + start);
    graft(text, value)
}

/// [`parse_yaml`] of a YAML whose inline quant_config (a JSON-like flow mapping) is known
/// already: `inline` is its tree, ranges in `text` (the one an edit re-parsed in place). `None`
/// when the rest of the YAML does not read, or puts no quant_config there.
pub fn parse_yaml_with_inline(text: &str, inline: &Value) -> Option<Parse> {
    graft(text, inline.clone())
}

/// The YAML of `text` read by saphyr with `{}` in place of the flow mapping `value` stands
/// for, and `value` put in its place.
fn graft(text: &str, value: Value) -> Option<Parse> {
    let (start, end) = (value.range.start, value.range.end);
    let region = text.get(start..end)?;
    if !region.starts_with('{') || !region.ends_with('}') {
        return None;
    }
    // The YAML with `{}` in place of the mapping; what follows it moves back by the mapping's
    // length less two.
    let mut skeleton = String::with_capacity(text.len() - region.len() + 2);
    skeleton.push_str(&text[..start]);
    skeleton.push_str("{}");
    skeleton.push_str(&text[end..]);
    let mut parse = read_yaml(&skeleton);
    if !parse.errors.is_empty() {
        return None;
    }
    if let Some(root) = parse.root.as_mut() {
        let (from, by) = (start + 2, region.len() - 2);
        root.map_offsets(|o| if o >= from { o + by } else { o });
    }
    let slot = parse
        .root
        .as_mut()
        .and_then(|root| member_value_mut(root, "calibration_parameters"))
        .and_then(|section| member_value_mut(section, "quant_config"))
        .filter(|v| v.range.start == start)?;
    *slot = value;
    Some(parse)
}

fn member_value_mut<'v>(value: &'v mut Value, key: &str) -> Option<&'v mut Value> {
    match &mut value.kind {
        ValueKind::Object(o) => o
            .members
            .iter_mut()
            .rev()
            .find(|m| m.key.text == key)?
            .value
            .as_mut(),
        _ => None,
    }
}

/// The `{` of `key: {` on a line of its own, indented (inside a section): where a flow
/// mapping such as `quant_config: {` or `node_info: {` opens, found in the text so that it
/// works while the YAML cannot be read as a whole.
pub fn flow_mapping_start(text: &str, key: &str) -> Option<usize> {
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let rest = trimmed
            .strip_prefix(key)
            .and_then(|r| r.strip_prefix(':'))
            .filter(|_| indent > 0);
        if let Some(rest) = rest {
            let after = rest.trim_start_matches([' ', '\t']);
            if after.starts_with('{') {
                return Some(line_start + line.len() - after.len());
            }
        }
        line_start += line.len();
    }
    None
}

/// Just after the `}` that closes the flow mapping opening at `start` (JSON strings skipped).
fn flow_mapping_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}
