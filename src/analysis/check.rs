//! `check`: every diagnostic of one document (docs/spec.md, "Diagnostics").

use hashbrown::HashMap;

use super::suggest::{did_you_mean, hint};
use super::{Code, Diagnostic, DiagnosticConfig};
use crate::model::{how_to_pair, ModelIndex, Paired};
use crate::spec::{self, Dialect, KeySpec, Legacy, Level, MapKind, ValueSpec};
use crate::syntax::{Member, Object, Parse, SyntaxErrorKind, Value, ValueKind};
use crate::text::TextRange;

/// What is known about the document's model.
#[derive(Debug, Default)]
pub enum ModelStatus<'a> {
    /// No model could be paired; checks that need one are skipped.
    #[default]
    Unpaired,
    /// A model was named or expected (directive, setting, YAML) but the file does not exist.
    Missing { message: String },
    /// A model was paired but could not be read.
    Unreadable { message: String },
    /// The paired model, read.
    Loaded(&'a ModelIndex),
}

impl<'a> ModelStatus<'a> {
    /// What the analysis knows of a config's model. The one place where a pairing result
    /// becomes words, so the command line and the editor say the same.
    pub fn of(paired: &'a Paired) -> Self {
        match (&paired.pairing, &paired.model) {
            (_, Some(Ok(index))) => ModelStatus::Loaded(index),
            (Some(p), Some(Err(e))) if e.missing => ModelStatus::Missing {
                message: format!(
                    "the model {} ({}) does not exist, so node names and op types are not checked",
                    p.model.display(),
                    p.reason()
                ),
            },
            (_, Some(Err(e))) => ModelStatus::Unreadable {
                message: format!("the paired model cannot be read: {e}"),
            },
            _ => ModelStatus::Unpaired,
        }
    }
}

/// Everything besides the text that decides the diagnostics.
#[derive(Debug, Default)]
pub struct CheckContext<'a> {
    pub model: ModelStatus<'a>,
    /// The `// qcls-model:` directive, where model problems are reported when present.
    pub directive: Option<TextRange>,
    pub config: DiagnosticConfig,
    /// The toolchain profile whose values and sections are valid.
    pub dialect: Dialect,
}

/// Top-level keys of model_config that users put at the top by mistake.
pub(crate) const MODEL_CONFIG_KEYS_AT_TOP: &[&str] = &[
    "all_node_type",
    "model_output_type",
    "activation",
    "weight",
    "modelwise_search",
    "layerwise_search",
    "search",
    "experimental",
];

/// All diagnostics of a parsed document, sorted by position.
pub fn check(text: &str, parse: &Parse, ctx: &CheckContext) -> Vec<Diagnostic> {
    check_document(text, parse, ctx).diagnostics
}

/// The result of checking one version of a document, kept to check the next version cheaply
/// ([`check_after_splice`]).
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// Sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// How many unknown node names wanted a did-you-mean search of the whole model (an upper
    /// bound after incremental checks).
    full_scans: usize,
}

impl Checked {
    /// A check from its diagnostics alone (an hb_compile YAML's: its snapshots are never
    /// spliced, so no incremental check starts from it).
    pub fn from_diagnostics(diagnostics: Vec<Diagnostic>) -> Checked {
        Checked {
            diagnostics,
            full_scans: 0,
        }
    }
}

/// [`check`], keeping what [`check_after_splice`] needs.
pub fn check_document(_text: &str, parse: &Parse, ctx: &CheckContext) -> Checked {
    let mut checker = Checker {
        ctx,
        out: Vec::new(),
        full_scans: 0,
    };
    for error in &parse.errors {
        let code = match error.kind {
            SyntaxErrorKind::Syntax => Code::SyntaxError,
            SyntaxErrorKind::HashComment => Code::HashComment,
        };
        checker
            .out
            .push(Diagnostic::new(code, error.range, error.message.clone()));
    }
    if let Some(root) = &parse.root {
        checker.check_root(root);
    }
    Checked {
        diagnostics: checker.finish(),
        full_scans: checker.full_scans,
    }
}

struct Checker<'c, 'a> {
    ctx: &'c CheckContext<'a>,
    out: Vec<Diagnostic>,
    full_scans: usize,
}

