//! An hb_compile YAML (the file given to `hb_compile --config`): its syntax, its own keys, the
//! quant_config written inside it (`calibration_parameters.quant_config` as a mapping: every
//! quant_config rule, with ranges in the YAML text) and the files it names.

use super::check::{check_document, describe, CheckContext, Checked};
use super::model_checks::unknown_node;
use super::suggest::{did_you_mean, hint};
use super::ModelStatus;
use super::{Code, Diagnostic, Severity};
use crate::model::MissingFile;
use crate::model::{case_insensitive_op_match, is_known_op_type, ModelIndex};
use crate::spec::hb_compile as hb;
use crate::spec::{KeySpec, Level, Locale, Scalar, ScalarType, ValueSpec};
use crate::syntax::Member;
use crate::syntax::{Parse, SyntaxErrorKind, Value, ValueKind};
use crate::text::TextRange;

/// The path where the inline quant_config sits in an hb_compile YAML.
pub const QUANT_CONFIG_PATH: [&str; 2] = ["calibration_parameters", "quant_config"];

/// The inline quant_config as a document of its own (ranges stay those of the YAML text), when
/// `calibration_parameters.quant_config` is a mapping.
pub fn inline_quant_config(parse: &Parse) -> Option<Parse> {
    let [section, key] = QUANT_CONFIG_PATH;
    let value = section_value(parse.root.as_ref()?, section, key)?;
    value.as_object()?;
    Some(Parse {
        root: Some(value.clone()),
        errors: Vec::new(),
        comments: Vec::new(),
    })
}

/// Every diagnostic of an hb_compile YAML, sorted by position. `missing` are the files it names
/// that the caller found missing on disk (the analysis never touches it).
pub fn check_hb_compile(parse: &Parse, ctx: &CheckContext, missing: &[MissingFile]) -> Checked {
    let around = ctx
        .config
        .apply(check_hb_compile_around(parse, None, ctx, missing));
    let inline = inline_quant_config(parse);
    let checked = inline
        .as_ref()
        .map(|i| (i, check_inline(i, ctx).diagnostics));
    Checked::from_diagnostics(merge_with_inline(around, checked))
}

/// The YAML's diagnostics and, when it has an inline config, that config's tree and
/// diagnostics, sorted by position. A `no-effect` on a node_config entry that node_info or
/// run_on_cpu/run_on_bpu overrides is left out: its reason, read from the quant_config alone,
/// would name the wrong setting, and the `overlapping-setting` on the same key says what decides.
pub fn merge_with_inline(
    mut around: Vec<Diagnostic>,
    inline: Option<(&Parse, Vec<Diagnostic>)>,
) -> Vec<Diagnostic> {
    let Some((inline, checked)) = inline else {
        around.sort_by_key(|d| (d.range.start, d.range.end));
        return around;
    };
    let node_keys: Vec<TextRange> = inline
        .root
        .as_ref()
        .and_then(|root| root.as_object()?.get_value("node_config")?.as_object())
        .map(|nodes| nodes.members.iter().map(|m| m.key.range).collect())
        .unwrap_or_default();
    let overridden = |d: &Diagnostic| {
        node_keys.contains(&d.range)
            && around
                .iter()
                .any(|o| o.code == Code::OverlappingSetting && o.range == d.range)
    };
    let kept: Vec<Diagnostic> = checked
        .into_iter()
        .filter(|d| !(d.code == Code::NoEffect && overridden(d)))
        .collect();
    around.extend(kept);
    around.sort_by_key(|d| (d.range.start, d.range.end));
    around
}

/// The inline quant_config checked as a file would be (its syntax is the YAML's). Kept apart so
/// that the server can check it from the last check of it, as a JSON document.
pub fn check_inline(inline: &Parse, ctx: &CheckContext) -> Checked {
    check_document("", inline, ctx)
}

