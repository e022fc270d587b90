//! Hover on keys and values: documentation, type, default and valid values (en / zh); with a
//! model, node names (op type, inputs, effective precision and what decided it) and op types
//! (node counts and overrides).

use super::hb_compile::QUANT_CONFIG_PATH;
use super::node_info::{decided_by, line_of, tensor_list, NO_PRECISION, OMITTED};
use super::precision::{node_precision, NodeFilter, Settings};
use super::suggest::did_you_mean;
use crate::model::{how_to_pair, ModelIndex, NodeId};
use crate::spec::{
    self, lookup_level, Bound, Dialect, KeySpec, Legacy, Level, Locale, MapKind, PrecisionRole,
    ValueSpec, EC,
};
use crate::syntax::{cursor_at, cursor_in_tree, Bias, Cursor, Parse, Seg, Slot, Value, ValueKind};
use crate::text::TextRange;

#[derive(Clone, Debug, PartialEq)]
pub struct HoverInfo {
    /// The token hovered (a key with its quotes, or a value).
    pub range: TextRange,
    pub markdown: String,
}

/// What the spec (or, for node names and op types, the model) says about the key or value at
/// `offset`; `None` elsewhere.
pub fn hover(
    text: &str,
    parse: &Parse,
    offset: usize,
    locale: Locale,
    model: Option<&ModelIndex>,
    dialect: &Dialect,
) -> Option<HoverInfo> {
    let cursor = cursor_at(text, parse, offset, Bias::Char);
    hover_at(text, parse, &cursor, locale, model, dialect, None)
}

/// [`hover`] in an hb_compile YAML: the quant_config written inside it (`inline`, ranges in the
/// YAML text) as in a quant_config file, and the YAML's own keys with their documentation.
pub fn hover_yaml(
    text: &str,
    yaml: &Parse,
    inline: Option<&Parse>,
    offset: usize,
    locale: Locale,
    model: Option<&ModelIndex>,
    dialect: &Dialect,
) -> Option<HoverInfo> {
    let mut cursor = cursor_in_tree(yaml, offset);
    let in_config = cursor.path.len() >= 2
        && cursor.path[..2]
            .iter()
            .zip(QUANT_CONFIG_PATH)
            .all(|(seg, key)| *seg == Seg::Key(key.to_string()));
    if let (true, Some(inline)) = (in_config, inline) {
        cursor.path.drain(..2);
        let around = yaml.root.as_ref();
        return hover_at(text, inline, &cursor, locale, model, dialect, around);
    }
    let keys = cursor.keys();
    let token = cursor.token?;
    // A node named in the YAML (a node_info key, an item of run_on_cpu/run_on_bpu): its table
    // of effective precisions, as on a node_config key.
    let empty = Parse::default();
    let config = inline.unwrap_or(&empty);
    let node_table = |name: &str, range: TextRange| HoverInfo {
        range,
        markdown: node_hover(
            text,
            config,
            name,
            model,
            locale,
            dialect,
            yaml.root.as_ref(),
        ),
    };
    match (cursor.slot, keys.as_slice()) {
        (Slot::Key, ["model_parameters", "node_info"]) => {
            let name = cursor.member(yaml)?.key.text.clone();
            return Some(node_table(&name, token));
        }
        (Slot::Value, ["calibration_parameters", "run_on_cpu" | "run_on_bpu"]) => {
            let value = cursor.value(yaml)?;
            let (name, range) = super::hb_compile::item_at(value, &[';'], offset)?;
            return Some(node_table(name, range));
        }
        // `set_Conv_input_int16`: the op type's nodes, as on an op_config key.
        (Slot::Value, ["calibration_parameters", "optimization"]) => {
            let value = cursor.value(yaml)?;
            let op =
                super::hb_compile::item_at(value, &[';', ','], offset).and_then(|(item, range)| {
                    Some((super::hb_compile::optimization_op(item)?.0, range))
                });
            if let Some((op, range)) = op {
                let markdown = op_hover(config, op, model, locale, dialect);
                return Some(HoverInfo { range, markdown });
            }
        }
        _ => {}
    }
    // The level of the object that holds the key (Key) or of the key that holds the value.
    let (level_keys, name): (&[&str], &str) = match cursor.slot {
        Slot::Key => (
            &keys,
            text.get(token.start..token.end)?.trim_matches(['"', '\'']),
        ),
        Slot::Value => {
            let (last, parent) = keys.split_last()?;
            (parent, last)
        }
        Slot::Other => return None,
    };
    let level = match level_keys {
        [] => &spec::hb_compile::HB_TOP,
        [section] => spec::hb_compile::hb_section(section)?,
        ["model_parameters", "node_info", _] => &spec::hb_compile::NODE_INFO_ENTRY,
        _ => return None,
    };
    Some(HoverInfo {
        range: token,
        markdown: describe_key(level, name, locale, dialect)?,
    })
}

