//! `check`: every diagnostic of one document (docs/spec.md, "Diagnostics").

use super::model_checks;
use super::suggest::{did_you_mean, hint};
use super::{Code, Diagnostic, DiagnosticConfig};
use crate::model::{how_to_pair_in, ModelIndex, Paired};
use crate::parallel::join;
use crate::spec::{self, Dialect, KeySpec, Legacy, Level, Locale, MapKind, ValueSpec};
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
    pub fn of(paired: &'a Paired, locale: Locale) -> Self {
        match (&paired.pairing, &paired.model) {
            (_, Some(Ok(index))) => ModelStatus::Loaded(index),
            (Some(p), Some(Err(e))) if e.missing => ModelStatus::Missing {
                message: tr!(
                    locale,
                    "the model {} ({}) does not exist, so node names and op types are not checked",
                    "模型 {} （{}）不存在，因此不检查节点名称和算子类型",
                    p.model.display(),
                    p.reason()
                ),
            },
            (_, Some(Err(e))) => ModelStatus::Unreadable {
                message: tr!(
                    locale,
                    "the paired model cannot be read: {e}",
                    "无法读取配对的模型：{e}"
                ),
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
    /// The language of the messages.
    pub locale: Locale,
    /// The paired model's file cannot be read now and an earlier read of it is used: why.
    pub stale_model: Option<String>,
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
                    tr!(
                        self.ctx.locale,
                        "a quant_config must be a JSON object, not {}",
                        "quant_config 必须是 JSON 对象，而不是{}",
                        describe(root, self.ctx.locale)
                    ),
                ));
            }
            return;
        };
        let model = match self.ctx.model {
            ModelStatus::Loaded(model) => Some(model),
            _ => None,
        };
        let (profile, locale) = (self.ctx.dialect.profile, self.ctx.locale);
        // The checks of the model run beside the others on a big config; their diagnostics
        // come last either way.
        let ((), with_model) = join(
            model.is_some() && model_checks::worth_threads(obj),
            || {
                self.check_level(obj, &spec::TOP);
                self.check_effects(root, obj);
                self.check_model_presence(obj);
            },
            || model.map(|model| model_checks::check_with_model(root, obj, model, profile, locale)),
        );
        if let Some((found, full_scans)) = with_model {
            // Moved rather than copied when nothing came before (100,000 diagnostics are
            // 10 MB).
            if self.out.is_empty() {
                self.out = found;
            } else {
                self.out.extend(found);
            }
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
        for (member, winner) in obj.shadowed_by() {
            self.push(
                Diagnostic::new(
                    Code::DuplicateKey,
                    member.key.range,
                    tr!(
                        self.ctx.locale,
                        "duplicate key \"{}\": this entry is ignored, the later one wins",
                        "重复的键 \"{}\"：此条目被忽略，以后面的为准",
                        member.key.text
                    ),
                )
                .with_related(
                    winner.key.range,
                    tr!(
                        self.ctx.locale,
                        "this later entry is the one that counts",
                        "生效的是后面的这个条目"
                    ),
                ),
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
            tr!(
                self.ctx.locale,
                "\"{name}\" is not valid with profile {}: bayes configs have three levels (model_config, op_config, node_config); the toolchain rejects the file (Unsupported first-level title in quant config file: {name})",
                "\"{name}\" 在配置档 {} 下无效：bayes 的配置只有三级（model_config、op_config、node_config）；工具链会拒绝此文件（Unsupported first-level title in quant config file: {name}）",
                self.ctx.dialect.describe()
            ),
        ));
    }

    fn unknown_key(&mut self, member: &Member, level: &'static Level) {
        let name = member.key.text.as_str();
        let locale = self.ctx.locale;
        let mut suggestion = None;
        let node_only_legacy = spec::NODE_ENTRY
            .legacy_key(name)
            .filter(|_| std::ptr::eq(level, &spec::OP_ENTRY));
        let message = if std::ptr::eq(level, &spec::TOP) && MODEL_CONFIG_KEYS_AT_TOP.contains(&name)
        {
            tr!(
                locale,
                "\"{name}\" belongs in \"model_config\"; at the top level the toolchain rejects the file (Unsupported first-level title in quant config file: {name})",
                "\"{name}\" 应写在 \"model_config\" 中；写在顶层时工具链会拒绝此文件（Unsupported first-level title in quant config file: {name}）"
            )
        } else if let Some(legacy) = node_only_legacy {
            // `ON`, `InputType0`, `InputType1` exist only in node entries; no key replaces
            // them in op_config, so nothing is suggested.
            let what = match (legacy.name == "ON", locale) {
                (true, Locale::En) => "chooses the processor of one node",
                (false, Locale::En) => "sets one input of one node",
                (true, Locale::Zh) => "用于选择单个节点的处理器",
                (false, Locale::Zh) => "用于设置单个节点的一个输入",
            };
            tr!(
                locale,
                "\"{name}\" is not valid in op_config: it {what} and the loader rejects it here; op_config entries take \"qtype\" (legacy: \"InputType\", \"OutputType\"), or move the setting to node_config",
                "\"{name}\" 在 op_config 中无效：它{what}，加载器在这里会拒绝它；op_config 条目使用 \"qtype\"（旧写法：\"InputType\"、\"OutputType\"），或把此设置移到 node_config"
            )
        } else {
            let candidates = level.key_names().chain(level.legacy.iter().map(|l| l.name));
            let place = if level.path.is_empty() {
                tr!(locale, "at the top level", "在顶层")
            } else {
                tr!(locale, "in {}", "在 {} 中", level.path)
            };
            let valid: Vec<&str> = level.key_names().collect();
            suggestion = did_you_mean(name, candidates);
            tr!(
                locale,
                "\"{name}\" is not a valid key {place}; expected one of {}{}",
                "\"{name}\" {place}不是有效的键；应为以下之一：{}{}",
                valid.join(", "),
                hint(suggestion, locale)
            )
        };
        let mut d = Diagnostic::new(Code::UnknownKey, member.key.range, message);
        if let Some(s) = suggestion {
            d = d.suggest_str(s);
        }
        self.push(d);
    }

    fn check_legacy(&mut self, legacy: &'static Legacy, member: &Member) {
        let locale = self.ctx.locale;
        let advice = match legacy.replacement {
            Some(new) if legacy.name == "ON" => tr!(
                locale,
                "use \"{new}\" (\"CPU\" ≈ \"float32\", \"BPU\" ≈ \"int8\")",
                "请使用 \"{new}\"（\"CPU\" ≈ \"float32\"，\"BPU\" ≈ \"int8\"）"
            ),
            Some(new) => tr!(locale, "use \"{new}\"", "请使用 \"{new}\""),
            None => tr!(
                locale,
                "quant_config sets input precisions with \"qtype\", \"input0\" and \"input1\"",
                "quant_config 用 \"qtype\"、\"input0\" 和 \"input1\" 设置输入精度"
            ),
        };
        let mut d = Diagnostic::new(
            Code::LegacyKey,
            member.key.range,
            tr!(
                locale,
                "\"{}\" is a legacy horizon_nn key; {advice}",
                "\"{}\" 是 horizon_nn 的旧键；{advice}",
                legacy.name
            ),
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
                tr!(
                    locale,
                    "\"{}\" takes a string, not {}",
                    "\"{}\" 的值应为字符串，而不是{}",
                    legacy.name,
                    describe(value, locale)
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
                    let message = tr!(
                        self.ctx.locale,
                        "\"{}\" must be an object, not {}",
                        "\"{}\" 必须是对象，而不是{}",
                        key.name,
                        describe(value, self.ctx.locale)
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
                    let message = tr!(
                        self.ctx.locale,
                        "\"{}\" must be an object, not {}",
                        "\"{}\" 必须是对象，而不是{}",
                        key.name,
                        describe(value, self.ctx.locale)
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
                let locale = self.ctx.locale;
                let what = match (kind, locale) {
                    (MapKind::OpType, Locale::En) => "an op_config entry must be an object such as {\"qtype\": \"int16\"}",
                    (MapKind::NodeName, Locale::En) => "a node_config entry must be an object such as {\"qtype\": \"int16\"}",
                    (MapKind::SubgraphName, Locale::En) => "a subgraph_config entry must be an object with \"inputs\", \"outputs\" and \"qtype\"",
                    (MapKind::OpType, Locale::Zh) => "op_config 条目必须是对象，例如 {\"qtype\": \"int16\"}",
                    (MapKind::NodeName, Locale::Zh) => "node_config 条目必须是对象，例如 {\"qtype\": \"int16\"}",
                    (MapKind::SubgraphName, Locale::Zh) => "subgraph_config 条目必须是含 \"inputs\"、\"outputs\" 和 \"qtype\" 的对象",
                };
                self.push(Diagnostic::new(
                    Code::WrongType,
                    value.range,
                    tr!(
                        locale,
                        "{what}, not {}",
                        "{what}，而不是{}",
                        describe(value, locale)
                    ),
                ));
            }
        }
    }

    fn check_tensor_names(&mut self, key: &KeySpec, value: &Value) {
        let locale = self.ctx.locale;
        match &value.kind {
            ValueKind::Array(arr) if arr.elements.is_empty() => self.push(Diagnostic::new(
                Code::EmptyList,
                value.range,
                tr!(
                    locale,
                    "\"{}\" needs at least one tensor name",
                    "\"{}\" 至少需要一个张量名称",
                    key.name
                ),
            )),
            ValueKind::Array(arr) => {
                for element in &arr.elements {
                    if !matches!(element.kind, ValueKind::String(_) | ValueKind::Invalid) {
                        self.push(Diagnostic::new(
                            Code::WrongType,
                            element.range,
                            tr!(
                                locale,
                                "a tensor name must be a string, not {}",
                                "张量名称必须是字符串，而不是{}",
                                describe(element, locale)
                            ),
                        ));
                    }
                }
            }
            _ => self.push(Diagnostic::new(
                Code::WrongType,
                value.range,
                tr!(
                    locale,
                    "\"{}\" must be a list of tensor names, not {}",
                    "\"{}\" 必须是张量名称的列表，而不是{}",
                    key.name,
                    describe(value, locale)
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
        // A problem of a model that no section needs goes on the first key.
        let or_first_key = |ranges: Vec<TextRange>| -> Vec<TextRange> {
            if ranges.is_empty() {
                root.members
                    .first()
                    .map(|m| m.key.range)
                    .into_iter()
                    .collect()
            } else {
                ranges
            }
        };
        match &self.ctx.model {
            ModelStatus::Unpaired if !needing.is_empty() => {
                for range in ranges {
                    self.push(Diagnostic::new(
                        Code::ModelNotFound,
                        range,
                        tr!(
                            self.ctx.locale,
                            "no model is paired, so node names and op types are not checked; {}",
                            "没有配对的模型，因此不检查节点名称和算子类型；{}",
                            how_to_pair_in(self.ctx.locale)
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
                for range in or_first_key(ranges) {
                    self.push(Diagnostic::new(
                        Code::ModelUnreadable,
                        range,
                        message.clone(),
                    ));
                }
            }
            ModelStatus::Loaded(model) => {
                let Some(why) = &self.ctx.stale_model else {
                    return;
                };
                let ranges = or_first_key(ranges);
                let message = tr!(
                    self.ctx.locale,
                    "the model file cannot be read now ({why}); this config is checked against the copy of {} read before ({} nodes)",
                    "现在无法读取模型文件（{why}）；此配置按之前读到的 {} （{} 个节点）检查",
                    model.path.display(),
                    model.node_count()
                );
                for range in ranges {
                    self.push(
                        Diagnostic::new(Code::ModelUnreadable, range, message.clone())
                            .with_severity(crate::analysis::Severity::Warning),
                    );
                }
            }
            _ => {}
        }
    }
}

/// "a string", "the number 3", "a list", … for messages. In Chinese the phrase follows
/// "而不是" without a space.
pub(crate) fn describe(value: &Value, locale: Locale) -> String {
    match &value.kind {
        ValueKind::Object(_) => tr!(locale, "an object", "对象"),
        ValueKind::Array(_) => tr!(locale, "a list", "列表"),
        ValueKind::String(s) => tr!(locale, "the string \"{}\"", "字符串 \"{}\"", s.value),
        ValueKind::Number(n) => tr!(locale, "the number {}", "数字 {}", n.raw),
        ValueKind::Bool(b) => tr!(locale, "{b}", " {b}"),
        ValueKind::Null => tr!(locale, "null", " null"),
        ValueKind::Invalid => tr!(locale, "an invalid value", "无效的值"),
    }
}

mod activation;
#[cfg(test)]
mod dialect_tests;
mod effects;
#[cfg(test)]
mod locale_tests;
#[cfg(test)]
mod no_effect_tests;
mod reuse;
#[cfg(test)]
mod tests;
mod values;

pub(crate) use effects::{op_entry_no_effect, unknown_op_type, wide_precision_unsupported};
pub use reuse::check_after_splice;