/// Everything of an hb_compile YAML but its inline quant_config's own check: the YAML's syntax
/// and keys, the names it writes, where it overlaps its quant_config (`inline`, else read from
/// `parse`), the files it names. Not sorted, severities not applied.
pub fn check_hb_compile_around(
    parse: &Parse,
    inline: Option<&Parse>,
    ctx: &CheckContext,
    missing: &[MissingFile],
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = parse
        .errors
        .iter()
        .map(|e| {
            let code = match e.kind {
                SyntaxErrorKind::Syntax => Code::SyntaxError,
                SyntaxErrorKind::HashComment => Code::HashComment,
            };
            Diagnostic::new(code, e.range, e.message.clone())
        })
        .collect();
    if let Some(root) = parse.root.as_ref() {
        check_yaml_keys(root, ctx.locale, &mut out);
        check_yaml_names(root, ctx, &mut out);
        let read;
        let inline = match inline {
            Some(inline) => Some(inline),
            None => {
                read = inline_quant_config(parse);
                read.as_ref()
            }
        };
        if let Some(inline) = inline {
            check_overlaps(root, inline, ctx.locale, &mut out);
        }
    }
    for m in missing {
        let severity = if m.file.required {
            Severity::Error
        } else {
            Severity::Warning
        };
        out.push(
            Diagnostic::new(
                Code::FileNotFound,
                m.file.range,
                tr!(
                    ctx.locale,
                    "{} \"{}\" does not exist (looked for {})",
                    "{} \"{}\" 不存在（查找的是 {}）",
                    m.file.key,
                    m.file.path,
                    m.looked_at
                ),
            )
            .with_severity(severity),
        );
    }
    out
}

/// The YAML's own keys: sections, keys per section, their types, values and ranges
/// (spec::hb_compile). `null` means "not set"; keys of several shapes are not type-checked.
fn check_yaml_keys(root: &Value, locale: Locale, out: &mut Vec<Diagnostic>) {
    let ValueKind::Object(top) = &root.kind else {
        if !matches!(root.kind, ValueKind::Null | ValueKind::Invalid) {
            out.push(Diagnostic::new(
                Code::WrongType,
                root.range,
                tr!(
                    locale,
                    "an hb_compile YAML is a mapping of sections",
                    "hb_compile YAML 应是由各个部分组成的映射"
                ),
            ));
        }
        return;
    };
    for section in &top.members {
        let name = section.key.text.as_str();
        let Some(level) = hb::hb_section(name) else {
            unknown(
                out,
                section,
                &hb::HB_TOP,
                &tr!(
                    locale,
                    "at the top level of the hb_compile YAML",
                    "在 hb_compile YAML 的顶层"
                ),
                locale,
            );
            continue;
        };
        let Some(value) = section.value.as_ref().filter(|v| !v.is_null()) else {
            continue;
        };
        let Some(keys) = value.as_object() else {
            out.push(Diagnostic::new(
                Code::WrongType,
                value.range,
                tr!(
                    locale,
                    "\"{name}\" must be a mapping of keys, not {}",
                    "\"{name}\" 必须是键的映射，而不是{}",
                    describe(value, locale)
                ),
            ));
            continue;
        };
        for member in &keys.members {
            let key = member.key.text.as_str();
            let Some(spec) = level.key(key) else {
                if !level.open {
                    let place = tr!(locale, "in {name}", "在 {name} 中");
                    unknown(out, member, level, &place, locale);
                } else if let Some(s) = did_you_mean(key, level.key_names()) {
                    // Other keys are accepted here (and ignored); one this close is a typo.
                    out.push(
                        Diagnostic::new(
                            Code::UnknownKey,
                            member.key.range,
                            tr!(
                                locale,
                                "\"{key}\" is not a key of {name}, which the toolchain ignores; did you mean \"{s}\"?",
                                "\"{key}\" 不是 {name} 的键，工具链会忽略它；是否指 \"{s}\"？"
                            ),
                        )
                        .with_severity(Severity::Warning)
                        .suggest_str(s),
                    );
                }
                continue;
            };
            let Some(value) = member.value.as_ref().filter(|v| !v.is_null()) else {
                continue;
            };
            if hb::MULTI_TYPE_KEYS.contains(&(name, key)) {
                continue;
            }
            if let ValueSpec::Scalar(scalar) = &spec.value {
                let split = hb::SEMICOLON_SEPARATED.contains(&(name, key));
                check_yaml_scalar(out, name, spec, scalar, value, split, locale);
            }
        }
    }
}

fn unknown(out: &mut Vec<Diagnostic>, member: &Member, level: &Level, place: &str, locale: Locale) {
    let name = member.key.text.as_str();
    let suggestion = did_you_mean(name, level.key_names());
    let mut d = Diagnostic::new(
        Code::UnknownKey,
        member.key.range,
        tr!(
            locale,
            "\"{name}\" is not a key {place}; expected one of {}{}",
            "\"{name}\" {place}不是有效的键；应为以下之一：{}{}",
            level.key_names().collect::<Vec<_>>().join(", "),
            hint(suggestion, locale)
        ),
    );
    if let Some(s) = suggestion {
        d = d.suggest_str(s);
    }
    out.push(d);
}

