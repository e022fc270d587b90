//! Diagnostics that need the paired model: node names, op types, `ec` placement, subgraph
//! tensors and entries that change nothing.

use std::collections::BTreeSet;

use super::check::{op_entry_no_effect, unknown_op_type, wide_precision_unsupported};
use super::precision::{
    deciding_setting, ec_inputs, subgraph_nodes, NodeFilter, NodeSettings, Precision, Setting,
    Settings,
};
use super::suggest::{closest, hint};
use super::{Code, Diagnostic};
use crate::model::{
    case_insensitive_op_match, is_known_op_type, known_op_types, ModelIndex, NodeIds,
};
use crate::parallel::join;
use crate::spec::{self, Locale, Profile, EC, WIDE_OPS, WIDE_PRECISIONS};
use crate::syntax::{Member, Object, Value};

mod unknown_names;

#[cfg(test)]
pub(crate) use unknown_names::SUGGESTION_BUDGET;
pub use unknown_names::{close_node_names, unknown_node, within_budget, ModelSearch};

/// From this many node_config entries on, their checks are split between two threads. Each
/// entry's checks depend on that entry and the model only, and 100,000 entries take about
/// 60 ms on one core: the first check of a big config is what its user waits for.
const PARALLEL_ENTRIES: usize = 8_192;

/// The model diagnostics of a document, and how many names wanted a whole-model did-you-mean
/// search (see [`unknown_names::SUGGESTION_BUDGET`]).
pub fn check_with_model(
    root: &Value,
    obj: &Object,
    model: &ModelIndex,
    profile: Profile,
    locale: Locale,
) -> (Vec<Diagnostic>, usize) {
    let mut checker = ModelChecker::new(root, model, profile, locale);
    if let Some(ops) = obj.get_value("op_config").and_then(Value::as_object) {
        for (member, shadowed) in ops.members.iter().zip(ops.shadowed()) {
            checker.op_entry(member, shadowed);
        }
    }
    if let Some(nodes) = obj.get_value("node_config").and_then(Value::as_object) {
        checker.node_entries(root, &nodes.members, &nodes.shadowed(), worth_threads(obj));
    }
    let subgraphs = obj
        .get_value("subgraph_config")
        .and_then(Value::as_object)
        .filter(|_| profile.has_subgraphs());
    if let Some(subgraphs) = subgraphs {
        for (member, shadowed) in subgraphs.members.iter().zip(subgraphs.shadowed()) {
            checker.subgraph_entry(member, shadowed);
        }
    }
    checker.finish(ModelSearch::IfAllFit)
}

/// What [`check_with_model`] reports for one node_config entry whose key no other entry has,
/// with whole-model searches as `search` says (what the whole document's count decided). Used
/// to re-check the one entry an edit changed.
pub fn check_node_entry_with_model(
    root: &Value,
    member: &Member,
    model: &ModelIndex,
    profile: Profile,
    locale: Locale,
    search: ModelSearch,
) -> (Vec<Diagnostic>, usize) {
    let mut checker = ModelChecker::new(root, model, profile, locale);
    checker.node_entry(member, false);
    checker.finish(search)
}

/// Does the config have enough node_config entries for its checks to be worth a second
/// thread ([`PARALLEL_ENTRIES`])?
pub(crate) fn worth_threads(obj: &Object) -> bool {
    obj.get_value("node_config")
        .and_then(Value::as_object)
        .is_some_and(|nodes| nodes.members.len() >= PARALLEL_ENTRIES)
}

struct ModelChecker<'m> {
    model: &'m ModelIndex,
    profile: Profile,
    locale: Locale,
    /// The settings besides node_config (each node entry is read where it is checked).
    settings: Settings,
    out: Vec<Diagnostic>,
    /// The unknown names (with the index of their diagnostic in `out`) that no case or scope
    /// search matched: they want a whole-model search.
    pending: Vec<(usize, String)>,
}

impl<'m> ModelChecker<'m> {
    fn new(root: &Value, model: &'m ModelIndex, profile: Profile, locale: Locale) -> Self {
        ModelChecker {
            model,
            profile,
            locale,
            settings: Settings::read_some(Some(root), Some(model), NodeFilter::None, profile),
            out: Vec::new(),
            pending: Vec::new(),
        }
    }

