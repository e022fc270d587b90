//! Settings that the file alone shows to change nothing (`no-effect`, on the key), and
//! precisions set on op types that ignore them. What needs the model to be seen is in
//! `model_checks`.

use super::{Checker, ModelStatus};
use crate::analysis::precision::{NodeFilter, Precision, Settings};
use crate::analysis::suggest::closest;
use crate::analysis::{Code, Diagnostic};
use crate::model::{case_insensitive_op_match, is_known_op_type, known_op_types};
use crate::spec::{Locale, WIDE_OPS, WIDE_PRECISIONS};
use crate::syntax::{Member, Object, Value};

impl Checker<'_, '_> {
    pub(super) fn check_effects(&mut self, root: &Value, top: &Object) {
        let profile = self.ctx.dialect.profile;
        let locale = self.ctx.locale;
        let settings = Settings::read_some(Some(root), None, NodeFilter::None, profile);
        if let Some(mc) = top.get_value("model_config").and_then(Value::as_object) {
            self.model_config_effects(mc);
        }
        if let Some(ops) = top.get_value("op_config").and_then(Value::as_object) {
            // With a model, model_checks says it (or that the model has no such node).
            let judge_equal = !matches!(self.ctx.model, ModelStatus::Loaded(_));
            for member in ops.last_members() {
                self.wide_precision_on_op(member);
                if judge_equal {
                    // Without a model an unknown op type is all that can be said of it.
                    if let Some(d) = unknown_op_type_without_model(member, locale) {
                        self.push(d);
                    } else {
                        self.out
                            .extend(op_entry_no_effect(&settings, member, locale));
                    }
                }
            }
        }
        if profile.has_subgraphs() {
            if let Some(subgraphs) = top.get_value("subgraph_config").and_then(Value::as_object) {
                for member in subgraphs.last_members() {
                    self.subgraph_without_qtype(member);
                }
            }
        }
    }

    fn model_config_effects(&mut self, mc: &Object) {
        let locale = self.ctx.locale;
        if let Some(member) = mc.get("all_node_type") {
            if member.value.as_ref().and_then(Value::as_str) == Some("int8") {
                self.push(Diagnostic::new(
                    Code::NoEffect,
                    member.key.range,
                    tr!(
                        locale,
                        "\"all_node_type\": \"int8\" has no effect: int8 is already the default",
                        "\"all_node_type\": \"int8\" 不起作用：int8 本来就是默认值"
                    ),
                ));
            }
        }
        let is_object = |m: &&Member| m.value.as_ref().and_then(Value::as_object).is_some();
        if let (Some(modelwise), Some(_)) = (
            mc.get("modelwise_search").filter(is_object),
            mc.get("layerwise_search").filter(is_object),
        ) {
            self.push(Diagnostic::new(
                Code::NoEffect,
                modelwise.key.range,
                tr!(
                    locale,
                    "\"modelwise_search\" has no effect: \"layerwise_search\" is set too, and the toolchain runs the layerwise search instead",
                    "\"modelwise_search\" 不起作用：同时设置了 \"layerwise_search\"，工具链会改为执行逐层搜索"
                ),
            ));
        }
    }

    /// A legacy key beside the modern key it stands for (`InputType` beside `qtype`): the
    /// modern one wins, so the legacy one decides nothing.
    /// Part of checking one op or node entry (so that re-checking one edited entry sees it).
    pub(super) fn legacy_beside_modern(&mut self, member: &Member) {
        let Some(entry) = member.value.as_ref().and_then(Value::as_object) else {
            return;
        };
        for (legacy, modern) in [
            ("InputType", "qtype"),
            ("InputType0", "input0"),
            ("InputType1", "input1"),
        ] {
            let (Some(old), Some(_)) = (entry.get(legacy), entry.get_value(modern)) else {
                continue;
            };
            self.push(Diagnostic::new(
                Code::NoEffect,
                old.key.range,
                tr!(
                    self.ctx.locale,
                    "\"{legacy}\" has no effect: \"{modern}\" is set too, and wins",
                    "\"{legacy}\" 不起作用：同时设置了 \"{modern}\"，以它为准"
                ),
            ));
        }
    }

