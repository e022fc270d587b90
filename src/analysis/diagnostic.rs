//! The diagnostic type, its stable codes and user severity overrides.

use std::collections::HashMap;

use crate::spec::Locale;
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "information" | "info" => Severity::Information,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $doc:literal;)*) => {
        /// The stable diagnostic codes (docs/spec.md, "Diagnostics").
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($name => Some(Code::$variant),)* _ => None }
            }
            /// The severity a diagnostic of this code gets unless the rule or the user says
            /// otherwise (`out-of-range` is an error for values the toolchain rejects).
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
            /// When the code is reported, for users (Markdown; the README's table is made
            /// of these, see [`Code::markdown_table`]).
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    SyntaxError = "syntax-error", Error, "anything the toolchain's JSON reader (comment stripping + Python `json.loads`) rejects: trailing commas, single quotes, unquoted keys, `NaN`/`Infinity`, hex, leading `+`, control characters in strings, missing commas…";
    HashComment = "hash-comment", Error, "a `#` comment (the toolchain strips only `//` and `/* */`)";
    DuplicateKey = "duplicate-key", Warning, "a key repeated in one object: on the one that loses, related to the one that wins";
    UnknownKey = "unknown-key", Error, "a key not valid at its level, with the valid keys and did-you-mean; `activation`, `weight`, `*_search` at the top say they belong in `model_config`; `ON`, `InputType0`, `InputType1` in `op_config` (the loader rejects them there); `subgraph_config` with the bayes profile";
    LegacyKey = "legacy-key", Warning, "`InputType`, `InputType0`, `InputType1`, `OutputType`, `ON` (older horizon_nn loader) where the loader still takes them (op_config: `InputType`, `OutputType` only)";
    WrongType = "wrong-type", Error, "e.g. `\"num_bin\": \"1024\"`, `\"max_percentile\": 1` (an int raises TypeError), a list where one value is allowed";
    InvalidValue = "invalid-value", Error, "a value outside its set (`\"qtype\": \"int32\"`), naming the profile that judged it; a precision of another profile says so (`float16` on bayes, `int16-ec` before hmct 2.8); `default`/`mix`/`skip` are YAML calibration types, `load` is for QAT";
    OutOfRange = "out-of-range", Warning, "warning for a number the toolchain clamps, saying what it becomes (`num_bin` ≤ 128 → 129, `max_num_bin` → max(258, num_bin), `max_percentile` < 0.5 → 0.5); error for one it rejects (`max_percentile` > 1.0, `num_sample` < 1, `topk` < 1, `similarity` outside (0, 1])";
    EmptyList = "empty-list", Error, "`[]` where a value or a list of values is expected";
    EcMisplaced = "ec-misplaced", Error, "`ec` in `qtype` or a legacy key, in `op_config` or in `model_config`";
    EcWrongInput = "ec-wrong-input", Warning, "`ec` on the right op type but the wrong input (Conv `input0`)";
    EcUnsupportedOp = "ec-unsupported-op", Warning, "`ec` on a node whose op type ignores it; `dual-int16`/`int16-ec` (hmct 2.8) on an op type other than Conv, ConvTranspose, MatMul, Gemm";
    UnknownNode = "unknown-node", Warning, "a node_config key that is not a node of the model (did-you-mean up to three names; whitespace; case; names of nodes that optimization folds away such as `Constant`, `Shape`, `Gather`, `Cast`); also a `subgraph_config` tensor that is not in the model";
    UnknownOpType = "unknown-op-type", Warning, "an op_config key that is neither an ONNX op type (every operator of every opset) nor a toolchain op type (`HzPreprocess`, `Lut`, `HzSQuantizedConv`, …), with or without a model (with one, also not in it); `softmax` suggests `Softmax`";
    OpTypeAbsent = "op-type-absent", Hint, "a valid op type of which the model has no node";
    NoEffect = "no-effect", Hint, "a setting that changes nothing, on its key: `num_bin`/`max_num_bin` without `kl`, `max_percentile` without `max`, `all_node_type: int8`, `modelwise_search` beside `layerwise_search`, an op or node entry equal to what it inherits, a `qtype` that `input0`/`input1` hide on every input, `input1` on a node with one input, a legacy key beside its modern key, a subgraph without `qtype` or without a node";
    ModelNotFound = "model-not-found", Information, "the file configures nodes or op types but no model could be paired (or the named one does not exist)";
    ModelUnreadable = "model-unreadable", Error, "the paired model exists but is not a readable ONNX model; a warning when the file of a model already read becomes unreadable (being rewritten, truncated, replaced) and the copy read before is still used";
    OverlappingSetting = "overlapping-setting", Warning, "an hb_compile YAML and the quant_config written in it set the same thing two ways (`set_all_nodes_int16` and `all_node_type`, the YAML's `calibration_type`/`max_percentile`/`per_channel` and `activation`, `node_info`/`run_on_cpu`/`run_on_bpu` and a node_config entry of the same node): on both";
    FileNotFound = "file-not-found", Error, "a file an hb_compile YAML names does not exist (`onnx_model`, a `quant_config` path; a warning for `cal_data_dir`, often written before the data)";
    TooManyDiagnostics = "too-many-diagnostics", Information, "editor only: the document has more diagnostics than `qcls.maxDiagnostics` (default 1000, what VS Code shows of one file); the errors come first, then warnings, information and hints, and this one, on the first line, says how many were left out (`qcls check` lists them all)";
}