/// The hover of what `cursor` is on; `hb_compile` is the YAML around an inline config.
fn hover_at(
    text: &str,
    parse: &Parse,
    cursor: &Cursor,
    locale: Locale,
    model: Option<&ModelIndex>,
    dialect: &Dialect,
    hb_compile: Option<&Value>,
) -> Option<HoverInfo> {
    // The keys from the root to the object that holds the key or value under the cursor.
    let keys = cursor.keys();
    match cursor.slot {
        Slot::Key => {
            let member = cursor.member(parse)?;
            let name = member.key.text.as_str();
            let markdown = match keys.as_slice() {
                ["node_config"] => Some(node_hover(
                    text, parse, name, model, locale, dialect, hb_compile,
                )),
                ["op_config"] => Some(op_hover(parse, name, model, locale, dialect)),
                _ => None,
            };
            let markdown = match markdown {
                Some(markdown) => markdown,
                None => describe_key(lookup_level(&keys)?, name, locale, dialect)?,
            };
            Some(HoverInfo {
                range: member.key.range,
                markdown,
            })
        }
        Slot::Value => {
            let node = cursor.value(parse)?;
            if !matches!(
                node.kind,
                ValueKind::String(_) | ValueKind::Number(_) | ValueKind::Bool(_)
            ) {
                return None;
            }
            // The key is the last key of the path (an array element belongs to its member's
            // key); the level is what the keys before it lead to.
            let (key, parent) = keys.split_last()?;
            let level = lookup_level(parent)?;
            let mut markdown = describe_key(level, key, locale, dialect)?;
            if let ValueKind::String(s) = &node.kind {
                if s.value == EC {
                    markdown.push_str("\n\n");
                    markdown.push_str(&match locale {
                        Locale::En => format!("`ec`: int8 with error compensation (the op is duplicated to compensate the quantization loss). Works on: {}.", spec::ec_table_text()),
                        Locale::Zh => format!("`ec`：带误差补偿的 int8（复制算子以补偿量化损失）。只在以下输入生效：{}。", spec::ec_table_text()),
                    });
                }
                if is_precision_key(level, key) {
                    markdown.push_str("\n\n");
                    markdown.push_str(&verdict(level, key, &s.value, locale, dialect));
                }
            }
            Some(HoverInfo {
                range: node.range,
                markdown,
            })
        }
        Slot::Other => None,
    }
}

/// Markdown for a key of `level` (a documented key or a legacy one).
pub fn describe_key(
    level: &Level,
    name: &str,
    locale: Locale,
    dialect: &Dialect,
) -> Option<String> {
    if let Some(spec) = level.key(name) {
        return Some(describe_spec(level, spec, locale, dialect));
    }
    level
        .legacy_key(name)
        .map(|l| describe_legacy(l, locale, dialect))
}

/// Does the key take a precision (whose values follow the profile)?
fn is_precision_key(level: &Level, name: &str) -> bool {
    match level.key(name) {
        Some(spec) => matches!(&spec.value, ValueSpec::Scalar(s) if s.precision.is_some()),
        None => level
            .legacy_key(name)
            .is_some_and(|l| l.precision.is_some()),
    }
}

