//! Completion of keys (from the spec, minus the keys already present), of values (enums and
//! booleans) and, with a model, of op types, node names, tensor names and `ec` where it works.
//! Works on broken text: the context comes from `syntax::cursor_at`, the tree is only used to learn
//! which keys follow the cursor and what the settings are.

// hashbrown's default hasher: the present-key set is probed for many names per keystroke.
use hashbrown::HashSet;

use super::hover::{describe_key, type_text};
use super::node_info::{compact, select, tensor_list, tier, MAX_NAME_ITEMS};
use super::precision::{ec_works, node_precision, NodeFilter, Settings};
use crate::model::{known_op_types, ModelIndex, NodeId};
use crate::spec::{
    lookup_level, Dialect, Locale, Profile, ScalarType, ValueSpec, EC, WIDE_OPS, WIDE_PRECISIONS,
};
use crate::syntax::{cursor_at, node_at, Bias, Cursor, Seg, Slot};
use crate::syntax::{Parse, Value, ValueKind};
use crate::text::TextRange;

mod yaml;
pub use yaml::complete_yaml;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Key,
    /// A string value from a fixed set.
    EnumValue,
    /// `true` / `false`.
    Keyword,
    /// An op type (an op_config key).
    OpType,
    /// A node name of the model (a node_config key).
    Node,
    /// A tensor name of the model (a subgraph boundary).
    Tensor,
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

/// The items at a position, and whether the list was cut (the client should ask again as the
/// user types).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Completions {
    pub items: Vec<CompletionItem>,
    pub is_incomplete: bool,
}

impl From<Vec<CompletionItem>> for Completions {
    fn from(items: Vec<CompletionItem>) -> Self {
        Completions {
            items,
            is_incomplete: false,
        }
    }
}

/// Every completion at `offset`; `model` adds op types, node names, tensors and narrows `ec`.
pub fn complete(
    text: &str,
    parse: &Parse,
    offset: usize,
    locale: Locale,
    model: Option<&ModelIndex>,
    dialect: &Dialect,
) -> Completions {
    let cursor = cursor_at(text, parse, offset, Bias::Typing);
    complete_at(text, parse, &cursor, offset, locale, model, dialect)
}

/// The completions of what `cursor` says, with the document's tree `parse`.
fn complete_at(
    text: &str,
    parse: &Parse,
    cursor: &Cursor,
    offset: usize,
    locale: Locale,
    model: Option<&ModelIndex>,
    dialect: &Dialect,
) -> Completions {
    let range = cursor
        .token
        .unwrap_or(TextRange::empty(offset.min(text.len())));
    let ctx = Ctx {
        parse,
        range,
        typed: typed_text(text, range, offset),
        locale,
        model,
        dialect,
    };
    match cursor.slot {
        Slot::Key => complete_keys(&ctx, cursor, offset),
        Slot::Value => complete_values(&ctx, &cursor.path),
        Slot::Other => Completions::default(),
    }
}

struct Ctx<'a> {
    parse: &'a Parse,
    range: TextRange,
    /// What the user typed of the token, up to the cursor, without the opening quote.
    typed: &'a str,
    locale: Locale,
    model: Option<&'a ModelIndex>,
    dialect: &'a Dialect,
}

fn typed_text(text: &str, range: TextRange, offset: usize) -> &str {
    let end = offset.clamp(range.start, range.end);
    let start = if text.as_bytes().get(range.start) == Some(&b'"') {
        range.start + 1
    } else {
        range.start
    };
    text.get(start.min(end)..end).unwrap_or("")
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn complete_keys(ctx: &Ctx, cursor: &Cursor, offset: usize) -> Completions {
    let keys = cursor.keys();
    // Node names are offered only when they match what was typed, so only matching keys can
    // hide one: on a 100,000-entry node_config that spares hashing every key.
    let lower = ctx.typed.to_ascii_lowercase();
    let node_level = keys.as_slice() == ["node_config"];
    let may_hide = |k: &str| !node_level || tier(k, ctx.typed, lower.as_bytes()).is_some();
    let mut present: HashSet<&str> = cursor
        .keys_before
        .iter()
        .map(String::as_str)
        .filter(|k| may_hide(k))
        .collect();
    if let Some(ValueKind::Object(o)) = node_at(ctx.parse, &cursor.path, offset).map(|v| &v.kind) {
        for m in &o.members {
            // The key being typed is no reason to hide its completion.
            if !m.key.range.contains_inclusive(offset) && may_hide(&m.key.text) {
                present.insert(&m.key.text);
            }
        }
    }
    match keys.as_slice() {
        ["op_config"] => return op_type_keys(ctx, &present).into(),
        ["node_config"] => return node_keys(ctx, &present),
        _ => {}
    }
    // Subgraph names are the user's own.
    let Some(level) = lookup_level(&keys) else {
        return Completions::default();
    };
    level
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| !present.contains(k.name))
        .filter(|(_, k)| {
            // bayes has no subgraph_config.
            !(level.path.is_empty()
                && k.name == "subgraph_config"
                && !ctx.dialect.profile.has_subgraphs())
        })
        .map(|(i, k)| CompletionItem {
            label: k.name.to_string(),
            kind: CompletionKind::Key,
            detail: Some(type_text(&k.value, ctx.locale)),
            documentation: describe_key(level, k.name, ctx.locale, ctx.dialect),
            range: ctx.range,
            new_text: quote(k.name),
            sort_text: format!("{i:03}"),
        })
        .collect::<Vec<_>>()
        .into()
}