/// One scalar of the YAML: its type (`Float` is any number), its values (each `;`-separated
/// item when `split`), its range.
fn check_yaml_scalar(
    out: &mut Vec<Diagnostic>,
    section: &str,
    spec: &KeySpec,
    scalar: &Scalar,
    value: &Value,
    split: bool,
    locale: Locale,
) {
    let key = spec.name;
    let wrong = |found: String| {
        Diagnostic::new(
            Code::WrongType,
            value.range,
            tr!(
                locale,
                "\"{key}\" must be {}, not {found}",
                "\"{key}\" 必须是{}，而不是{found}",
                scalar.ty.name(locale)
            ),
        )
    };
    match (&value.kind, scalar.ty) {
        (ValueKind::String(s), ScalarType::String) => {
            if scalar.values.is_empty() {
                return;
            }
            let items: Vec<&str> = if split {
                s.value
                    .split(';')
                    .map(str::trim)
                    .filter(|i| !i.is_empty())
                    .collect()
            } else {
                vec![s.value.as_str()]
            };
            for item in items {
                if scalar.values.contains(&item) || scalar.tolerated.contains(&item) {
                    continue;
                }
                let suggestion = did_you_mean(item, scalar.values.iter().copied());
                let mut d = Diagnostic::new(
                    Code::InvalidValue,
                    value.range,
                    tr!(
                        locale,
                        "\"{item}\" is not a valid {section}.{key}; expected one of {}{}",
                        "\"{item}\" 不是有效的 {section}.{key}；应为以下之一：{}{}",
                        scalar.values.join(", "),
                        hint(suggestion, locale)
                    ),
                );
                if let (Some(s), false) = (suggestion, split) {
                    d = d.suggest_str(s);
                }
                out.push(d);
            }
        }
        (ValueKind::Number(n), ScalarType::Int) if !n.is_integer => {
            out.push(wrong(tr!(locale, "the number {}", "数字 {}", n.raw)))
        }
        (ValueKind::Number(n), ScalarType::Int | ScalarType::Float) => {
            let below = scalar.min.filter(|b| !b.admits_as_min(n.value));
            let above = scalar.max.filter(|b| !b.admits_as_max(n.value));
            let (at_least, at_most) = match locale {
                Locale::En => ("at least", "at most"),
                Locale::Zh => ("不小于", "不大于"),
            };
            if let Some((bound, relation)) =
                below.map(|b| (b, at_least)).or(above.map(|b| (b, at_most)))
            {
                out.push(
                    Diagnostic::new(
                        Code::OutOfRange,
                        value.range,
                        tr!(
                            locale,
                            "\"{key}\" must be {relation} {}; the toolchain rejects {}",
                            "\"{key}\" 必须{relation} {}；工具链会拒绝 {}",
                            bound.value,
                            n.raw
                        ),
                    )
                    .with_severity(Severity::Error),
                );
            }
        }
        (ValueKind::Bool(_), ScalarType::Bool) => {}
        // A path or a number written as text is what the user meant.
        (ValueKind::Number(_) | ValueKind::Bool(_), ScalarType::String) => {}
        (ValueKind::Invalid, _) => {}
        _ => out.push(wrong(describe(value, locale))),
    }
}

/// The node names and op types written in the YAML: the keys of `model_parameters.node_info`,
/// the items of `run_on_cpu`/`run_on_bpu` (against the model), the items of `optimization`.
fn check_yaml_names(root: &Value, ctx: &CheckContext, out: &mut Vec<Diagnostic>) {
    let model = match ctx.model {
        ModelStatus::Loaded(model) => Some(model),
        _ => None,
    };
    if let (Some(model), Some(info)) = (
        model,
        section_value(root, "model_parameters", "node_info").and_then(Value::as_object),
    ) {
        for member in &info.members {
            out.extend(unknown_node(
                model,
                &member.key.text,
                member.key.range,
                ctx.locale,
            ));
        }
    }
    for key in ["run_on_cpu", "run_on_bpu"] {
        let (Some(model), Some(value)) =
            (model, section_value(root, "calibration_parameters", key))
        else {
            continue;
        };
        for (name, range) in items(value, &[';']) {
            out.extend(unknown_node(model, name, range, ctx.locale));
        }
    }
    if let Some(value) = section_value(root, "calibration_parameters", "optimization") {
        for (item, range) in items(value, &[';', ',']) {
            out.extend(optimization_item(item, range, model, ctx.locale));
        }
    }
}

