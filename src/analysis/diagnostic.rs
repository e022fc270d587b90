//! The diagnostic type, its stable codes and user severity overrides.

use std::collections::HashMap;

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
        /// The stable diagnostic codes of SPEC §4.
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
            /// One line for users: when the code is reported.
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    SyntaxError = "syntax-error", Error, "anything the toolchain's JSON reader rejects";
    HashComment = "hash-comment", Error, "a `#` comment (the toolchain strips only `//` and `/* */`)";
    DuplicateKey = "duplicate-key", Warning, "a key repeated in one object; the last one silently wins";
    UnknownKey = "unknown-key", Error, "a key not valid at its level, e.g. `activation` at top level";
    LegacyKey = "legacy-key", Warning, "`InputType`, `InputType0`, `InputType1`, `OutputType`, `ON`";
    WrongType = "wrong-type", Error, "a value of the wrong JSON type, e.g. `\"num_bin\": \"1024\"` or `\"max_percentile\": 1`";
    InvalidValue = "invalid-value", Error, "a value outside its set, e.g. `\"qtype\": \"int32\"`";
    OutOfRange = "out-of-range", Warning, "a number the toolchain clamps (warning) or rejects (error)";
    EmptyList = "empty-list", Error, "`[]` where a value or a list of values is expected";
    EcMisplaced = "ec-misplaced", Error, "`ec` in `qtype`, in `op_config` or in `model_config`";
    EcWrongInput = "ec-wrong-input", Warning, "`ec` on the right op type but the wrong input";
    EcUnsupportedOp = "ec-unsupported-op", Warning, "`ec` on a node whose op type ignores it";
    UnknownNode = "unknown-node", Warning, "a node_config key that is not a node of the paired model";
    UnknownOpType = "unknown-op-type", Warning, "an op_config key that is no ONNX or toolchain op type";
    OpTypeAbsent = "op-type-absent", Hint, "a valid op type of which the paired model has no node";
    NoEffect = "no-effect", Hint, "a setting that changes nothing";
    ModelNotFound = "model-not-found", Information, "the file configures nodes or op types but no model could be paired";
    ModelUnreadable = "model-unreadable", Error, "the paired model exists but is not a readable ONNX model";
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
        }
    }
    /// Adds a replacement for the diagnostic's range (JSON text).
    pub fn suggest(mut self, replacement: impl Into<String>) -> Self {
        self.suggestions.push(replacement.into());
        self
    }
    /// Adds a string replacement, quoted as JSON.
    pub fn suggest_str(self, replacement: &str) -> Self {
        let quoted = serde_json::to_string(replacement).unwrap_or_default();
        self.suggest(quoted)
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