/// The model's op types first (with their node counts), then every other ONNX op type.
fn op_type_keys(ctx: &Ctx, present: &HashSet<&str>) -> Vec<CompletionItem> {
    let item = |op: &str, detail: String, group: u8| CompletionItem {
        label: op.to_string(),
        kind: CompletionKind::OpType,
        detail: Some(detail),
        documentation: None,
        range: ctx.range,
        new_text: quote(op),
        sort_text: format!("{group}{op}"),
    };
    let mut items = Vec::new();
    if let Some(model) = ctx.model {
        for (op, n) in model.op_types() {
            if !present.contains(op) {
                let nodes = if n == 1 { "node" } else { "nodes" };
                items.push(item(op, format!("{n} {nodes}"), 0));
            }
        }
    }
    let other = if ctx.model.is_some() {
        "not in the model"
    } else {
        "ONNX op type"
    };
    for op in known_op_types() {
        let in_model = ctx.model.is_some_and(|m| m.op_type_count(op) > 0);
        if !in_model && !present.contains(op) {
            items.push(item(op, other.to_string(), 1));
        }
    }
    items
}

/// The settings that decide the precision of a node no node_config entry names (the nodes
/// offered as new keys).
fn unconfigured_node_settings(
    config: Option<&Value>,
    model: &ModelIndex,
    profile: Profile,
) -> Settings {
    Settings::read_some(config, Some(model), NodeFilter::None, profile)
}

/// What a node-name item shows beside the list: op type with input precisions, inputs, outputs.
fn node_item_documentation(model: &ModelIndex, settings: &Settings, id: NodeId) -> String {
    let node = model.node(id);
    let np = node_precision(model, settings, id);
    format!(
        "`{}`({})  \ninputs: {}  \noutputs: {}",
        node.op_type(),
        compact(&np),
        tensor_list(node.inputs()),
        tensor_list(node.outputs()),
    )
}

/// The documentation of the node-name item `name` in a config (`config`, its tree), for
/// clients that ask for it when an item is selected (`completionItem/resolve`) rather than with
/// the list: a thousand items' documentation is most of a list's size.
pub fn node_completion_documentation(
    config: Option<&Value>,
    model: &ModelIndex,
    profile: Profile,
    name: &str,
) -> Option<String> {
    let first = model.nodes_named(name).first()?;
    let settings = unconfigured_node_settings(config, model, profile);
    Some(node_item_documentation(model, &settings, first))
}

/// Node names of the model not configured yet, bounded and prefiltered by what was typed.
fn node_keys(ctx: &Ctx, present: &HashSet<&str>) -> Completions {
    let Some(model) = ctx.model else {
        return Completions::default();
    };
    let (picked, cut) = select(model.node_names(), ctx.typed, MAX_NAME_ITEMS, |n| {
        !present.contains(n)
    });
    let settings = unconfigured_node_settings(ctx.parse.root.as_ref(), model, ctx.dialect.profile);
    let items = picked
        .into_iter()
        .enumerate()
        .filter_map(|(rank, name)| {
            let ids = model.nodes_named(name);
            let first = ids.first()?;
            let node = model.node(first);
            let detail = if ids.len() > 1 {
                format!("{} (×{} nodes share this name)", node.op_type(), ids.len())
            } else {
                node.op_type().to_string()
            };
            Some(CompletionItem {
                label: name.to_string(),
                kind: CompletionKind::Node,
                detail: Some(detail),
                documentation: Some(node_item_documentation(model, &settings, first)),
                range: ctx.range,
                new_text: quote(name),
                sort_text: format!("{rank:05}"),
            })
        })
        .collect();
    Completions {
        items,
        is_incomplete: cut,
    }
}

