//! Completion in an hb_compile YAML: the quant_config written inside it (the same completion
//! as in a JSON file), the YAML's own sections, keys and values, and the node names and op
//! types the YAML writes (`node_info` keys, `run_on_cpu`/`run_on_bpu`, `optimization`). All of
//! it reads the text around the cursor rather than the tree, so it works while the YAML is
//! half-typed.

use super::{complete_at, CompletionItem, CompletionKind, Completions};
use crate::analysis::hover::describe_key;
use crate::analysis::node_info::{select, MAX_NAME_ITEMS};
use crate::model::ModelIndex;
use crate::spec::hb_compile::{
    hb_section, HB_TOP, NODE_INFO_ENTRY, OPTIMIZATION_DTYPES, OPTIMIZATION_FIXED,
};
use crate::spec::{Dialect, Locale, ScalarType, ValueSpec};
use crate::syntax::{
    cursor_from, flow_mapping_start, is_plain_scalar, Bias, Cursor, Parse, Seg, Slot,
};
use crate::text::TextRange;

/// [`complete`] in an hb_compile YAML: in the quant_config written inside it as a flow mapping
/// (`quant_config: {...}`, the form real YAMLs use), read from its `{` so that it works while
/// the YAML around is broken; `inline` is the config's tree when the YAML could be read.
pub fn complete_yaml(
    text: &str,
    inline: Option<&Parse>,
    offset: usize,
    locale: Locale,
    model: Option<&ModelIndex>,
    dialect: &Dialect,
) -> Completions {
    let start = match inline.and_then(|p| p.root.as_ref()) {
        Some(root) if text[root.range.start..].starts_with('{') => Some(root.range.start),
        Some(_) => None,
        None => flow_mapping_start(text, "quant_config"),
    };
    if let Some(start) = start.filter(|&s| s < offset) {
        let cursor = cursor_from(text, start, offset, Bias::Typing);
        // Past the mapping's end the reading says `Other`: the YAML's own keys follow.
        if cursor.slot != Slot::Other {
            let empty = Parse::default();
            let parse = inline.unwrap_or(&empty);
            return complete_at(text, parse, &cursor, offset, locale, model, dialect);
        }
    }
    if let Some(items) = complete_node_info(text, offset, locale, model, dialect) {
        return items;
    }
    if let Some(items) = complete_block_node_info(text, offset, locale, model, dialect) {
        return items;
    }
    if let Some(items) = complete_block_quant_config(text, inline, offset, locale, model, dialect) {
        return items;
    }
    complete_yaml_keys(text, offset, locale, model, dialect)
}

/// The YAML's own keys and values, found from the lines above the cursor (so it works while
/// the YAML is half-typed): a section name at the top, a key of the section below it, a value
/// after `key:`.
fn complete_yaml_keys(
    text: &str,
    offset: usize,
    locale: Locale,
    model: Option<&ModelIndex>,
    dialect: &Dialect,
) -> Completions {
    let offset = offset.min(text.len());
    let BlockLine {
        typed,
        ancestors,
        siblings,
        ..
    } = block_line(text, offset);
    // The section the line is a key of; `None` at the top.
    let section = match ancestors.as_slice() {
        [] => None,
        [section] => Some(hb_section(section)),
        // Deeper than a section's keys: a value of one of them.
        _ => return Completions::default(),
    };
    let item =
        |i: usize, label: &str, new_text: String, range: TextRange, level, kind| CompletionItem {
            label: label.to_string(),
            kind,
            detail: None,
            documentation: describe_key(level, label, locale, dialect),
            range,
            new_text,
            sort_text: format!("{i:03}"),
        };
    if let Some((key, value)) = typed.split_once(':') {
        // A value: `  march: na|`.
        let Some(Some(level)) = section else {
            return Completions::default();
        };
        let lead = value.len() - value.trim_start().len();
        let value_start = offset - value.len() + lead;
        match key.trim() {
            "run_on_cpu" | "run_on_bpu" => {
                return node_names_in_list(text, value_start, offset, model);
            }
            "optimization" => return optimization_items(text, value_start, offset, model),
            _ => {}
        }
        let Some(spec) = level.key(key.trim()) else {
            return Completions::default();
        };
        let ValueSpec::Scalar(scalar) = &spec.value else {
            return Completions::default();
        };
        let range = TextRange::new(value_start, offset);
        let values: Vec<&str> = match scalar.ty {
            ScalarType::Bool => vec!["true", "false"],
            _ => scalar.values.to_vec(),
        };
        let doc = describe_key(level, spec.name, locale, dialect);
        return values
            .into_iter()
            .enumerate()
            .map(|(i, v)| CompletionItem {
                label: v.to_string(),
                kind: CompletionKind::EnumValue,
                detail: None,
                documentation: doc.clone(),
                range,
                new_text: v.to_string(),
                sort_text: format!("{i:03}"),
            })
            .collect::<Vec<_>>()
            .into();
    }
    let range = TextRange::new(offset - typed.len(), offset);
    let (level, present): (&crate::spec::Level, Vec<&str>) = match section {
        // Sections written anywhere in the file are left out, not only those above.
        None => {
            let present = text
                .lines()
                .filter(|l| !l.starts_with([' ', '\t', '#']))
                .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
                .collect();
            (&HB_TOP, present)
        }
        Some(Some(level)) => (level, siblings.iter().map(String::as_str).collect()),
        Some(None) => return Completions::default(),
    };
    level
        .keys
        .iter()
        .filter(|k| !present.contains(&k.name))
        .enumerate()
        .map(|(i, k)| {
            let new_text = match k.value {
                ValueSpec::Object(_) => format!("{}:", k.name),
                _ => format!("{}: ", k.name),
            };
            item(i, k.name, new_text, range, level, CompletionKind::Key)
        })
        .collect::<Vec<_>>()
        .into()
}

