//! Scalar values: their JSON type, their set of valid values (a precision's set follows the
//! active profile) and their range, with what the toolchain does beyond it.

use super::{describe, Checker};
use crate::analysis::suggest::{did_you_mean, hint};
use crate::analysis::{Code, Diagnostic, Severity};
use crate::spec::{self, Beyond, KeySpec, Level, Locale, PrecisionRole, Scalar, ScalarType, EC};
use crate::syntax::{Value, ValueKind};
use crate::text::TextRange;

/// An invalid value with no close valid one gets every valid value as a fix, up to this many.
const MAX_OFFERED_VALUES: usize = 8;

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
        let locale = self.ctx.locale;
        let message = match role {
            Some(role) => {
                let profile = self.ctx.dialect.describe();
                match self.ctx.dialect.profile.elsewhere(role, value, locale) {
                    Some(why) => tr!(
                        locale,
                        "{why}; with profile {profile} \"{key}\" takes {expected}",
                        "{why}；在配置档 {profile} 下 \"{key}\" 可取 {expected}"
                    ),
                    None => tr!(
                        locale,
                        "\"{value}\" is not a valid {key} with profile {profile}; expected one of {expected}{}",
                        "\"{value}\" 在配置档 {profile} 下不是有效的 {key}；应为以下之一：{expected}{}",
                        hint(suggestion, locale)
                    ),
                }
            }
            None => tr!(
                locale,
                "\"{value}\" is not a valid {key}; expected one of {expected}{}",
                "\"{value}\" 不是有效的 {key}；应为以下之一：{expected}{}",
                hint(suggestion, locale)
            ),
        };
        let code = if value == EC {
            Code::EcMisplaced
        } else {
            Code::InvalidValue
        };
        let mut d = Diagnostic::new(code, range, message);
        match suggestion {
            Some(s) => d = d.suggest_str(s),
            // Nothing close (`int32` for a qtype): every value of a short list is a fix, so
            // the mistake is one pick away in every editor.
            None if code == Code::InvalidValue && valid.len() <= MAX_OFFERED_VALUES => {
                for v in valid {
                    d = d.suggest_str(v);
                }
            }
            None => {}
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
        let locale = self.ctx.locale;
        match &value.kind {
            ValueKind::Array(arr) => {
                if arr.elements.is_empty() {
                    self.push(Diagnostic::new(
                        Code::EmptyList,
                        value.range,
                        tr!(
                            locale,
                            "\"{}\" needs a value; an empty list leaves nothing to use",
                            "\"{}\" 需要一个值；空列表中没有可用的值",
                            key.name
                        ),
                    ));
                } else if !scalar.list {
                    self.push(Diagnostic::new(
                        Code::WrongType,
                        value.range,
                        tr!(
                            locale,
                            "\"{}\" takes a single value ({}), not a list",
                            "\"{}\" 只取单个值（{}），不能是列表",
                            key.name,
                            scalar.ty.name(locale)
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
        let locale = self.ctx.locale;
        let type_error = |found: &str| {
            if !in_list {
                tr!(
                    locale,
                    "\"{}\" must be {}, not {found}",
                    "\"{}\" 必须是{}，而不是{found}",
                    key.name,
                    scalar.ty.name(locale)
                )
            } else {
                tr!(
                    locale,
                    "each element of \"{}\" must be {}, not {found}",
                    "\"{}\" 的每个元素都必须是{}，而不是{found}",
                    key.name,
                    scalar.ty.name(locale)
                )
            }
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
                type_error(&tr!(locale, "the float {}", "浮点数 {}", n.raw)),
            )),
            (ValueKind::Number(n), ScalarType::Float) if n.is_integer => {
                self.push(
                    Diagnostic::new(
                        Code::WrongType,
                        value.range,
                        if !in_list {
                            tr!(
                                locale,
                                "\"{}\" must be a float: write {}.0 (the toolchain raises TypeError on the integer {})",
                                "\"{}\" 必须是浮点数：请写成 {}.0（整数 {} 会让工具链抛出 TypeError）",
                                key.name, n.raw, n.raw
                            )
                        } else {
                            tr!(
                                locale,
                                "each element of \"{}\" must be a float: write {}.0 (the toolchain raises TypeError on the integer {})",
                                "\"{}\" 的每个元素都必须是浮点数：请写成 {}.0（整数 {} 会让工具链抛出 TypeError）",
                                key.name, n.raw, n.raw
                            )
                        },
                    )
                    .suggest(format!("{}.0", n.raw)),
                )
            }
            (ValueKind::Number(n), ScalarType::Float) => {
                self.check_range(key, scalar, value.range, n.value, &n.raw)
            }
            (ValueKind::Bool(_), ScalarType::Bool) => {}
            (ValueKind::String(s), _) => {
                let quoted = tr!(locale, "the string \"{}\"", "字符串 \"{}\"", s.value);
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
                    d.message
                        .push_str(&tr!(locale, "; remove the quotes", "；请去掉引号"));
                    d = d.suggest(unquoted);
                }
                self.push(d)
            }
            _ => self.push(Diagnostic::new(
                Code::WrongType,
                value.range,
                type_error(&describe(value, locale)),
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
        let locale = self.ctx.locale;
        if value == EC {
            let place = if std::ptr::eq(level, &spec::NODE_ENTRY)
                || std::ptr::eq(level, &spec::OP_ENTRY)
                || std::ptr::eq(level, &spec::SUBGRAPH_ENTRY)
            {
                tr!(
                    locale,
                    "in \"{}\" of {}",
                    "在 {1} 的 \"{0}\" 中",
                    key.name,
                    level.path
                )
            } else {
                tr!(locale, "in {}.{}", "在 {}.{} 中", level.path, key.name)
            };
            self.push(Diagnostic::new(
                Code::EcMisplaced,
                range,
                tr!(
                    locale,
                    "\"ec\" is not valid {place}; it only works in \"input0\"/\"input1\" of a node_config entry ({})",
                    "\"ec\" {place}无效；它只在 node_config 条目的 \"input0\"/\"input1\" 中生效（{}）",
                    spec::ec_table_text()
                ),
            ));
            return;
        }
        let expected = valid.join(", ");
        if key.name == "calibration_type" {
            let message = match value {
                "default" | "mix" | "skip" => Some(tr!(
                    locale,
                    "\"{value}\" is a calibration_type of the hb_compile YAML (calibration_parameters.calibration_type), not of quant_config; expected one of {expected}",
                    "\"{value}\" 是 hb_compile YAML 的 calibration_type（calibration_parameters.calibration_type），不是 quant_config 的；应为以下之一：{expected}"
                )),
                "load" => Some(tr!(
                    locale,
                    "\"load\" is only valid for QAT models, not in quant_config; expected one of {expected}",
                    "\"load\" 只用于 QAT 模型，不能写在 quant_config 中；应为以下之一：{expected}"
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
        let locale = self.ctx.locale;
        let (bound, relation, moves) = match (below, above, locale) {
            (Some(min), _, Locale::En) => (
                min,
                if min.inclusive {
                    "at least"
                } else {
                    "greater than"
                },
                "raises",
            ),
            (Some(min), _, Locale::Zh) => {
                (min, if min.inclusive { "不小于" } else { "大于" }, "提高")
            }
            (None, Some(max), Locale::En) => (
                max,
                if max.inclusive {
                    "at most"
                } else {
                    "less than"
                },
                "lowers",
            ),
            (None, Some(max), Locale::Zh) => {
                (max, if max.inclusive { "不大于" } else { "小于" }, "降低")
            }
            (None, None, _) => return,
        };
        let limit = fmt_num(bound.value);
        let d = match bound.beyond {
            Beyond::ClampTo(to) => Diagnostic::new(
                Code::OutOfRange,
                range,
                tr!(
                    locale,
                    "\"{}\" must be {relation} {limit}; the toolchain {moves} {raw} to {}",
                    "\"{}\" 必须{relation} {limit}；工具链会把 {raw} {moves}到 {}",
                    key.name,
                    fmt_num(to)
                ),
            )
            .suggest(fmt_typed(to, scalar.ty)),
            Beyond::Reject => {
                let d = Diagnostic::new(
                    Code::OutOfRange,
                    range,
                    tr!(
                        locale,
                        "\"{}\" must be {relation} {limit}; the toolchain rejects {raw}",
                        "\"{}\" 必须{relation} {limit}；工具链会拒绝 {raw}",
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