impl Code {
    /// The README's table of codes: code, default severity, when.
    pub fn markdown_table() -> String {
        let mut out = String::from("| code | default severity | when |\n|---|---|---|\n");
        for code in Code::ALL {
            let severity = match code {
                Code::OutOfRange => "warning / error",
                other => other.default_severity().as_str(),
            };
            out.push_str(&format!(
                "| `{}` | {severity} | {} |\n",
                code.as_str(),
                code.description()
            ));
        }
        out
    }
}

/// Another place that explains a diagnostic (e.g. the other occurrence of a duplicate key).
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub range: TextRange,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub range: TextRange,
    pub message: String,
    pub related: Vec<Related>,
    /// The setting has no effect (the LSP `Unnecessary` tag).
    pub unnecessary: bool,
    /// Replacements for the text at `range`, as JSON text (quoted where needed), best first:
    /// did-you-mean names, a renamed legacy key, a value moved into range. Code actions use them.
    pub suggestions: Vec<String>,
    /// An unknown node name that nothing near it matched: its suggestions come from a search of
    /// the whole model, done by the check only when every such name of the document fits the
    /// budget, else by the quick fixes when asked.
    pub wanted_model_search: bool,
}

impl Diagnostic {
    pub fn new(code: Code, range: TextRange, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            range,
            message: message.into(),
            related: Vec::new(),
            unnecessary: code == Code::NoEffect,
            suggestions: Vec::new(),
            wanted_model_search: false,
        }
    }
    /// Adds a replacement for the diagnostic's range (JSON text).
    pub fn suggest(mut self, replacement: impl Into<String>) -> Self {
        self.suggestions.push(replacement.into());
        self
    }
    /// Adds a string replacement, quoted as JSON.
    pub fn suggest_str(self, replacement: &str) -> Self {
        // A name seldom needs an escape: then it is quoted here, sized exactly (serde_json
        // starts every string it writes at 128 bytes, and a check can suggest 100,000 names).
        let plain = !replacement
            .bytes()
            .any(|b| b == b'"' || b == b'\\' || b < 0x20);
        let quoted = if plain {
            let mut quoted = String::with_capacity(replacement.len() + 2);
            quoted.push('"');
            quoted.push_str(replacement);
            quoted.push('"');
            quoted
        } else {
            serde_json::to_string(replacement).unwrap_or_default()
        };
        self.suggest(quoted)
    }
    /// Adds string replacements, quoted as JSON, in order.
    pub fn suggest_strs(mut self, replacements: &[&str]) -> Self {
        self.suggestions.reserve_exact(replacements.len());
        replacements.iter().fold(self, |d, r| d.suggest_str(r))
    }
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
    pub fn with_related(mut self, range: TextRange, message: impl Into<String>) -> Self {
        self.related.push(Related {
            range,
            message: message.into(),
        });
        self
    }
    pub fn unnecessary(mut self) -> Self {
        self.unnecessary = true;
        self
    }
}

/// Per-code severity overrides from the user's settings; `None` switches a code off.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiagnosticConfig {
    pub overrides: HashMap<Code, Option<Severity>>,
}