/// Inside `node_info: { ... }` (the flow mapping real YAMLs use): node names as its keys, the
/// keys of a node's entry (`ON`, `InputType`, ...) and their values. `None` outside it.
fn complete_node_info(
    text: &str,
    offset: usize,
    locale: Locale,
    model: Option<&ModelIndex>,
    dialect: &Dialect,
) -> Option<Completions> {
    let start = flow_mapping_start(text, "node_info").filter(|&s| s < offset)?;
    let cursor = cursor_from(text, start, offset, Bias::Typing);
    let range = cursor.token.unwrap_or(TextRange::empty(offset));
    let token = &text[range.start..offset.clamp(range.start, range.end)];
    // The quote the user opened is kept; a bare word gets double quotes, as node names
    // (`/layer1/Conv`) need some in a flow mapping.
    let quote_char = token
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\''))
        .unwrap_or('"');
    let typed = token.trim_start_matches(quote_char);
    let quoted = |s: &str| format!("{quote_char}{s}{quote_char}");
    let keys = cursor.keys();
    let items = match (cursor.slot, keys.as_slice()) {
        (Slot::Key, []) => {
            let present: Vec<&str> = cursor.keys_before.iter().map(String::as_str).collect();
            let mut names = node_name_items(model, typed, range, |n| !present.contains(&n));
            for item in &mut names.items {
                item.new_text = quoted(&item.label);
            }
            names
        }
        (Slot::Key, [_node]) => entry_keys(&cursor.keys_before, range, quoted, "", locale, dialect),
        (Slot::Value, [_node, key]) => entry_values(key, range, quoted, locale, dialect),
        // Past the mapping's end: the YAML's own keys follow.
        (Slot::Other, []) => return None,
        _ => Completions::default(),
    };
    Some(items)
}

/// The item of a `;`-separated list being typed: from after the last `;` (or the value's
/// opening quote) up to the cursor.
fn list_item_at(text: &str, value_start: usize, offset: usize, separators: &[char]) -> TextRange {
    let value = &text[value_start..offset];
    let after_sep = value.rfind(separators).map_or(0, |i| i + 1);
    let item = &value[after_sep..];
    let lead = item.len() - item.trim_start_matches([' ', '"', '\'']).len();
    TextRange::new(value_start + after_sep + lead, offset)
}

/// `run_on_cpu: /a/Conv;/b/Re|`: the model's node names for the item being typed, minus the
/// ones already in the list.
fn node_names_in_list(
    text: &str,
    value_start: usize,
    offset: usize,
    model: Option<&ModelIndex>,
) -> Completions {
    let range = list_item_at(text, value_start, offset, &[';']);
    let written: Vec<&str> = text[value_start..range.start]
        .split(';')
        .map(|s| s.trim().trim_matches(['"', '\'']))
        .collect();
    node_name_items(model, &text[range.start..offset], range, |n| {
        !written.contains(&n)
    })
}