/// Tensor names for a subgraph boundary: graph inputs and node outputs.
fn tensor_values(ctx: &Ctx) -> Completions {
    let Some(model) = ctx.model else {
        return Completions::default();
    };
    let tensors = model
        .graph_inputs()
        .chain(model.nodes().flat_map(|n| n.outputs()))
        .filter(|t| !t.is_empty());
    let (picked, cut) = select(tensors, ctx.typed, MAX_NAME_ITEMS, |_| true);
    // A broken model may repeat a tensor; list it once.
    let mut seen = HashSet::new();
    let items = picked
        .into_iter()
        .filter(|t| seen.insert(*t))
        .enumerate()
        .map(|(rank, t)| CompletionItem {
            label: t.to_string(),
            kind: CompletionKind::Tensor,
            detail: Some(match model.producer(t).map(|p| model.node(p)) {
                Some(n) if n.name().is_empty() => {
                    format!("output of an unnamed {} node", n.op_type())
                }
                Some(n) => format!("output of {} ({})", n.name(), n.op_type()),
                None => "graph input".to_string(),
            }),
            documentation: None,
            range: ctx.range,
            new_text: quote(t),
            sort_text: format!("{rank:05}"),
        })
        .collect();
    Completions {
        items,
        is_incomplete: cut,
    }
}

/// With a model, `ec` for `node_config[name].input<i>` only where it works on one of the nodes
/// of that name; an unknown name (or no model) keeps it.
fn ec_allowed(model: Option<&ModelIndex>, parent: &[&str], key: &str) -> bool {
    let (Some(model), ["node_config", name]) = (model, parent) else {
        return true;
    };
    let index = match key {
        "input0" => 0,
        "input1" => 1,
        _ => return true,
    };
    let ids = model.nodes_named(name);
    ids.is_empty()
        || ids
            .iter()
            .any(|id| ec_works(model.node(id).op_type(), index))
}

/// `dual-int16`/`int16-ec` only for the op types that take them: an op_config entry of another
/// op type, or (with a model) a node entry whose nodes are of none of them, does not get them.
fn wide_allowed(model: Option<&ModelIndex>, parent: &[&str]) -> bool {
    match parent {
        ["op_config", op] => WIDE_OPS.contains(op),
        ["node_config", name] => {
            let Some(model) = model else { return true };
            let ids = model.nodes_named(name);
            ids.is_empty()
                || ids
                    .iter()
                    .any(|id| WIDE_OPS.contains(&model.node(id).op_type()))
        }
        _ => true,
    }
}

fn complete_values(ctx: &Ctx, path: &[Seg]) -> Completions {
    // `[..., Key(k)]` or `[..., Key(k), Index(i)]` for an element of a list value.
    let (key_index, in_list) = match path {
        [.., Seg::Key(_), Seg::Index(_)] => (path.len() - 2, true),
        [.., Seg::Key(_)] => (path.len() - 1, false),
        _ => return Completions::default(),
    };
    let Seg::Key(key) = &path[key_index] else {
        return Completions::default();
    };
    let parent: Vec<&str> = path[..key_index]
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect();
    if parent.len() != key_index {
        return Completions::default();
    }
    let Some(level) = lookup_level(&parent) else {
        return Completions::default();
    };
    let locale = ctx.locale;
    let doc = describe_key(level, key, locale, ctx.dialect);
    let profile = ctx.dialect.profile;
    let (values, is_bool, is_precision): (&[&str], bool, bool) = if let Some(spec) = level.key(key)
    {
        match &spec.value {
            ValueSpec::TensorNames if in_list => return tensor_values(ctx),
            ValueSpec::Scalar(s) if in_list && !s.list => return Completions::default(),
            ValueSpec::Scalar(s) if s.ty == ScalarType::Bool => (&[], true, false),
            ValueSpec::Scalar(s) if s.ty == ScalarType::String => {
                (s.values_in(profile).0, false, s.precision.is_some())
            }
            _ => return Completions::default(),
        }
    } else if let Some(legacy) = level.legacy_key(key) {
        if in_list {
            return Completions::default();
        }
        (
            legacy.values_in(profile).0,
            false,
            legacy.precision.is_some(),
        )
    } else {
        return Completions::default();
    };
    // Precisions say which profile offered them.
    let detail = is_precision.then(|| format!("profile {}", ctx.dialect.describe()));
    let item = |i: usize, label: &str, new_text: String, kind| CompletionItem {
        label: label.to_string(),
        kind,
        detail: detail.clone(),
        documentation: doc.clone(),
        range: ctx.range,
        new_text,
        sort_text: format!("{i:03}"),
    };
    if is_bool {
        return ["true", "false"]
            .iter()
            .enumerate()
            .map(|(i, b)| item(i, b, b.to_string(), CompletionKind::Keyword))
            .collect::<Vec<_>>()
            .into();
    }
    let keep_ec = ec_allowed(ctx.model, &parent, key);
    let keep_wide = wide_allowed(ctx.model, &parent);
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| keep_ec || **v != EC)
        .filter(|(_, v)| keep_wide || !WIDE_PRECISIONS.contains(v))
        .map(|(i, v)| item(i, v, quote(v), CompletionKind::EnumValue))
        .collect::<Vec<_>>()
        .into()
}

#[cfg(test)]
mod tests;
