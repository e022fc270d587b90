//! Rules that tie several `model_config.activation` keys together: parameters of a calibration
//! method that is not used, and `max_num_bin` below what the toolchain raises it to.

use super::values::fmt_num;
use super::Checker;
use crate::analysis::{Code, Diagnostic};
use crate::spec::Locale;
use crate::syntax::{Object, Value, ValueKind};

impl Checker<'_, '_> {
    /// Rules that tie several activation keys together.
    pub(super) fn check_activation(&mut self, obj: &Object) {
        let calibration: Option<Vec<&str>> = obj.get("calibration_type").and_then(|m| {
            let value = m.value.as_ref()?;
            // Only valid methods count; invalid ones are reported on their own.
            Some(
                strings_of(value)
                    .into_iter()
                    .filter(|s| matches!(*s, "kl" | "max"))
                    .collect(),
            )
        });
        if let Some(methods) = &calibration {
            // Only judge when every method could be read.
            if !methods.is_empty() {
                for (key, method) in [
                    ("num_bin", "kl"),
                    ("max_num_bin", "kl"),
                    ("max_percentile", "max"),
                ] {
                    if methods.contains(&method) {
                        continue;
                    }
                    if let Some(member) = obj.get(key) {
                        self.push(Diagnostic::new(
                            Code::NoEffect,
                            member.key.range,
                            tr!(
                                self.ctx.locale,
                                "\"{key}\" has no effect: it only matters for \"{method}\" calibration, and calibration_type is {}",
                                "\"{key}\" 不起作用：它只对 \"{method}\" 校准有意义，而 calibration_type 是 {}",
                                methods.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        // max_num_bin is raised to at least max(258, max(num_bin)) after num_bin is clamped.
        let Some(max_member) = obj.get("max_num_bin") else {
            return;
        };
        let Some(Value {
            kind: ValueKind::Number(max_num_bin),
            range,
        }) = &max_member.value
        else {
            return;
        };
        if !max_num_bin.is_integer {
            return;
        }
        let num_bins: Vec<f64> = match obj.get("num_bin").and_then(|m| m.value.as_ref()) {
            Some(v) => numbers_of(v),
            None => vec![1024.0],
        };
        let largest = num_bins
            .iter()
            .map(|n| n.max(129.0))
            .fold(258.0_f64, f64::max);
        if max_num_bin.value < largest {
            let because = match (largest > 258.0, self.ctx.locale) {
                (true, Locale::En) => "the largest num_bin",
                (false, Locale::En) => "its minimum",
                (true, Locale::Zh) => "最大的 num_bin",
                (false, Locale::Zh) => "它的最小值",
            };
            self.push(
                Diagnostic::new(
                    Code::OutOfRange,
                    *range,
                    tr!(
                        self.ctx.locale,
                        "\"max_num_bin\" must be at least every num_bin and at least 258; the toolchain raises {} to {} ({because})",
                        "\"max_num_bin\" 必须不小于每个 num_bin，且不小于 258；工具链会把 {} 提高到 {}（{because}）",
                        max_num_bin.raw,
                        fmt_num(largest)
                    ),
                )
                .suggest(fmt_num(largest)),
            );
        }
    }
}

/// The string values of a value or of a list of values (non-strings are left out).
fn strings_of(value: &Value) -> Vec<&str> {
    match &value.kind {
        ValueKind::String(s) => vec![s.value.as_str()],
        ValueKind::Array(arr) => arr
            .elements
            .iter()
            .filter_map(|e| match &e.kind {
                ValueKind::String(s) => Some(s.value.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn numbers_of(value: &Value) -> Vec<f64> {
    match &value.kind {
        ValueKind::Number(n) => vec![n.value],
        ValueKind::Array(arr) => arr
            .elements
            .iter()
            .filter_map(|e| match &e.kind {
                ValueKind::Number(n) => Some(n.value),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