/// `optimization: set_Conv_in|`: the fixed items, then `set_<Op>_input_<dtype>` and
/// `set_<Op>_output_<dtype>` for every op type of the model (none without one: every ONNX op
/// type times every dtype would bury the list).
fn optimization_items(
    text: &str,
    value_start: usize,
    offset: usize,
    model: Option<&ModelIndex>,
) -> Completions {
    let range = list_item_at(text, value_start, offset, &[';', ',']);
    let mut ops: Vec<&str> = model.map_or(Vec::new(), |m| m.op_types().map(|(op, _)| op).collect());
    ops.sort_unstable();
    let per_op = ops.iter().flat_map(|op| {
        ["input", "output"].into_iter().flat_map(move |dir| {
            OPTIMIZATION_DTYPES
                .iter()
                .map(move |dtype| format!("set_{op}_{dir}_{dtype}"))
        })
    });
    OPTIMIZATION_FIXED
        .iter()
        .map(|s| s.to_string())
        .chain(per_op)
        .enumerate()
        .map(|(i, item)| CompletionItem {
            label: item.clone(),
            kind: CompletionKind::EnumValue,
            detail: None,
            documentation: None,
            range,
            new_text: item,
            sort_text: format!("{i:05}"),
        })
        .collect::<Vec<_>>()
        .into()
}

/// The model's node names that match `typed` (best first, at most [`MAX_NAME_ITEMS`]), each
/// with its op type; written bare (callers quote where the place needs it).
fn node_name_items(
    model: Option<&ModelIndex>,
    typed: &str,
    range: TextRange,
    keep: impl Fn(&str) -> bool,
) -> Completions {
    let Some(model) = model else {
        return Completions::default();
    };
    let (picked, cut) = select(model.node_names(), typed, MAX_NAME_ITEMS, keep);
    let items = picked
        .into_iter()
        .enumerate()
        .map(|(rank, name)| {
            let op_type = model
                .nodes_named(name)
                .first()
                .map(|id| model.node(id).op_type().to_string());
            CompletionItem {
                label: name.to_string(),
                kind: CompletionKind::Node,
                detail: op_type,
                documentation: None,
                range,
                new_text: name.to_string(),
                sort_text: format!("{rank:05}"),
            }
        })
        .collect();
    Completions {
        items,
        is_incomplete: cut,
    }
}

/// In a quant_config written as a block mapping (`quant_config:` with indented keys below):
/// the quant_config's keys and values, found from the indentation of the lines above (so it
/// works while the YAML is half-typed) and written as YAML (`key: `, bare values). `None`
/// outside such a block.
fn complete_block_quant_config(
    text: &str,
    inline: Option<&Parse>,
    offset: usize,
    locale: Locale,
    model: Option<&ModelIndex>,
    dialect: &Dialect,
) -> Option<Completions> {
    let offset = offset.min(text.len());
    let BlockLine {
        line_start,
        indent,
        typed,
        ancestors,
        siblings,
    } = block_line(text, offset);
    let rest = match ancestors.as_slice() {
        [section, qc, rest @ ..] if section == "calibration_parameters" && qc == "quant_config" => {
            rest
        }
        _ => return None,
    };
    if typed.starts_with('#') {
        return Some(Completions::default());
    }
    let mut path: Vec<Seg> = rest.iter().map(|k| Seg::Key(k.clone())).collect();
    let (slot, token) = match typed.split_once(':') {
        Some((key, value)) => {
            path.push(Seg::Key(unquote(key.trim())));
            let lead = value.len() - value.trim_start().len();
            (
                Slot::Value,
                TextRange::new(offset - value.len() + lead, offset),
            )
        }
        None => (Slot::Key, TextRange::new(line_start + indent, offset)),
    };
    let cursor = Cursor {
        path,
        slot,
        token: Some(token),
        keys_before: siblings,
    };
    let empty = Parse::default();
    let parse = inline.unwrap_or(&empty);
    let mut items = complete_at(text, parse, &cursor, offset, locale, model, dialect);
    for item in &mut items.items {
        // The JSON completion quotes keys and strings; YAML takes them bare where it can.
        let bare = is_plain_scalar(&item.label).then(|| item.label.clone());
        let written = bare.unwrap_or_else(|| item.new_text.clone());
        item.new_text = match slot {
            Slot::Key => format!("{written}: "),
            _ => written,
        };
    }
    Some(items)
}

/// The line being typed in a block mapping, up to the cursor, and where it stands.
struct BlockLine<'t> {
    line_start: usize,
    indent: usize,
    /// The line's text after its indentation, up to the cursor.
    typed: &'t str,
    /// The keys of the mappings that hold the line, outermost first.
    ancestors: Vec<String>,
    /// The keys written above it at its indentation, in the same mapping.
    siblings: Vec<String>,
}

fn block_line(text: &str, offset: usize) -> BlockLine<'_> {
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[line_start..offset];
    let indent = before.len() - before.trim_start_matches(' ').len();
    let (ancestors, siblings) = block_ancestors(&text[..line_start], indent);
    BlockLine {
        line_start,
        indent,
        typed: &before[indent..],
        ancestors,
        siblings,
    }
}