/// Where the YAML's own knobs and the quant_config written in it set the same thing: the
/// toolchain turns the YAML's knobs into quant_config settings, so one of the two is not what
/// the user reads. Reported on both places.
fn check_overlaps(root: &Value, inline: &Parse, locale: Locale, out: &mut Vec<Diagnostic>) {
    let Some(config) = inline.root.as_ref().and_then(Value::as_object) else {
        return;
    };
    let model_config = config.get_value("model_config").and_then(Value::as_object);
    let mut pair = |yaml: TextRange, what: &str, config: TextRange, config_what: &str| {
        let because = tr!(
            locale,
            "the toolchain turns the YAML's setting into the quant_config's, so set it in one place",
            "工具链会把 YAML 的设置转换为 quant_config 的设置，请只在一处设置"
        );
        out.push(Diagnostic::new(
            Code::OverlappingSetting,
            yaml,
            tr!(
                locale,
                "{what} is also set by {config_what} in the quant_config; {because}",
                "{what} 同时由 quant_config 中的 {config_what} 设置；{because}"
            ),
        ));
        out.push(Diagnostic::new(
            Code::OverlappingSetting,
            config,
            tr!(
                locale,
                "{config_what} is also set by {what} in the YAML; {because}",
                "{config_what} 同时由 YAML 中的 {what} 设置；{because}"
            ),
        ));
    };
    // set_all_nodes_int16 and all_node_type.
    if let (Some(optimization), Some(all)) = (
        section_value(root, "calibration_parameters", "optimization"),
        model_config.and_then(|mc| mc.get("all_node_type")),
    ) {
        if let Some((_, range)) = items(optimization, &[';', ','])
            .into_iter()
            .find(|(item, _)| *item == "set_all_nodes_int16")
        {
            pair(
                range,
                "set_all_nodes_int16",
                all.key.range,
                "model_config.all_node_type",
            );
        }
    }
    // The YAML's calibration knobs and model_config.activation.
    if let Some(activation) = model_config.and_then(|mc| mc.get("activation")) {
        for key in ["calibration_type", "max_percentile", "per_channel"] {
            let member = root
                .as_object()
                .and_then(|o| o.get_value("calibration_parameters"))
                .and_then(Value::as_object)
                .and_then(|cal| cal.get(key));
            if let Some(member) = member.filter(|m| m.value.as_ref().is_some_and(|v| !v.is_null()))
            {
                pair(
                    member.key.range,
                    &format!("calibration_parameters.{key}"),
                    activation.key.range,
                    "model_config.activation",
                );
            }
        }
    }
    // node_info / run_on_cpu / run_on_bpu and node_config entries of the same node.
    let Some(nodes) = config.get_value("node_config").and_then(Value::as_object) else {
        return;
    };
    let mut yaml_nodes: Vec<(String, TextRange, &str)> = Vec::new();
    if let Some(info) =
        section_value(root, "model_parameters", "node_info").and_then(Value::as_object)
    {
        yaml_nodes.extend(info.members.iter().map(|m| {
            (
                m.key.text.to_string(),
                m.key.range,
                "model_parameters.node_info",
            )
        }));
    }
    for key in ["run_on_cpu", "run_on_bpu"] {
        if let Some(value) = section_value(root, "calibration_parameters", key) {
            let what = if key == "run_on_cpu" {
                "calibration_parameters.run_on_cpu"
            } else {
                "calibration_parameters.run_on_bpu"
            };
            yaml_nodes.extend(
                items(value, &[';'])
                    .into_iter()
                    .map(|(n, r)| (n.to_string(), r, what)),
            );
        }
    }
    for (name, range, what) in yaml_nodes {
        if let Some(entry) = nodes.get(&name) {
            pair(
                range,
                &tr!(locale, "\"{name}\" in {what}", "{what} 中的 \"{name}\""),
                entry.key.range,
                &format!("node_config \"{name}\""),
            );
        }
    }
}