    fn op_entry(&mut self, member: &Member, shadowed: bool) {
        let op = member.key.text.as_str();
        let count = self.model.op_type_count(op);
        if count == 0 {
            if is_known_op_type(op) {
                self.out.push(
                    Diagnostic::new(
                        Code::OpTypeAbsent,
                        member.key.range,
                        tr!(
                            self.locale,
                            "the model has no {op} node, so this entry has no effect",
                            "模型中没有 {op} 节点，因此此条目不起作用"
                        ),
                    )
                    .unnecessary(),
                );
            } else {
                let suggestion = self.op_suggestion(op);
                self.out.push(unknown_op_type(
                    member,
                    suggestion.as_deref(),
                    true,
                    self.locale,
                ));
            }
            return;
        }
        if !shadowed {
            self.out
                .extend(op_entry_no_effect(&self.settings, member, self.locale));
        }
    }

    /// `softmax` → `Softmax`: the model's op types first, then every known one.
    fn op_suggestion(&self, op: &str) -> Option<String> {
        let model_ops: Vec<&str> = self.model.op_types().map(|(o, _)| o).collect();
        if let Some(m) = model_ops.iter().find(|m| m.eq_ignore_ascii_case(op.trim())) {
            return Some(m.to_string());
        }
        if let Some(m) = case_insensitive_op_match(op.trim()) {
            return Some(m.to_string());
        }
        closest(
            op,
            model_ops
                .iter()
                .copied()
                .chain(known_op_types().map(|op| -> &'m str { op })),
            1,
        )
        .first()
        .map(|s| s.to_string())
    }

    /// [`Self::node_entry`] for each member, in order; with `parallel`, the second half on
    /// another thread (same diagnostics, same order).
    fn node_entries(
        &mut self,
        root: &Value,
        members: &[Member],
        shadowed: &[bool],
        parallel: bool,
    ) {
        let half = if parallel {
            members.len() / 2
        } else {
            members.len()
        };
        let ((first, second), (first_shadowed, second_shadowed)) =
            (members.split_at(half), shadowed.split_at(half));
        let (model, profile, locale) = (self.model, self.profile, self.locale);
        let ((), (out, pending)) = join(
            parallel,
            || {
                for (member, &shadowed) in first.iter().zip(first_shadowed) {
                    self.node_entry(member, shadowed);
                }
            },
            || {
                let mut other = ModelChecker::new(root, model, profile, locale);
                for (member, &shadowed) in second.iter().zip(second_shadowed) {
                    other.node_entry(member, shadowed);
                }
                (other.out, other.pending)
            },
        );
        let base = self.out.len();
        self.out.extend(out);
        self.pending.extend(
            pending
                .into_iter()
                .map(|(index, name)| (base + index, name)),
        );
    }

    fn node_entry(&mut self, member: &Member, shadowed: bool) {
        let name = member.key.text.as_str();
        // Unnamed nodes cannot be configured: "" names none of them.
        let ids = if name.is_empty() {
            NodeIds::default()
        } else {
            self.model.nodes_named(name)
        };
        if ids.is_empty() {
            self.unknown_node(name, member.key.range);
            return;
        }
        // The name is looked up once and the entry read once for every check below: on a
        // config of 100,000 entries, hashing each name four times was a third of the check.
        let mut ec_reported = false;
        if let Some(entry) = member.value.as_ref().and_then(Value::as_object) {
            // Only an `ec` or a wide precision asks for the nodes' op types.
            let asks = |key: &str| {
                entry
                    .get_value(key)
                    .and_then(Value::as_str)
                    .is_some_and(|t| t == EC || WIDE_PRECISIONS.contains(&t))
            };
            if ["qtype", "input0", "input1"].into_iter().any(asks) {
                let op_types: BTreeSet<&str> =
                    ids.iter().map(|id| self.model.node(id).op_type()).collect();
                ec_reported = self.ec_misplaced(entry, &op_types);
                ec_reported |= self.wide_precisions(entry, &op_types);
            }
        }
        if ec_reported || shadowed {
            return;
        }
        let Some(settings) = NodeSettings::read(member, self.profile) else {
            return;
        };
        if !self.node_no_effect(member, name, ids, &settings) {
            self.qtype_hidden(member, name, ids, &settings);
            self.inputs_the_nodes_lack(member, name, ids);
        }
    }

    /// `ec` on an input of a node entry where it does nothing: the first op type of the
    /// entry's nodes that it does not work on. True when reported.
    fn ec_misplaced(&mut self, entry: &Object, op_types: &BTreeSet<&str>) -> bool {
        let mut reported = false;
        for (index, key) in ["input0", "input1"].into_iter().enumerate() {
            let Some(value) = entry.get_value(key) else {
                continue;
            };
            if value.as_str() != Some(EC) {
                continue;
            }
            for op in op_types {
                let Some(message) = ec_problem(op, index, self.locale) else {
                    continue;
                };
                let code = if ec_inputs(op).is_some() {
                    Code::EcWrongInput
                } else {
                    Code::EcUnsupportedOp
                };
                let d = Diagnostic::new(code, value.range, message);
                self.out.push(if code == Code::EcUnsupportedOp {
                    d.unnecessary()
                } else {
                    d
                });
                reported = true;
                break;
            }
        }
        reported
    }

    /// `dual-int16`/`int16-ec` in a node entry whose nodes' op type ignores them.
    fn wide_precisions(&mut self, entry: &Object, op_types: &BTreeSet<&str>) -> bool {
        let mut reported = false;
        for key in ["qtype", "input0", "input1"] {
            let Some(value) = entry.get_value(key) else {
                continue;
            };
            let Some(text) = value.as_str().filter(|t| WIDE_PRECISIONS.contains(t)) else {
                continue;
            };
            if let Some(op) = op_types.iter().find(|op| !WIDE_OPS.contains(op)) {
                self.out
                    .push(wide_precision_unsupported(text, op, value, self.locale));
                reported = true;
            }
        }
        reported
    }

    /// `input0`/`input1` (or their legacy keys) for an input that no node of that name has.
    fn inputs_the_nodes_lack(&mut self, member: &Member, name: &str, ids: NodeIds) {
        let Some(entry) = member.value.as_ref().and_then(Value::as_object) else {
            return;
        };
        for (index, keys) in [["input0", "InputType0"], ["input1", "InputType1"]]
            .iter()
            .enumerate()
        {
            let lacking = ids.iter().all(|id| {
                let inputs = self.model.node(id).inputs();
                inputs.get(index).is_none_or(str::is_empty)
            });
            if !lacking {
                continue;
            }
            for key in keys {
                if let Some(m) = entry.get(key) {
                    self.out.push(Diagnostic::new(
                        Code::NoEffect,
                        m.key.range,
                        tr!(
                            self.locale,
                            "\"{key}\" has no effect: \"{name}\" has no input {index}",
                            "\"{key}\" 不起作用：\"{name}\" 没有第 {index} 个输入"
                        ),
                    ));
                }
            }
        }
    }

    /// A `qtype` that no input follows, because `input0`/`input1` set every input of every
    /// node of that name (a Conv's bias still follows `qtype`).
    fn qtype_hidden(&mut self, member: &Member, name: &str, ids: NodeIds, entry: &NodeSettings) {
        if entry.qtype.is_none() {
            return;
        }
        let Some(qtype_member) = member
            .value
            .as_ref()
            .and_then(Value::as_object)
            .and_then(|o| o.get("qtype").or_else(|| o.get("InputType")))
        else {
            return;
        };
        let hidden = !ids.is_empty()
            && ids.iter().all(|id| {
                let node = self.model.node(id);
                node.inputs().enumerate().all(|(index, tensor)| {
                    tensor.is_empty()
                        || entry
                            .inputs
                            .get(index)
                            .and_then(Option::as_ref)
                            .is_some_and(|s| s.precision.applies(node.op_type(), index))
                })
            });
        if hidden {
            self.out.push(Diagnostic::new(
                Code::NoEffect,
                qtype_member.key.range,
                tr!(
                    self.locale,
                    "\"{}\" has no effect: input0/input1 set every input of \"{name}\"",
                    "\"{}\" 不起作用：input0/input1 已设置 \"{name}\" 的每个输入",
                    qtype_member.key.text
                ),
            ));
        }
    }

    /// A node entry whose every input ends up as it would without the entry; true when
    /// reported.
    fn node_no_effect(
        &mut self,
        member: &Member,
        name: &str,
        ids: NodeIds,
        entry: &NodeSettings,
    ) -> bool {
        if entry.qtype.is_none() && entry.inputs.iter().all(Option::is_none) {
            return false; // nothing valid in it; other diagnostics say why
        }
        let settings = &self.settings;
        let precision = |s: Option<&Setting>| s.map_or(Precision::Int8, |s| s.precision);
        // None: no input seen yet; Some(x): every input so far inherits the same as it gets.
        let mut inherited: Option<Option<&Setting>> = None;
        for id in ids {
            let node = self.model.node(id);
            for (index, tensor) in node.inputs().enumerate() {
                if tensor.is_empty() {
                    continue;
                }
                let op = node.op_type();
                let with = deciding_setting(settings, op, id, Some(entry), index, true);
                let without = deciding_setting(settings, op, id, None, index, false);
                if precision(with) != precision(without) {
                    return false;
                }
                inherited.get_or_insert(without);
            }
        }
        let Some(without) = inherited else {
            return false;
        };
        let from = without.map_or(tr!(self.locale, "the default", "默认值"), |s| {
            s.path.clone()
        });
        let message = tr!(
            self.locale,
            "this entry changes nothing: every input of \"{name}\" already gets {} from {from}",
            "此条目不改变任何东西：\"{name}\" 的每个输入已经从 {from} 得到 {}",
            precision(without).as_str()
        );
        self.out
            .push(Diagnostic::new(Code::NoEffect, member.key.range, message));
        true
    }

    fn subgraph_entry(&mut self, member: &Member, shadowed: bool) {
        let Some(entry) = member.value.as_ref().and_then(Value::as_object) else {
            return;
        };
        let mut all_exist = true;
        for key in ["inputs", "outputs"] {
            let Some(list) = entry.get_value(key).and_then(Value::as_array) else {
                continue;
            };
            for element in &list.elements {
                let Some(tensor) = element.as_str() else {
                    continue;
                };
                if tensor_exists(self.model, tensor) {
                    continue;
                }
                all_exist = false;
                let suggestion = tensor_suggestion(self.model, tensor);
                let hint = hint(suggestion.as_deref(), self.locale);
                let mut d = Diagnostic::new(
                    Code::UnknownNode,
                    element.range,
                    tr!(
                        self.locale,
                        "tensor \"{tensor}\" is not in the model{hint}",
                        "张量 \"{tensor}\" 不在模型中{hint}"
                    ),
                );
                if let Some(s) = &suggestion {
                    d = d.suggest_str(s);
                }
                self.out.push(d);
            }
        }
        if all_exist && !shadowed {
            self.empty_subgraph(member);
        }
    }

    /// A subgraph with a qtype but no node: its outputs are not reachable from its inputs.
    fn empty_subgraph(&mut self, member: &Member) {
        let name = member.key.text.as_str();
        let Some(subgraph) = self
            .settings
            .subgraphs
            .iter()
            .rev()
            .find(|g| g.name == name)
        else {
            return;
        };
        if subgraph.qtype.is_none() || !subgraph.nodes.is_empty() {
            return;
        }
        let swapped = !subgraph_nodes(self.model, &subgraph.outputs, &subgraph.inputs).is_empty();
        let hint = match (swapped, self.locale) {
            (false, _) => "",
            (true, Locale::En) => "; \"inputs\" and \"outputs\" look swapped",
            (true, Locale::Zh) => "；\"inputs\" 和 \"outputs\" 似乎写反了",
        };
        self.out.push(Diagnostic::new(
            Code::NoEffect,
            member.key.range,
            tr!(
                self.locale,
                "subgraph \"{name}\" contains no node: none of its outputs is reachable from its inputs, so it changes nothing{hint}",
                "子图 \"{name}\" 不包含任何节点：从它的输入到达不了任何输出，因此它不改变任何东西{hint}"
            ),
        ));
    }
}

/// Why `ec` on input `index` of an op type has no effect, or `None` when it works.
pub fn ec_problem(op: &str, index: usize, locale: Locale) -> Option<String> {
    match ec_inputs(op) {
        Some(inputs) if inputs.contains(&index) => None,
        Some(inputs) => {
            let right: Vec<String> = inputs.iter().map(|i| format!("input{i}")).collect();
            let weight = matches!(op, "Conv" | "ConvTranspose");
            let what = match (weight, locale) {
                (false, _) => "",
                (true, Locale::En) => " (the weight)",
                (true, Locale::Zh) => "（权重）",
            };
            Some(tr!(
                locale,
                "\"ec\" has no effect on input{index} of a {op} node; on {op} it works on {}{what}",
                "\"ec\" 对 {op} 节点的 input{index} 不起作用；在 {op} 上它只对 {}{what} 生效",
                right.join(tr!(locale, " or ", " 或 ").as_str())
            ))
        }
        None => Some(tr!(
            locale,
            "\"ec\" has no effect on a {op} node; it only works on {}",
            "\"ec\" 对 {op} 节点不起作用；它只在以下输入生效：{}",
            spec::ec_table_text()
        )),
    }
}

pub fn tensor_exists(model: &ModelIndex, tensor: &str) -> bool {
    model.producer(tensor).is_some()
        || !model.consumers(tensor).is_empty()
        || model.graph_inputs().has(tensor)
        || model.graph_outputs().has(tensor)
}

fn tensor_suggestion(model: &ModelIndex, tensor: &str) -> Option<String> {
    let names = model
        .nodes()
        .flat_map(|n| n.outputs())
        .chain(model.graph_inputs());
    closest(tensor, names, 1).first().map(|s| s.to_string())
}

#[cfg(test)]
mod tests;