/// What the active profile says of a precision value: valid, tolerated or not, and which
/// profile said it.
fn verdict(level: &Level, key: &str, value: &str, locale: Locale, dialect: &Dialect) -> String {
    let role = level
        .key(key)
        .and_then(|k| match &k.value {
            ValueSpec::Scalar(s) => s.precision,
            _ => None,
        })
        .or_else(|| level.legacy_key(key).and_then(|l| l.precision));
    let profile = dialect.describe();
    let Some(role) = role else {
        return String::new();
    };
    let (valid, tolerated) = dialect.profile.values(role);
    let accepted = valid.contains(&value) || tolerated.contains(&value);
    match (locale, accepted) {
        (Locale::En, true) => format!("`{value}` is valid with profile {profile}."),
        (Locale::Zh, true) => format!("在配置档 {profile} 下 `{value}` 有效。"),
        (Locale::En, false) => format!("`{value}` is not valid with profile {profile}."),
        (Locale::Zh, false) => format!("在配置档 {profile} 下 `{value}` 无效。"),
    }
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
        ValueSpec::Any => label(locale, "any value", "任意值").to_string(),
        ValueSpec::AnyObject => label(
            locale,
            "object (contents not checked)",
            "对象（内容不做检查）",
        )
        .to_string(),
        ValueSpec::Scalar(s) => {
            let one = s.ty.name(locale);
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

fn describe_spec(level: &Level, spec: &KeySpec, locale: Locale, dialect: &Dialect) -> String {
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
        let (valid, _) = s.values_in(dialect.profile);
        if !valid.is_empty() {
            facts.push(format!(
                "{}: {}",
                valid_values_label(locale, s.precision.is_some(), dialect),
                code_list(valid)
            ));
        }
        if let Some(range) = bound_text(s.min, s.max) {
            facts.push(format!("{}: {range}", label(locale, "Range", "范围")));
        }
        if s.precision == Some(PrecisionRole::Input) {
            facts.push(format!(
                "{}: {}",
                label(locale, "`ec` works on", "`ec` 生效于"),
                spec::ec_table_text()
            ));
        }
    }
    out.push_str(&facts.join("  \n"));
    out
}

fn describe_legacy(legacy: &Legacy, locale: Locale, dialect: &Dialect) -> String {
    let mut out = format!(
        "**{}** · {}\n\n{}",
        legacy.name,
        label(locale, "legacy key", "旧版键"),
        legacy.doc.get(locale)
    );
    let (valid, _) = legacy.values_in(dialect.profile);
    if !valid.is_empty() {
        out.push_str(&format!(
            "\n\n{}: {}",
            valid_values_label(locale, legacy.precision.is_some(), dialect),
            code_list(valid)
        ));
    }
    out
}

/// "Valid values", naming the profile when the values depend on it.
fn valid_values_label(locale: Locale, by_profile: bool, dialect: &Dialect) -> String {
    match (locale, by_profile) {
        (Locale::En, true) => format!("Valid values (profile {})", dialect.describe()),
        (Locale::Zh, true) => format!("有效值（配置档 {}）", dialect.describe()),
        (locale, false) => label(locale, "Valid values", "有效值").to_string(),
    }
}

fn no_model(locale: Locale) -> String {
    match locale {
        Locale::En => format!("No model is paired with this config. {}", how_to_pair()),
        Locale::Zh => format!("此配置没有配对的模型。{}", how_to_pair()),
    }
}

/// Op type, inputs/outputs and the effective precision table of every node named `name`.
fn node_hover(
    text: &str,
    parse: &Parse,
    name: &str,
    model: Option<&ModelIndex>,
    locale: Locale,
    dialect: &Dialect,
    hb_compile: Option<&Value>,
) -> String {
    let mut out = format!("**{name}**\n\n");
    let Some(model) = model else {
        out.push_str(&no_model(locale));
        return out;
    };
    let ids = model.nodes_named(name);
    if ids.is_empty() || name.is_empty() {
        out.push_str(&match locale {
            Locale::En => format!(
                "No node of the model `{}` has this name.",
                model.path.display()
            ),
            Locale::Zh => format!("模型 `{}` 中没有这个名称的节点。", model.path.display()),
        });
        if let Some(s) = did_you_mean(name, model.node_names()) {
            out.push_str(&format!(
                " {} `{s}`?",
                label(locale, "Did you mean", "是否指")
            ));
        }
        return out;
    }
    let mut settings = Settings::read_some(
        parse.root.as_ref(),
        Some(model),
        NodeFilter::Named(name),
        dialect.profile,
    );
    if let Some(yaml) = hb_compile {
        settings.add_hb_compile(yaml, model, dialect.profile);
    }
    // A huge number of same-named nodes would make an unreadable hover.
    const SHOWN: usize = 8;
    if ids.len() > 1 {
        out.push_str(&match locale {
            Locale::En => format!(
                "⚠ Ambiguous: {} nodes of the model have this name; a node_config entry applies to all of them.\n\n",
                ids.len()
            ),
            Locale::Zh => format!(
                "⚠ 名称有歧义：模型中有 {} 个节点使用此名称，node_config 条目对它们全部生效。\n\n",
                ids.len()
            ),
        });
    }
    for (k, id) in ids.iter().take(SHOWN).enumerate() {
        if ids.len() > 1 {
            out.push_str(&format!(
                "**{} {}** · ",
                label(locale, "Node", "节点"),
                k + 1
            ));
        }
        out.push_str(&node_section(text, model, &settings, id, locale));
        out.push_str("\n\n");
    }
    if ids.len() > SHOWN {
        out.push_str(&format!("… {} more\n\n", ids.len() - SHOWN));
    }
    out.push_str(&format!(
        "{}: {}",
        label(locale, "Profile", "配置档"),
        dialect.describe()
    ));
    out
}

fn node_section(
    text: &str,
    model: &ModelIndex,
    settings: &Settings,
    id: NodeId,
    locale: Locale,
) -> String {
    let node = model.node(id);
    let np = node_precision(model, settings, id);
    let mut out = format!(
        "`{}` {}  \n{}: {}  \n{}: {}\n\n",
        node.op_type(),
        label(locale, "node", "节点"),
        label(locale, "Inputs", "输入"),
        tensor_list(node.inputs()),
        label(locale, "Outputs", "输出"),
        tensor_list(node.outputs()),
    );
    if np.inputs.is_empty() {
        out.push_str(label(locale, "The node has no inputs.", "该节点没有输入。"));
        return out;
    }
    out.push_str(label(
        locale,
        "| input | tensor | precision | decided by |\n|---|---|---|---|\n",
        "| 输入 | 张量 | 精度 | 决定它的设置 |\n|---|---|---|---|\n",
    ));
    for input in &np.inputs {
        let (tensor, precision, source) = match input.precision {
            None => (
                OMITTED.to_string(),
                NO_PRECISION.to_string(),
                NO_PRECISION.to_string(),
            ),
            Some(p) => {
                let weight = if input.is_weight {
                    label(locale, " (weight)", "（权重）")
                } else {
                    ""
                };
                (
                    format!("`{}`{weight}", input.tensor.replace('|', "\\|")),
                    p.describe().to_string(),
                    decided_by(text, &input.source),
                )
            }
        };
        out.push_str(&format!(
            "| {} | {tensor} | {precision} | {source} |\n",
            input.index
        ));
    }
    if let Some(out_setting) = settings.model_output_type.as_ref() {
        if node.outputs().any(|o| model.graph_outputs().has(o)) {
            out.push_str(&format!(
                "\n{}: {} ({} (line {}))",
                label(locale, "Model output", "模型输出"),
                out_setting.precision.as_str(),
                out_setting.path,
                line_of(text, out_setting.range.start)
            ));
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// How many nodes of an op type the model has, and how many of them node_config overrides.
fn op_hover(
    parse: &Parse,
    op: &str,
    model: Option<&ModelIndex>,
    locale: Locale,
    dialect: &Dialect,
) -> String {
    let mut out = format!("**{op}** · {}\n\n", label(locale, "op type", "算子类型"));
    let Some(model) = model else {
        out.push_str(&no_model(locale));
        return out;
    };
    let count = model.op_type_count(op);
    if count == 0 {
        out.push_str(&match locale {
            Locale::En => format!("The model has no `{op}` node, so this entry has no effect."),
            Locale::Zh => format!("模型中没有 `{op}` 节点，此条目不起作用。"),
        });
        return out;
    }
    let settings = Settings::read(parse.root.as_ref(), Some(model), dialect.profile);
    let overridden = model
        .nodes()
        .filter(|n| {
            n.op_type() == op && !n.name().is_empty() && settings.node.contains_key(n.name())
        })
        .count();
    out.push_str(&match locale {
        Locale::En => format!(
            "The model has {count} `{op}` node{}; {overridden} of them {} node_config overrides.",
            if count == 1 { "" } else { "s" },
            if overridden == 1 { "has" } else { "have" }
        ),
        Locale::Zh => format!(
            "模型中有 {count} 个 `{op}` 节点，其中 {overridden} 个在 node_config 中被单独配置。"
        ),
    });
    out
}

#[cfg(test)]
mod tests;