/// The items of a separated string scalar with their ranges in the text (empty items left
/// out). Positions are exact for plain and quoted scalars without escapes.
pub(crate) fn items<'v>(value: &'v Value, separators: &[char]) -> Vec<(&'v str, TextRange)> {
    let Some(s) = value.as_str() else {
        return Vec::new();
    };
    let inner_start = value.range.start + usize::from(value.range.len() > s.len());
    let mut out = Vec::new();
    let mut offset = 0;
    for part in s.split(separators) {
        let lead = part.len() - part.trim_start().len();
        let item = part.trim();
        if !item.is_empty() {
            let start = inner_start + offset + lead;
            out.push((item, TextRange::new(start, start + item.len())));
        }
        offset += part.len() + 1;
    }
    out
}

/// The item of [`items`] that holds `offset`.
pub(crate) fn item_at<'v>(
    value: &'v Value,
    separators: &[char],
    offset: usize,
) -> Option<(&'v str, TextRange)> {
    items(value, separators)
        .into_iter()
        .find(|(_, r)| r.start <= offset && offset < r.end)
}

/// One `optimization` item: a fixed one, or `set_<OpType>_input_<dtype>` /
/// `set_<OpType>_output_<dtype>` with a known op type (present in the model, when one is
/// paired) and a dtype the toolchain takes.
fn optimization_item(
    item: &str,
    range: TextRange,
    model: Option<&ModelIndex>,
    locale: Locale,
) -> Option<Diagnostic> {
    if hb::OPTIMIZATION_FIXED.contains(&item) {
        return None;
    }
    let Some((op, dtype)) = optimization_op(item) else {
        let suggestion = did_you_mean(item, hb::OPTIMIZATION_FIXED.iter().copied());
        return Some(Diagnostic::new(
            Code::InvalidValue,
            range,
            tr!(
                locale,
                "\"{item}\" is not an optimization item; expected set_<OpType>_input_<dtype>, set_<OpType>_output_<dtype> or one of {}{}",
                "\"{item}\" 不是 optimization 的有效项；应为 set_<OpType>_input_<dtype>、set_<OpType>_output_<dtype> 或以下之一：{}{}",
                hb::OPTIMIZATION_FIXED.join(", "),
                hint(suggestion, locale)
            ),
        ));
    };
    if !hb::OPTIMIZATION_DTYPES.contains(&dtype) {
        return Some(Diagnostic::new(
            Code::InvalidValue,
            range,
            tr!(
                locale,
                "\"{dtype}\" is not a dtype of optimization; expected one of {}",
                "\"{dtype}\" 不是 optimization 的有效数据类型；应为以下之一：{}",
                hb::OPTIMIZATION_DTYPES.join(", ")
            ),
        ));
    }
    if !is_known_op_type(op) {
        let suggestion = case_insensitive_op_match(op);
        return Some(Diagnostic::new(
            Code::UnknownOpType,
            range,
            tr!(
                locale,
                "\"{op}\" in \"{item}\" is not an ONNX or toolchain op type{}",
                "\"{item}\" 中的 \"{op}\" 不是 ONNX 或工具链的算子类型{}",
                hint(suggestion, locale)
            ),
        ));
    }
    match model {
        Some(m) if m.op_type_count(op) == 0 => Some(
            Diagnostic::new(
                Code::OpTypeAbsent,
                range,
                tr!(
                    locale,
                    "the model has no {op} node, so \"{item}\" has no effect",
                    "模型中没有 {op} 节点，因此 \"{item}\" 不起作用"
                ),
            )
            .unnecessary(),
        ),
        _ => None,
    }
}

/// The op type and dtype of an `optimization` item `set_<OpType>_input_<dtype>` or
/// `set_<OpType>_output_<dtype>`; `None` for the fixed items (`set_model_output_int8` names
/// no op type).
pub(crate) fn optimization_op(item: &str) -> Option<(&str, &str)> {
    if hb::OPTIMIZATION_FIXED.contains(&item) {
        return None;
    }
    let rest = item.strip_prefix("set_")?;
    ["_input_", "_output_"]
        .iter()
        .find_map(|dir| rest.rsplit_once(dir))
}

/// `root[section][key]`.
fn section_value<'v>(root: &'v Value, section: &str, key: &str) -> Option<&'v Value> {
    match &root.kind {
        ValueKind::Object(o) => o.get_value(section)?.as_object()?.get_value(key),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