    /// `dual-int16`/`int16-ec` on an op type that does not take them.
    fn wide_precision_on_op(&mut self, member: &Member) {
        let op = member.key.text.as_str();
        if WIDE_OPS.contains(&op) {
            return;
        }
        let Some(value) = member
            .value
            .as_ref()
            .and_then(Value::as_object)
            .and_then(|entry| entry.get_value("qtype"))
        else {
            return;
        };
        let Some(text) = value.as_str().filter(|t| WIDE_PRECISIONS.contains(t)) else {
            return;
        };
        if !self
            .ctx
            .dialect
            .profile
            .accepts(crate::spec::PrecisionRole::Qtype, text)
        {
            return; // invalid-value says why
        }
        self.push(wide_precision_unsupported(text, op, value, self.ctx.locale));
    }

    fn subgraph_without_qtype(&mut self, member: &Member) {
        let Some(entry) = member.value.as_ref().and_then(Value::as_object) else {
            return;
        };
        if entry.get("qtype").is_none() {
            self.push(Diagnostic::new(
                Code::NoEffect,
                member.key.range,
                tr!(
                    self.ctx.locale,
                    "subgraph \"{}\" sets no \"qtype\", so it changes nothing",
                    "子图 \"{}\" 没有设置 \"qtype\"，因此不改变任何东西",
                    member.key.text
                ),
            ));
        }
    }
}

/// `unknown-op-type` for an op_config key that is no ONNX or toolchain op type, when no model
/// is there to say more (with a model, `model_checks` reports it).
fn unknown_op_type_without_model(member: &Member, locale: Locale) -> Option<Diagnostic> {
    let op = member.key.text.as_str();
    if is_known_op_type(op) {
        return None;
    }
    let suggestion = case_insensitive_op_match(op.trim())
        .or_else(|| closest(op, known_op_types(), 1).first().copied());
    Some(unknown_op_type(member, suggestion, false, locale))
}

/// `unknown-op-type` on an op_config key, offering `suggestion`; `model_lacks_it` when a
/// paired model has no node of it either.
pub(crate) fn unknown_op_type(
    member: &Member,
    suggestion: Option<&str>,
    model_lacks_it: bool,
    locale: Locale,
) -> Diagnostic {
    let op = member.key.text.as_str();
    let hint = match suggestion {
        Some(s) => tr!(
            locale,
            "; did you mean \"{s}\"? (op types are case-sensitive)",
            "；是否指 \"{s}\"？（算子类型区分大小写）"
        ),
        None => String::new(),
    };
    let message = match model_lacks_it {
        false => tr!(
            locale,
            "\"{op}\" is not an ONNX or toolchain op type{hint}",
            "\"{op}\" 不是 ONNX 或工具链的算子类型{hint}"
        ),
        true => tr!(
            locale,
            "\"{op}\" is not an ONNX or toolchain op type, and the model has no such node{hint}",
            "\"{op}\" 不是 ONNX 或工具链的算子类型，模型中也没有这种节点{hint}"
        ),
    };
    let mut d = Diagnostic::new(Code::UnknownOpType, member.key.range, message);
    if let Some(s) = suggestion {
        d = d.suggest_str(s);
    }
    d
}

/// `ec-unsupported-op` for `dual-int16`/`int16-ec` on an op type that ignores it.
pub(crate) fn wide_precision_unsupported(
    precision: &str,
    op: &str,
    value: &Value,
    locale: Locale,
) -> Diagnostic {
    Diagnostic::new(
        Code::EcUnsupportedOp,
        value.range,
        tr!(
            locale,
            "\"{precision}\" has no effect on {op} nodes; it only works on {}",
            "\"{precision}\" 对 {op} 节点不起作用；它只对以下算子生效：{}",
            WIDE_OPS.join(", ")
        ),
    )
    .unnecessary()
}

/// An op_config entry whose qtype equals what its nodes get without it (all_node_type or the
/// default int8). Needs no model: nothing between the two levels depends on the op type.
pub(crate) fn op_entry_no_effect(
    settings: &Settings,
    member: &Member,
    locale: Locale,
) -> Option<Diagnostic> {
    let op = member.key.text.as_str();
    let setting = settings.op.get(op)?;
    let inherited = settings
        .all_node_type
        .as_ref()
        .filter(|s| s.precision.applies(op, 0));
    let inherited_precision = inherited.map_or(Precision::Int8, |s| s.precision);
    if setting.precision != inherited_precision {
        return None;
    }
    let from = inherited.map_or(tr!(locale, "the default", "默认值"), |s| s.path.clone());
    Some(Diagnostic::new(
        Code::NoEffect,
        member.key.range,
        tr!(
            locale,
            "this entry changes nothing: {op} nodes already get {} from {from}",
            "此条目不改变任何东西：{op} 节点已经从 {from} 得到 {}",
            setting.precision.as_str()
        ),
    ))
}
