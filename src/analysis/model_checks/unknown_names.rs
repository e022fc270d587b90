//! `unknown-node`: the names to offer instead of one the model does not have. Nearby names
//! (a case difference, a name typed halfway, the same scope) are looked up per entry; a search
//! of the whole model is done for every such name of a document or for none
//! ([`SUGGESTION_BUDGET`]).

use super::ModelChecker;
use crate::analysis::suggest::closest;
use crate::analysis::{Code, Diagnostic};
use crate::model::{name_scope, ModelIndex};
use crate::spec::{Locale, Profile};
use crate::syntax::Value;
use crate::text::TextRange;

/// Op types that optimization folds into constants or removes; names of such nodes in an
/// exported model are usually gone from optimized_float_model.onnx.
const FOLDED_OPS: &[&str] = &[
    "ConstantOfShape",
    "Constant",
    "Shape",
    "Gather",
    "Cast",
    "Unsqueeze",
    "Squeeze",
    "Identity",
];

/// How many name comparisons the whole-model did-you-mean searches of one document may cost
/// together, so that a file full of unknown names against a 100,000-node model stays fast.
/// Either every name that wants such a search gets one or none does (their quick fixes search
/// when asked): what a diagnostic says never depends on the entries before it, so one edited
/// entry can be checked alone.
pub(crate) const SUGGESTION_BUDGET: usize = 2_000_000;

/// Whether unknown names whose scope has no close name get a whole-model search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelSearch {
    /// When all of the document's searches fit [`SUGGESTION_BUDGET`].
    IfAllFit,
    Yes,
    No,
}

/// `unknown-node` for a node name written somewhere else than node_config (an hb_compile
/// YAML's `node_info`, `run_on_cpu`): `None` when the model has the node.
pub fn unknown_node(
    model: &ModelIndex,
    name: &str,
    range: TextRange,
    locale: Locale,
) -> Option<Diagnostic> {
    if !name.is_empty() && !model.nodes_named(name).is_empty() {
        return None;
    }
    let empty = Value {
        range,
        kind: crate::syntax::ValueKind::Null,
    };
    let mut checker = ModelChecker::new(&empty, model, Profile::default(), locale);
    checker.unknown_node(name, range);
    checker.finish(ModelSearch::Yes).0.pop()
}

/// Can a document that wants `full_scans` whole-model searches have them all?
pub fn within_budget(full_scans: usize, model: &ModelIndex) -> bool {
    full_scans.saturating_mul(model.node_count()) <= SUGGESTION_BUDGET
}

/// Up to three names of the whole model close to `name`: what an unknown-node diagnostic
/// without suggestions offers when its quick fixes are asked for.
pub fn close_node_names<'m>(model: &'m ModelIndex, name: &str) -> Vec<&'m str> {
    closest(name.trim(), model.node_names(), 3)
}

impl<'m> ModelChecker<'m> {
    /// The diagnostics, with the whole-model searches done when `search` allows them, and how
    /// many names wanted one.
    pub(super) fn finish(mut self, search: ModelSearch) -> (Vec<Diagnostic>, usize) {
        let wanted = self.pending.len();
        let go = match search {
            ModelSearch::Yes => true,
            ModelSearch::No => false,
            ModelSearch::IfAllFit => within_budget(wanted, self.model),
        };
        if go {
            for (index, name) in std::mem::take(&mut self.pending) {
                let found = close_node_names(self.model, &name);
                let mut d = offering(&name, &found, self.out[index].range, self.locale);
                d.wanted_model_search = true;
                self.out[index] = d;
            }
        }
        (self.out, wanted)
    }