impl Checker<'_, '_> {
    fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    /// The diagnostics as the user configured them, sorted by position.
    fn finish(&mut self) -> Vec<Diagnostic> {
        let mut out = self.ctx.config.apply(std::mem::take(&mut self.out));
        out.sort_by_key(|d| (d.range.start, d.range.end));
        out
    }

    fn check_root(&mut self, root: &Value) {
        let ValueKind::Object(obj) = &root.kind else {
            if !matches!(root.kind, ValueKind::Invalid) {
                self.push(Diagnostic::new(
                    Code::WrongType,
                    root.range,
                    format!(
                        "a quant_config must be a JSON object, not {}",
                        describe(root)
                    ),
                ));
            }
            return;
        };
        self.check_level(obj, &spec::TOP);
        self.check_effects(root, obj);
        self.check_model_presence(obj);
        if let ModelStatus::Loaded(model) = self.ctx.model {
            let (found, full_scans) =
                super::model_checks::check_with_model(root, obj, model, self.ctx.dialect.profile);
            self.out.extend(found);
            self.full_scans = full_scans;
        }
    }

    /// Keys of an object with a fixed set of keys, then each value.
    fn check_level(&mut self, obj: &Object, level: &'static Level) {
        self.check_duplicates(obj);
        for member in &obj.members {
            let name = member.key.text.as_str();
            if let Some(key) = level.key(name) {
                if !self.in_profile(level, key) {
                    self.not_in_profile(member);
                } else if let Some(value) = &member.value {
                    self.check_value(key, level, value);
                }
            } else if let Some(legacy) = level.legacy_key(name) {
                self.check_legacy(legacy, member);
            } else if !level.open {
                self.unknown_key(member, level);
            }
        }
        if std::ptr::eq(level, &spec::ACTIVATION) {
            self.check_activation(obj);
        }
    }

    fn check_duplicates(&mut self, obj: &Object) {
        let mut last: HashMap<&str, &Member> = HashMap::new();
        for member in &obj.members {
            last.insert(member.key.text.as_str(), member);
        }
        for member in &obj.members {
            let Some(winner) = last.get(member.key.text.as_str()) else {
                continue;
            };
            if std::ptr::eq(*winner, member) {
                continue;
            }
            self.push(
                Diagnostic::new(
                    Code::DuplicateKey,
                    member.key.range,
                    format!(
                        "duplicate key \"{}\": this entry is ignored, the later one wins",
                        member.key.text
                    ),
                )
                .with_related(winner.key.range, "this later entry is the one that counts"),
            );
        }
    }

    /// Sections some profiles lack: `subgraph_config` on bayes.
    fn in_profile(&self, level: &'static Level, key: &KeySpec) -> bool {
        !(std::ptr::eq(level, &spec::TOP)
            && key.name == "subgraph_config"
            && !self.ctx.dialect.profile.has_subgraphs())
    }

    fn not_in_profile(&mut self, member: &Member) {
        let name = member.key.text.as_str();
        self.push(Diagnostic::new(
            Code::UnknownKey,
            member.key.range,
            format!(
                "\"{name}\" is not valid with profile {}: bayes configs have three levels (model_config, op_config, node_config); the toolchain rejects the file (Unsupported first-level title in quant config file: {name})",
                self.ctx.dialect.describe()
            ),
        ));
    }