impl DiagnosticConfig {
    /// Reads `{"<code>": "error" | "warning" | "information" | "hint" | "off"}`. Unknown codes
    /// and values are returned as warnings for the caller to show.
    pub fn from_json(value: &serde_json::Value) -> (DiagnosticConfig, Vec<String>) {
        let mut config = DiagnosticConfig::default();
        let mut problems = Vec::new();
        let Some(map) = value.as_object() else {
            if !value.is_null() {
                problems.push("qcls.diagnostics must be an object of code → severity".into());
            }
            return (config, problems);
        };
        for (code, severity) in map {
            let Some(code_value) = Code::parse(code) else {
                problems.push(format!("qcls.diagnostics: unknown code \"{code}\""));
                continue;
            };
            match severity.as_str() {
                Some("off") => {
                    config.overrides.insert(code_value, None);
                }
                Some(s) if Severity::parse(s).is_some() => {
                    config.overrides.insert(code_value, Severity::parse(s));
                }
                _ => problems.push(format!(
                    "qcls.diagnostics.{code}: expected \"error\", \"warning\", \"information\", \"hint\" or \"off\""
                )),
            }
        }
        (config, problems)
    }

    /// Applies the overrides: drops switched-off codes and changes severities.
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        if self.overrides.is_empty() {
            return diagnostics;
        }
        diagnostics
            .into_iter()
            .filter_map(|mut d| match self.overrides.get(&d.code) {
                None => Some(d),
                Some(None) => None,
                Some(Some(severity)) => {
                    d.severity = *severity;
                    Some(d)
                }
            })
            .collect()
    }
}

/// At most `max` of a document's diagnostics, the most severe first (in position order within a
/// severity), then back in position order; and, when some were left out, one more saying so.
/// Sending 100,000 diagnostics costs the editor seconds per keystroke, and VS Code shows only
/// the first 1,000 of a file anyway.
pub fn limit_diagnostics<'d>(
    diagnostics: &'d [Diagnostic],
    max: usize,
    text: &str,
    locale: Locale,
) -> (Vec<&'d Diagnostic>, Option<Diagnostic>) {
    if diagnostics.len() <= max {
        return (diagnostics.iter().collect(), None);
    }
    let mut shown: Vec<&'d Diagnostic> = diagnostics.iter().collect();
    // Stable: equal severities keep their position order.
    shown.sort_by_key(|d| d.severity as u8);
    shown.truncate(max);
    shown.sort_by_key(|d| (d.range.start, d.range.end));
    let total = diagnostics.len();
    let first_char = text.chars().next().map_or(0, char::len_utf8);
    let summary = Diagnostic::new(
        Code::TooManyDiagnostics,
        TextRange::new(0, first_char),
        tr!(
            locale,
            "qcls shows {max} of the {total} diagnostics of this file, the most severe first; `qcls check` lists them all, and the setting qcls.maxDiagnostics changes how many are shown",
            "qcls 只显示此文件 {total} 条诊断中的 {max} 条（最严重的优先）；`qcls check` 会列出全部，设置 qcls.maxDiagnostics 可以改变显示的条数"
        ),
    );
    (shown, Some(summary))
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    fn at(code: Code, start: usize) -> Diagnostic {
        Diagnostic::new(code, TextRange::new(start, start + 1), format!("{start}"))
    }

    #[test]
    fn the_most_severe_are_kept_in_position_order_and_the_rest_counted() {
        let mut all: Vec<Diagnostic> = (0..10).map(|i| at(Code::UnknownNode, i * 10)).collect();
        all.push(at(Code::InvalidValue, 55));
        all.push(at(Code::NoEffect, 5));
        all.sort_by_key(|d| d.range.start);
        let (shown, left_out) = limit_diagnostics(&all, 4, "{}", Locale::En);
        let starts: Vec<usize> = shown.iter().map(|d| d.range.start).collect();
        // The error, then the first three warnings; the hint is left out.
        assert_eq!(starts, [0, 10, 20, 55]);
        let left_out = left_out.expect("a note");
        assert_eq!(left_out.code, Code::TooManyDiagnostics);
        assert_eq!(left_out.range, TextRange::new(0, 1));
        assert!(
            left_out.message.contains("4 of the 12"),
            "{}",
            left_out.message
        );

        let (shown, left_out) = limit_diagnostics(&all, 12, "{}", Locale::En);
        assert_eq!(shown.len(), 12);
        assert!(left_out.is_none());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggested_string_is_quoted_as_serde_json_quotes_it() {
        for s in [
            "",
            "/a/b/Conv",
            "量化/😀",
            "say \"hi\"",
            "back\\slash",
            "tab\there",
            "nul\u{0}",
            "del\u{7f}",
            "\u{1f}",
        ] {
            let d = Diagnostic::new(Code::UnknownNode, TextRange::empty(0), "m").suggest_str(s);
            let expected = serde_json::to_string(s).expect("a string serializes");
            assert_eq!(d.suggestions, [expected], "{s:?}");
        }
    }
}