    /// `unknown-node` for `name` at `range`: with the names to offer instead when a case, a
    /// whitespace or a scope search finds them, else left for a whole-model search.
    pub(super) fn unknown_node(&mut self, name: &str, range: TextRange) {
        let trimmed = name.trim();
        let locale = self.locale;
        if trimmed != name && !self.model.nodes_named(trimmed).is_empty() {
            let which = match (
                name.starts_with(char::is_whitespace),
                name.ends_with(char::is_whitespace),
                locale,
            ) {
                (true, true, Locale::En) => "leading and trailing",
                (true, false, Locale::En) => "leading",
                (_, _, Locale::En) => "trailing",
                (true, true, Locale::Zh) => "首尾",
                (true, false, Locale::Zh) => "开头",
                (_, _, Locale::Zh) => "末尾",
            };
            let message = tr!(
                locale,
                "\"{name}\" is not a node of the model: the name has {which} whitespace; did you mean \"{trimmed}\"?",
                "\"{name}\" 不是模型中的节点：名称{which}有空白字符；是否指 \"{trimmed}\"？"
            );
            self.out
                .push(Diagnostic::new(Code::UnknownNode, range, message).suggest_str(trimmed));
            return;
        }
        if let Some(folded) = folded_op(trimmed) {
            let message = tr!(
                locale,
                "\"{name}\" is not a node of the model: it looks like a {folded} node, which optimization folds away (optimized_float_model.onnx has no such node), so this entry has no effect",
                "\"{name}\" 不是模型中的节点：它看起来是 {folded} 节点，优化时会被折叠掉（optimized_float_model.onnx 中没有这种节点），因此此条目不起作用"
            );
            self.out
                .push(Diagnostic::new(Code::UnknownNode, range, message));
            return;
        }
        let found = self.nearby_names(trimmed);
        let mut d = offering(name, &found, range, locale);
        if found.is_empty() {
            d.wanted_model_search = true;
            self.pending.push((self.out.len(), name.to_string()));
        }
        self.out.push(d);
    }

    /// Up to three close node names found without searching the whole model: a case
    /// difference; else the names that go on from what was written (a name typed halfway,
    /// `/layer3/layer3.1/conv` for `/layer3/layer3.1/conv1/Conv`), then the closest names of
    /// the same scope.
    fn nearby_names(&self, name: &str) -> Vec<&'m str> {
        const MAX: usize = 3;
        let model = self.model;
        if let Some(exact) = model.node_named_ignoring_case(name) {
            return vec![model.node(exact).name()];
        }
        let same_scope = model.nodes_in_scope(name_scope(name));
        // The names of a scope sort next to the names that go on from one of them.
        let mut found: Vec<&str> = if name.is_empty() {
            Vec::new()
        } else {
            model
                .nodes_extending(name, same_scope.first())
                .take(MAX)
                .map(|id| model.node(id).name())
                .collect()
        };
        let names = same_scope.iter().map(|id| model.node(id).name());
        for close in closest(name, names, MAX) {
            if found.len() < MAX && !found.contains(&close) {
                found.push(close);
            }
        }
        found
    }
}

/// `unknown-node` for `name` at `range`, offering `found` in its message and as suggestions.
fn offering(name: &str, found: &[&str], range: TextRange, locale: Locale) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownNode,
        range,
        unknown_message(name, found, locale),
    )
    .suggest_strs(found)
}

/// The message of an unknown node name, offering `found`. Written into one string sized
/// up front: a document can have 100,000 of them, and formatting each in parts was a tenth of
/// checking such a document.
fn unknown_message(name: &str, found: &[&str], locale: Locale) -> String {
    // The words around the name and the names offered, per locale.
    let (not_a_node, no_match, did_you_mean, comma, or, question) = match locale {
        Locale::En => (
            "\" is not a node of the model",
            " (node_config names must match optimized_float_model.onnx, not the exported model)",
            "; did you mean ",
            ", ",
            " or ",
            "?",
        ),
        Locale::Zh => (
            "\" 不是模型中的节点",
            "（node_config 中的名称必须与 optimized_float_model.onnx 一致，而不是导出的模型）",
            "；是否指 ",
            "、",
            " 或 ",
            "？",
        ),
    };
    let after_name = if found.is_empty() {
        no_match.len()
    } else {
        let offered: usize = found.iter().map(|f| f.len() + 2 + or.len()).sum();
        did_you_mean.len() + offered + question.len()
    };
    let mut message = String::with_capacity(1 + name.len() + not_a_node.len() + after_name);
    message.push('"');
    message.push_str(name);
    message.push_str(not_a_node);
    let Some((last, rest)) = found.split_last() else {
        message.push_str(no_match);
        return message;
    };
    message.push_str(did_you_mean);
    for (i, offer) in rest.iter().enumerate() {
        if i > 0 {
            message.push_str(comma);
        }
        message.push('"');
        message.push_str(offer);
        message.push('"');
    }
    if !rest.is_empty() {
        message.push_str(or);
    }
    message.push('"');
    message.push_str(last);
    message.push('"');
    message.push_str(question);
    message
}

/// `/a/b/Constant_4` → `Constant`.
fn folded_op(name: &str) -> Option<&'static str> {
    let last = name.rsplit('/').next().unwrap_or(name);
    FOLDED_OPS.iter().copied().find(|op| {
        last.strip_prefix(op).is_some_and(|rest| {
            rest.is_empty()
                || rest
                    .strip_prefix('_')
                    .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
        })
    })
}