    fn unknown_key(&mut self, member: &Member, level: &'static Level) {
        let name = member.key.text.as_str();
        let mut suggestion = None;
        let node_only_legacy = spec::NODE_ENTRY
            .legacy_key(name)
            .filter(|_| std::ptr::eq(level, &spec::OP_ENTRY));
        let message = if std::ptr::eq(level, &spec::TOP) && MODEL_CONFIG_KEYS_AT_TOP.contains(&name)
        {
            format!(
                "\"{name}\" belongs in \"model_config\"; at the top level the toolchain rejects the file (Unsupported first-level title in quant config file: {name})"
            )
        } else if let Some(legacy) = node_only_legacy {
            // `ON`, `InputType0`, `InputType1` exist only in node entries; no key replaces
            // them in op_config, so nothing is suggested.
            let what = if legacy.name == "ON" {
                "chooses the processor of one node"
            } else {
                "sets one input of one node"
            };
            format!(
                "\"{name}\" is not valid in op_config: it {what} and the loader rejects it here; op_config entries take \"qtype\" (legacy: \"InputType\", \"OutputType\"), or move the setting to node_config"
            )
        } else {
            let candidates = level.key_names().chain(level.legacy.iter().map(|l| l.name));
            let place = if level.path.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in {}", level.path)
            };
            let valid: Vec<&str> = level.key_names().collect();
            suggestion = did_you_mean(name, candidates);
            format!(
                "\"{name}\" is not a valid key {place}; expected one of {}{}",
                valid.join(", "),
                hint(suggestion)
            )
        };
        let mut d = Diagnostic::new(Code::UnknownKey, member.key.range, message);
        if let Some(s) = suggestion {
            d = d.suggest_str(s);
        }
        self.push(d);
    }

    fn check_legacy(&mut self, legacy: &'static Legacy, member: &Member) {
        let advice = match legacy.replacement {
            Some(new) if legacy.name == "ON" => {
                format!("use \"{new}\" (\"CPU\" ≈ \"float32\", \"BPU\" ≈ \"int8\")")
            }
            Some(new) => format!("use \"{new}\""),
            None => "quant_config sets input precisions with \"qtype\", \"input0\" and \"input1\""
                .to_string(),
        };
        let mut d = Diagnostic::new(
            Code::LegacyKey,
            member.key.range,
            format!("\"{}\" is a legacy horizon_nn key; {advice}", legacy.name),
        );
        // `ON` changes value as well as key: the code action rewrites the whole member.
        if let (Some(new), false) = (legacy.replacement, legacy.name == "ON") {
            d = d.suggest_str(new);
        }
        self.push(d);
        let Some(value) = &member.value else { return };
        let (valid, tolerated) = legacy.values_in(self.ctx.dialect.profile);
        match &value.kind {
            ValueKind::String(s) if valid.contains(&s.value.as_str()) => {}
            ValueKind::String(s) if tolerated.contains(&s.value.as_str()) => {}
            ValueKind::String(s) => {
                let d =
                    self.invalid_value(legacy.name, legacy.precision, valid, value.range, &s.value);
                self.push(d);
            }
            ValueKind::Invalid => {}
            _ => self.push(Diagnostic::new(
                Code::WrongType,
                value.range,
                format!(
                    "\"{}\" takes a string, not {}",
                    legacy.name,
                    describe(value)
                ),
            )),
        }
    }

    fn check_value(&mut self, key: &'static KeySpec, level: &'static Level, value: &Value) {
        if matches!(value.kind, ValueKind::Invalid) {
            return; // the parser already reported it
        }
        match &key.value {
            ValueSpec::Object(_) | ValueSpec::Map(..) => {
                let Some(obj) = value.as_object() else {
                    let message = format!(
                        "\"{}\" must be an object, not {}",
                        key.name,
                        describe(value)
                    );
                    self.push(Diagnostic::new(Code::WrongType, value.range, message));
                    return;
                };
                match &key.value {
                    ValueSpec::Object(next) => self.check_level(obj, next),
                    ValueSpec::Map(kind, entry) => self.check_map(*kind, entry, obj),
                    _ => {}
                }
            }
            ValueSpec::Scalar(scalar) => self.check_scalar(key, level, scalar, value),
            ValueSpec::TensorNames => self.check_tensor_names(key, value),
            ValueSpec::Any => {}
            ValueSpec::AnyObject => {
                if value.as_object().is_none() {
                    let message = format!(
                        "\"{}\" must be an object, not {}",
                        key.name,
                        describe(value)
                    );
                    self.push(Diagnostic::new(Code::WrongType, value.range, message));
                }
            }
        }
    }

    fn check_map(&mut self, kind: MapKind, entry: &'static Level, obj: &Object) {
        self.check_duplicates(obj);
        for member in &obj.members {
            self.check_map_entry(kind, entry, member);
        }
    }

    /// One entry of a map (besides duplicates, which need the whole map).
    fn check_map_entry(&mut self, kind: MapKind, entry: &'static Level, member: &Member) {
        let Some(value) = &member.value else { return };
        match &value.kind {
            ValueKind::Object(inner) => {
                self.check_level(inner, entry);
                if kind != MapKind::SubgraphName {
                    self.legacy_beside_modern(member);
                }
            }
            ValueKind::Invalid => {}
            _ => {
                let what = match kind {
                    MapKind::OpType => "an op_config entry must be an object such as {\"qtype\": \"int16\"}",
                    MapKind::NodeName => "a node_config entry must be an object such as {\"qtype\": \"int16\"}",
                    MapKind::SubgraphName => "a subgraph_config entry must be an object with \"inputs\", \"outputs\" and \"qtype\"",
                };
                self.push(Diagnostic::new(
                    Code::WrongType,
                    value.range,
                    format!("{what}, not {}", describe(value)),
                ));
            }
        }
    }

    fn check_tensor_names(&mut self, key: &KeySpec, value: &Value) {
        match &value.kind {
            ValueKind::Array(arr) if arr.elements.is_empty() => self.push(Diagnostic::new(
                Code::EmptyList,
                value.range,
                format!("\"{}\" needs at least one tensor name", key.name),
            )),
            ValueKind::Array(arr) => {
                for element in &arr.elements {
                    if !matches!(element.kind, ValueKind::String(_) | ValueKind::Invalid) {
                        self.push(Diagnostic::new(
                            Code::WrongType,
                            element.range,
                            format!("a tensor name must be a string, not {}", describe(element)),
                        ));
                    }
                }
            }
            _ => self.push(Diagnostic::new(
                Code::WrongType,
                value.range,
                format!(
                    "\"{}\" must be a list of tensor names, not {}",
                    key.name,
                    describe(value)
                ),
            )),
        }
    }

    /// `model-not-found`/`model-unreadable` on the keys that need the model.
    fn check_model_presence(&mut self, root: &Object) {
        let needing: Vec<&Member> = root
            .members
            .iter()
            .filter(|m| {
                matches!(
                    m.key.text.as_str(),
                    "node_config" | "op_config" | "subgraph_config"
                ) && m
                    .value
                    .as_ref()
                    .and_then(|v| v.as_object())
                    .is_some_and(|o| !o.members.is_empty())
            })
            .collect();
        let ranges: Vec<TextRange> = match self.ctx.directive {
            Some(directive) => vec![directive],
            None => needing.iter().map(|m| m.key.range).collect(),
        };
        match &self.ctx.model {
            ModelStatus::Unpaired if !needing.is_empty() => {
                for range in ranges {
                    self.push(Diagnostic::new(
                        Code::ModelNotFound,
                        range,
                        format!(
                            "no model is paired, so node names and op types are not checked; {}",
                            how_to_pair()
                        ),
                    ));
                }
            }
            ModelStatus::Missing { message }
                if !needing.is_empty() || self.ctx.directive.is_some() =>
            {
                for range in ranges {
                    self.push(Diagnostic::new(Code::ModelNotFound, range, message.clone()));
                }
            }
            ModelStatus::Unreadable { message } => {
                let ranges = if ranges.is_empty() {
                    root.members
                        .first()
                        .map(|m| m.key.range)
                        .into_iter()
                        .collect()
                } else {
                    ranges
                };
                for range in ranges {
                    self.push(Diagnostic::new(
                        Code::ModelUnreadable,
                        range,
                        message.clone(),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// "a string", "the number 3", "a list", … for messages.
pub(crate) fn describe(value: &Value) -> String {
    match &value.kind {
        ValueKind::Object(_) => "an object".into(),
        ValueKind::Array(_) => "a list".into(),
        ValueKind::String(s) => format!("the string \"{}\"", s.value),
        ValueKind::Number(n) => format!("the number {}", n.raw),
        ValueKind::Bool(b) => format!("{b}"),
        ValueKind::Null => "null".into(),
        ValueKind::Invalid => "an invalid value".into(),
    }
}

mod activation;
#[cfg(test)]
mod dialect_tests;
mod effects;
#[cfg(test)]
mod no_effect_tests;
mod reuse;
#[cfg(test)]
mod tests;
mod values;

pub(crate) use effects::{op_entry_no_effect, wide_precision_unsupported};
pub use reuse::check_after_splice;
