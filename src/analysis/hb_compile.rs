//! An hb_compile YAML (the file given to `hb_compile --config`): its syntax, its own keys, the
//! quant_config written inside it (`calibration_parameters.quant_config` as a mapping: every
//! quant_config rule, with ranges in the YAML text) and the files it names.

use super::check::{check_document, describe, CheckContext, Checked};
use super::suggest::{did_you_mean, hint};
use super::{Code, Diagnostic, Severity};
use crate::model::MissingFile;
use crate::spec::hb_compile as hb;
use crate::spec::{KeySpec, Level, Scalar, ScalarType, ValueSpec};
use crate::syntax::Member;
use crate::syntax::{Parse, SyntaxErrorKind, Value, ValueKind};

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
        check_yaml_keys(root, &mut out);
    }
    if let Some(inline) = inline_quant_config(parse) {
        // The inline config is checked as a file would be; its own syntax is the YAML's.
        let checked = check_document("", &inline, ctx);
        out.extend(
            checked
                .diagnostics
                .into_iter()
                .filter(|d| d.code != Code::SyntaxError),
        );
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
                format!(
                    "{} \"{}\" does not exist (looked for {})",
                    m.file.key, m.file.path, m.looked_at
                ),
            )
            .with_severity(severity),
        );
    }
    let mut out = ctx.config.apply(out);
    out.sort_by_key(|d| (d.range.start, d.range.end));
    Checked::from_diagnostics(out)
}

/// The YAML's own keys: sections, keys per section, their types, values and ranges
/// (spec::hb_compile). `null` means "not set"; keys of several shapes are not type-checked.
fn check_yaml_keys(root: &Value, out: &mut Vec<Diagnostic>) {
    let ValueKind::Object(top) = &root.kind else {
        if !matches!(root.kind, ValueKind::Null | ValueKind::Invalid) {
            out.push(Diagnostic::new(
                Code::WrongType,
                root.range,
                "an hb_compile YAML is a mapping of sections",
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
                "at the top level of the hb_compile YAML",
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
                format!(
                    "\"{name}\" must be a mapping of keys, not {}",
                    describe(value)
                ),
            ));
            continue;
        };
        for member in &keys.members {
            let key = member.key.text.as_str();
            let Some(spec) = level.key(key) else {
                if !level.open {
                    unknown(out, member, level, &format!("in {name}"));
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
                check_yaml_scalar(out, name, spec, scalar, value, split);
            }
        }
    }
}

fn unknown(out: &mut Vec<Diagnostic>, member: &Member, level: &Level, place: &str) {
    let name = member.key.text.as_str();
    let suggestion = did_you_mean(name, level.key_names());
    let mut d = Diagnostic::new(
        Code::UnknownKey,
        member.key.range,
        format!(
            "\"{name}\" is not a key {place}; expected one of {}{}",
            level.key_names().collect::<Vec<_>>().join(", "),
            hint(suggestion)
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
) {
    let key = spec.name;
    let wrong = |found: String| {
        Diagnostic::new(
            Code::WrongType,
            value.range,
            format!("\"{key}\" must be {}, not {found}", scalar.ty.name()),
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
                    format!(
                        "\"{item}\" is not a valid {section}.{key}; expected one of {}{}",
                        scalar.values.join(", "),
                        hint(suggestion)
                    ),
                );
                if let (Some(s), false) = (suggestion, split) {
                    d = d.suggest_str(s);
                }
                out.push(d);
            }
        }
        (ValueKind::Number(n), ScalarType::Int) if !n.is_integer => {
            out.push(wrong(format!("the number {}", n.raw)))
        }
        (ValueKind::Number(n), ScalarType::Int | ScalarType::Float) => {
            let below = scalar.min.filter(|b| !b.admits_as_min(n.value));
            let above = scalar.max.filter(|b| !b.admits_as_max(n.value));
            if let Some((bound, relation)) = below
                .map(|b| (b, "at least"))
                .or(above.map(|b| (b, "at most")))
            {
                out.push(
                    Diagnostic::new(
                        Code::OutOfRange,
                        value.range,
                        format!(
                            "\"{key}\" must be {relation} {}; the toolchain rejects {}",
                            bound.value, n.raw
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
        _ => out.push(wrong(describe(value))),
    }
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
