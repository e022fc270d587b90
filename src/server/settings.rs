//! The `qcls` settings, from initializationOptions, didChangeConfiguration or
//! workspace/configuration.

use serde_json::Value;

use crate::analysis::DiagnosticConfig;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientSettings {
    /// `qcls.model`: a model path, relative to the workspace root.
    pub model: Option<String>,
    /// `qcls.locale`: overrides the client's locale.
    pub locale: Option<String>,
    pub diagnostics: DiagnosticConfig,
    /// `qcls.march`: the chip, which picks the toolchain profile.
    pub march: Option<String>,
    /// `qcls.toolchain`: `oe3` (default) or `hmct-2.8`.
    pub toolchain: Option<String>,
    /// `qcls.logLevel`: how much the server writes to the client's log (an index of
    /// `log::LEVELS`); `None` keeps the level given with `--log-level`.
    pub log_level: Option<u8>,
    /// `qcls.hoverTables`: `"markdown"` (true) or `"text"` (false); `None` (`"auto"`) decides by
    /// the client.
    pub hover_tables: Option<bool>,
    /// `qcls.maxDiagnostics`: how many diagnostics of one document are sent at most.
    pub max_diagnostics: Option<usize>,
}

impl ClientSettings {
    /// The keys of the `qcls` section, to recognise the section sent without its wrapper.
    pub const KEYS: &'static [&'static str] = &[
        "model",
        "locale",
        "diagnostics",
        "march",
        "toolchain",
        "logLevel",
        "hoverTables",
        "maxDiagnostics",
    ];

    /// Reads `{"qcls": {...}}` or the inner object. Returns the settings (defaults for each
    /// malformed field) and the problems to show the user. `null` gives the defaults.
    pub fn from_json(value: &Value) -> (ClientSettings, Vec<String>) {
        let mut problems = Vec::new();
        let mut settings = ClientSettings::default();
        let inner = match value {
            Value::Null => return (settings, problems),
            Value::Object(map) => match map.get("qcls") {
                Some(inner) => inner,
                None => value,
            },
            _ => {
                problems.push("qcls settings must be an object".to_string());
                return (settings, problems);
            }
        };
        let Some(map) = inner.as_object() else {
            if !inner.is_null() {
                problems.push("qcls settings must be an object".to_string());
            }
            return (settings, problems);
        };
        match map.get("model") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.trim().is_empty() => {}
            Some(Value::String(s)) => settings.model = Some(s.clone()),
            Some(_) => problems.push("qcls.model must be a path (a string)".to_string()),
        }
        match map.get("locale") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => settings.locale = Some(s.clone()),
            Some(_) => {
                problems.push("qcls.locale must be a string such as \"en\" or \"zh-CN\"".into())
            }
        }
        for (key, field) in [
            ("march", &mut settings.march),
            ("toolchain", &mut settings.toolchain),
        ] {
            match map.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if s.trim().is_empty() => {}
                Some(Value::String(s)) => *field = Some(s.trim().to_string()),
                Some(_) => problems.push(format!("qcls.{key} must be a string")),
            }
        }
        if let Some(toolchain) = &settings.toolchain {
            if !crate::spec::TOOLCHAINS.contains(&toolchain.as_str())
                && !toolchain.starts_with("hmct-")
            {
                problems.push(format!(
                    "qcls.toolchain: unknown release \"{toolchain}\"; expected one of {}",
                    crate::spec::TOOLCHAINS.join(", ")
                ));
            }
        }
        match map.get("logLevel") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => match super::log::parse_level(s) {
                Some(level) => settings.log_level = Some(level),
                None => problems.push(format!(
                    "qcls.logLevel: expected one of {}",
                    super::log::LEVELS.join(", ")
                )),
            },
            Some(_) => problems.push("qcls.logLevel must be a string such as \"info\"".into()),
        }
        match map.get("hoverTables") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s == "auto" => {}
            Some(Value::String(s)) if s == "markdown" => settings.hover_tables = Some(true),
            Some(Value::String(s)) if s == "text" => settings.hover_tables = Some(false),
            Some(_) => problems
                .push("qcls.hoverTables: expected \"auto\", \"markdown\" or \"text\"".into()),
        }
        match map.get("maxDiagnostics") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n >= 1) => {
                settings.max_diagnostics = n.as_u64().map(|n| n as usize);
            }
            Some(_) => {
                problems.push("qcls.maxDiagnostics must be a whole number of at least 1".into())
            }
        }
        if let Some(d) = map.get("diagnostics") {
            let (config, more) = DiagnosticConfig::from_json(d);
            settings.diagnostics = config;
            problems.extend(more);
        }
        (settings, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Code, Severity};
    use serde_json::json;

    #[test]
    fn wrapped_and_inner_forms() {
        let a = ClientSettings::from_json(&json!({"qcls": {"model": "m.onnx"}})).0;
        let b = ClientSettings::from_json(&json!({"model": "m.onnx"})).0;
        assert_eq!(a, b);
        assert_eq!(a.model.as_deref(), Some("m.onnx"));
    }

    #[test]
    fn diagnostics_overrides() {
        let (s, problems) = ClientSettings::from_json(&json!({
            "diagnostics": {"syntax-error": "off", "legacy-key": "error"}
        }));
        assert!(problems.is_empty());
        assert_eq!(s.diagnostics.overrides.get(&Code::SyntaxError), Some(&None));
        assert_eq!(
            s.diagnostics.overrides.get(&Code::LegacyKey),
            Some(&Some(Severity::Error))
        );
    }

    #[test]
    fn march_and_toolchain() {
        let (s, problems) =
            ClientSettings::from_json(&json!({"march": " bayes-e ", "toolchain": "hmct-2.8"}));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.march.as_deref(), Some("bayes-e"));
        assert_eq!(s.toolchain.as_deref(), Some("hmct-2.8"));
        let (s, problems) = ClientSettings::from_json(&json!({"march": 5, "toolchain": "oe9"}));
        assert_eq!(s.march, None);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn hover_tables() {
        for (value, expected) in [
            (json!("markdown"), Some(true)),
            (json!("text"), Some(false)),
            (json!("auto"), None),
            (Value::Null, None),
        ] {
            let (s, problems) = ClientSettings::from_json(&json!({ "hoverTables": value }));
            assert!(problems.is_empty(), "{problems:?}");
            assert_eq!(s.hover_tables, expected, "{value}");
        }
        let (s, problems) = ClientSettings::from_json(&json!({"hoverTables": true}));
        assert_eq!(s.hover_tables, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn max_diagnostics() {
        let (s, problems) = ClientSettings::from_json(&json!({"maxDiagnostics": 50}));
        assert!(problems.is_empty());
        assert_eq!(s.max_diagnostics, Some(50));
        for bad in [json!(0), json!(-3), json!(2.5), json!("100")] {
            let (s, problems) = ClientSettings::from_json(&json!({ "maxDiagnostics": bad }));
            assert_eq!(s.max_diagnostics, None, "{bad}");
            assert_eq!(problems.len(), 1, "{bad}");
        }
    }

    #[test]
    fn malformed_fields_keep_defaults_and_are_reported() {
        let (s, problems) =
            ClientSettings::from_json(&json!({"model": 3, "locale": "zh", "diagnostics": 1}));
        assert_eq!(s.model, None);
        assert_eq!(s.locale.as_deref(), Some("zh"));
        assert_eq!(problems.len(), 2);
        assert_eq!(ClientSettings::from_json(&json!(7)).1.len(), 1);
        assert!(ClientSettings::from_json(&Value::Null).1.is_empty());
    }
}