/// The keys of the block mappings that hold a line indented by `indent` (outermost first),
/// and the keys written before it at its own indentation, read from the lines above it.
fn block_ancestors(above: &str, indent: usize) -> (Vec<String>, Vec<String>) {
    let mut ancestors = Vec::new();
    let mut siblings = Vec::new();
    let mut column = indent;
    for line in above.lines().rev() {
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let line_indent = line.len() - content.len();
        let key = content.split_once(':').map(|(k, _)| unquote(k.trim()));
        if line_indent == column && ancestors.is_empty() {
            siblings.extend(key);
        } else if line_indent < column {
            let Some(key) = key else { break };
            ancestors.push(key);
            column = line_indent;
            if column == 0 {
                break;
            }
        }
    }
    ancestors.reverse();
    (ancestors, siblings)
}

/// A key as written in YAML, without its quotes.
fn unquote(key: &str) -> String {
    key.trim_matches(['"', '\'']).to_string()
}

/// In a block-style `node_info` (node names as indented keys): node names, then a node entry's
/// keys and their values, written as YAML. `None` outside one.
fn complete_block_node_info(
    text: &str,
    offset: usize,
    locale: Locale,
    model: Option<&ModelIndex>,
    dialect: &Dialect,
) -> Option<Completions> {
    let offset = offset.min(text.len());
    let BlockLine {
        line_start,
        indent,
        typed,
        ancestors,
        siblings,
    } = block_line(text, offset);
    let in_node_info =
        |a: &[String]| a.len() >= 2 && a[0] == "model_parameters" && a[1] == "node_info";
    if !in_node_info(&ancestors) || indent == 0 || typed.starts_with('#') {
        return None;
    }
    // As YAML writes it: bare where it reads back unchanged (`ON` does not: PyYAML reads a
    // bare ON as true).
    let written = |s: &str| {
        if is_plain_scalar(s) {
            s.to_string()
        } else {
            format!("'{s}'")
        }
    };
    let items = match (ancestors.len(), typed.split_once(':')) {
        (2, None) => {
            let range = TextRange::new(line_start + indent, offset);
            let mut names = node_name_items(model, typed.trim_matches(['"', '\'']), range, |n| {
                !siblings.iter().any(|s| s == n)
            });
            for item in &mut names.items {
                item.new_text = format!("{}:", written(&item.label));
            }
            names
        }
        (3, None) => {
            let range = TextRange::new(line_start + indent, offset);
            entry_keys(&siblings, range, written, ": ", locale, dialect)
        }
        (3, Some((key, value))) => {
            let lead = value.len() - value.trim_start().len();
            let range = TextRange::new(offset - value.len() + lead, offset);
            entry_values(&unquote(key.trim()), range, written, locale, dialect)
        }
        _ => Completions::default(),
    };
    Some(items)
}

/// The keys of a `node_info` entry (`ON`, `InputType`, ...) but those in `present`, each
/// written by `write` and followed by `suffix`.
fn entry_keys(
    present: &[String],
    range: TextRange,
    write: impl Fn(&str) -> String,
    suffix: &str,
    locale: Locale,
    dialect: &Dialect,
) -> Completions {
    let level = &NODE_INFO_ENTRY;
    level
        .keys
        .iter()
        .filter(|k| !present.iter().any(|p| p == k.name))
        .enumerate()
        .map(|(i, k)| CompletionItem {
            label: k.name.to_string(),
            kind: CompletionKind::Key,
            detail: None,
            documentation: describe_key(level, k.name, locale, dialect),
            range,
            new_text: format!("{}{suffix}", write(k.name)),
            sort_text: format!("{i:03}"),
        })
        .collect::<Vec<_>>()
        .into()
}

/// The values of the `node_info` entry key `key` (`CPU`/`BPU` for `ON`), written by `write`.
fn entry_values(
    key: &str,
    range: TextRange,
    write: impl Fn(&str) -> String,
    locale: Locale,
    dialect: &Dialect,
) -> Completions {
    let level = &NODE_INFO_ENTRY;
    let Some(ValueSpec::Scalar(scalar)) = level.key(key).map(|k| &k.value) else {
        return Completions::default();
    };
    scalar
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| CompletionItem {
            label: v.to_string(),
            kind: CompletionKind::EnumValue,
            detail: None,
            documentation: describe_key(level, key, locale, dialect),
            range,
            new_text: write(v),
            sort_text: format!("{i:03}"),
        })
        .collect::<Vec<_>>()
        .into()
}
