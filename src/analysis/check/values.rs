//! Scalar values: their JSON type, their set of valid values (a precision's set follows the
//! active profile) and their range, with what the toolchain does beyond it.

use super::{describe, Checker};
use crate::analysis::suggest::{did_you_mean, hint};
use crate::analysis::{Code, Diagnostic, Severity};
use crate::spec::{self, Beyond, KeySpec, Level, PrecisionRole, Scalar, ScalarType, EC};
use crate::syntax::{Value, ValueKind};
use crate::text::TextRange;

impl Checker<'_, '_> {
    /// `invalid-value` (or `ec-misplaced`) for a string outside `valid`, with did-you-mean;
    /// for a precision, the message names the profile and says which profile would take it.
    pub(super) fn invalid_value(
        &self,
        key: &str,
        role: Option<PrecisionRole>,
        valid: &[&'static str],
        range: TextRange,
        value: &str,
    ) -> Diagnostic {
        let expected = valid.join(", ");
        let suggestion = did_you_mean(value, valid.iter().copied());
        let message = match role {
            Some(role) => {
                let profile = self.ctx.dialect.describe();
                match self.ctx.dialect.profile.elsewhere(role, value) {
                    Some(why) => format!(
                        "{why}; with profile {profile} \"{key}\" takes {expected}"
                    ),
                    None => format!(
                        "\"{value}\" is not a valid {key} with profile {profile}; expected one of {expected}{}",
                        hint(suggestion)
                    ),
                }
            }
            None => format!(
                "\"{value}\" is not a valid {key}; expected one of {expected}{}",
                hint(suggestion)
            ),
        };
        let code = if value == EC {
            Code::EcMisplaced
        } else {
            Code::InvalidValue
        };
        let mut d = Diagnostic::new(code, range, message);
        if let Some(s) = suggestion {
            d = d.suggest_str(s);
        }
        d
    }

    pub(super) fn check_scalar(
        &mut self,
        key: &'static KeySpec,
        level: &'static Level,
        scalar: &'static Scalar,
        value: &Value,
    ) {
        match &value.kind {
            ValueKind::Array(arr) => {
                if arr.elements.is_empty() {
                    self.push(Diagnostic::new(
                        Code::EmptyList,
                        value.range,
                        format!(
                            "\"{}\" needs a value; an empty list leaves nothing to use",
                            key.name
                        ),
                    ));
                } else if !scalar.list {
                    self.push(Diagnostic::new(
                        Code::WrongType,
                        value.range,
                        format!(
                            "\"{}\" takes a single value ({}), not a list",
                            key.name,
                            scalar.ty.name()
                        ),
                    ));
                } else {
                    for element in &arr.elements {
                        self.check_one(key, level, scalar, element, true);
                    }
                }
            }
            _ => self.check_one(key, level, scalar, value, false),
        }
    }

    /// One scalar value (a whole value, or one element of a list).
    fn check_one(
        &mut self,
        key: &'static KeySpec,
        level: &'static Level,
        scalar: &'static Scalar,
        value: &Value,
        in_list: bool,
    ) {
        let element = if in_list { "each element of " } else { "" };
        let type_error = |found: &str| {
            format!(
                "{element}\"{}\" must be {}, not {found}",
                key.name,
                scalar.ty.name()
            )
        };
        match (&value.kind, scalar.ty) {
            (ValueKind::Invalid, _) => {}
            (ValueKind::String(s), ScalarType::String) => {
                self.check_string(key, level, scalar, value.range, &s.value)
            }
            (ValueKind::Number(n), ScalarType::Int) if n.is_integer => {
                self.check_range(key, scalar, value.range, n.value, &n.raw)
            }
            (ValueKind::Number(n), ScalarType::Int) => self.push(Diagnostic::new(
                Code::WrongType,
                value.range,
                type_error(&format!("the float {}", n.raw)),
            )),
            (ValueKind::Number(n), ScalarType::Float) if n.is_integer => {
                self.push(
                    Diagnostic::new(
                        Code::WrongType,
                        value.range,
                        format!(
                            "{element}\"{}\" must be a float: write {}.0 (the toolchain raises TypeError on the integer {})",
                            key.name, n.raw, n.raw
                        ),
                    )
                    .suggest(format!("{}.0", n.raw)),
                )
            }
            (ValueKind::Number(n), ScalarType::Float) => {
                self.check_range(key, scalar, value.range, n.value, &n.raw)
            }
            (ValueKind::Bool(_), ScalarType::Bool) => {}
            (ValueKind::String(s), _) => {
                let quoted = format!("the string \"{}\"", s.value);
                let unquoted = s.value.trim();
                let fits = match scalar.ty {
                    ScalarType::Int => unquoted.parse::<i64>().is_ok(),
                    ScalarType::Float => {
                        unquoted.contains('.') && unquoted.parse::<f64>().is_ok_and(f64::is_finite)
                    }
                    ScalarType::Bool => matches!(unquoted, "true" | "false"),
                    ScalarType::String => false,
                };
                let mut d = Diagnostic::new(Code::WrongType, value.range, type_error(&quoted));
                if fits {
                    d.message.push_str("; remove the quotes");
                    d = d.suggest(unquoted);
                }
                self.push(d)
            }
            _ => self.push(Diagnostic::new(
                Code::WrongType,
                value.range,
                type_error(&describe(value)),
            )),
        }
    }

    fn check_string(
        &mut self,
        key: &'static KeySpec,
        level: &'static Level,
        scalar: &'static Scalar,
        range: TextRange,
        value: &str,
    ) {
        let (valid, tolerated) = scalar.values_in(self.ctx.dialect.profile);
        if valid.is_empty() || valid.contains(&value) || tolerated.contains(&value) {
            return;
        }
        if value == EC {
            let place = if std::ptr::eq(level, &spec::NODE_ENTRY)
                || std::ptr::eq(level, &spec::OP_ENTRY)
                || std::ptr::eq(level, &spec::SUBGRAPH_ENTRY)
            {
                format!("in \"{}\" of {}", key.name, level.path)
            } else {
                format!("in {}.{}", level.path, key.name)
            };
            self.push(Diagnostic::new(
                Code::EcMisplaced,
                range,
                format!(
                    "\"ec\" is not valid {place}; it only works in \"input0\"/\"input1\" of a node_config entry ({})",
                    spec::ec_table_text()
                ),
            ));
            return;
        }
        let expected = valid.join(", ");
        if key.name == "calibration_type" {
            let message = match value {
                "default" | "mix" | "skip" => Some(format!(
                    "\"{value}\" is a calibration_type of the hb_compile YAML (calibration_parameters.calibration_type), not of quant_config; expected one of {expected}"
                )),
                "load" => Some(format!(
                    "\"load\" is only valid for QAT models, not in quant_config; expected one of {expected}"
                )),
                _ => None,
            };
            if let Some(message) = message {
                self.push(Diagnostic::new(Code::InvalidValue, range, message));
                return;
            }
        }
        let d = self.invalid_value(key.name, scalar.precision, valid, range, value);
        self.push(d);
    }

    fn check_range(&mut self, key: &KeySpec, scalar: &Scalar, range: TextRange, v: f64, raw: &str) {
        let below = scalar.min.filter(|min| !min.admits_as_min(v));
        let above = scalar.max.filter(|max| !max.admits_as_max(v));
        let (bound, relation, moves) = match (below, above) {
            (Some(min), _) => (
                min,
                if min.inclusive {
                    "at least"
                } else {
                    "greater than"
                },
                "raises",
            ),
            (None, Some(max)) => (
                max,
                if max.inclusive {
                    "at most"
                } else {
                    "less than"
                },
                "lowers",
            ),
            (None, None) => return,
        };
        let limit = fmt_num(bound.value);
        let d = match bound.beyond {
            Beyond::ClampTo(to) => Diagnostic::new(
                Code::OutOfRange,
                range,
                format!(
                    "\"{}\" must be {relation} {limit}; the toolchain {moves} {raw} to {}",
                    key.name,
                    fmt_num(to)
                ),
            )
            .suggest(fmt_typed(to, scalar.ty)),
            Beyond::Reject => {
                let d = Diagnostic::new(
                    Code::OutOfRange,
                    range,
                    format!(
                        "\"{}\" must be {relation} {limit}; the toolchain rejects {raw}",
                        key.name
                    ),
                )
                .with_severity(Severity::Error);
                // The nearest accepted value is an inclusive bound itself; an exclusive one
                // (`similarity` > 0) has no nearest value to offer.
                if bound.inclusive {
                    d.suggest(fmt_typed(bound.value, scalar.ty))
                } else {
                    d
                }
            }
        };
        self.push(d);
    }
}

/// A number as JSON of the key's type: floats keep a decimal point (`1.0`, not `1`).
fn fmt_typed(v: f64, ty: ScalarType) -> String {
    let text = fmt_num(v);
    if ty == ScalarType::Float && !text.contains(['.', 'e']) {
        format!("{text}.0")
    } else {
        text
    }
}

pub(super) fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
