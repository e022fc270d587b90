//! The op types qcls knows: every ONNX operator (the generated table) and the toolchain's
//! own op types, which appear in its float, calibrated and quantized graphs. A known op type
//! is never `unknown-op-type`; absent from the model it is `op-type-absent` like any other.

use super::onnx_ops;

/// Horizon toolchain op types, sorted. Float and calibrated graphs: `HzPreprocess`,
/// `HzCalibration`, `HzQuantize`, `HzSwish`, `Lut`; quantized graphs: the rest.
pub const TOOLCHAIN_OP_TYPES: &[&str] = &[
    "HzCalibration",
    "HzLut",
    "HzLut2Layer",
    "HzPreprocess",
    "HzQuantize",
    "HzQuantizedMaxPool",
    "HzQuantizedReduceMax",
    "HzQuantizedResizeUpsample",
    "HzRequantize",
    "HzSElementwiseAdd",
    "HzSElementwiseMul",
    "HzSElementwiseSub",
    "HzSQuantizedConv",
    "HzSQuantizedConvTranspose",
    "HzSQuantizedGlobalAveragePool",
    "HzSQuantizedMatmul",
    "HzSQuantizedPreprocess",
    "HzSQuantizedReduceMean",
    "HzSQuantizedReduceSum",
    "HzSwish",
    "Lut",
];

/// Every known op type: the ONNX operators, then the toolchain's.
pub fn known_op_types() -> impl Iterator<Item = &'static str> {
    onnx_ops::known_op_types()
        .iter()
        .chain(TOOLCHAIN_OP_TYPES)
        .copied()
}

/// True when `op` is an ONNX or toolchain op type (case-sensitive, as the toolchain matches).
pub fn is_known_op_type(op: &str) -> bool {
    onnx_ops::is_known_op_type(op) || TOOLCHAIN_OP_TYPES.binary_search(&op).is_ok()
}

/// The known op type whose name equals `op` ignoring ASCII case (`softmax` → `Softmax`).
pub fn case_insensitive_op_match(op: &str) -> Option<&'static str> {
    onnx_ops::case_insensitive_op_match(op).or_else(|| {
        TOOLCHAIN_OP_TYPES
            .iter()
            .copied()
            .find(|k| k.eq_ignore_ascii_case(op))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolchain_table_is_sorted_and_unique() {
        assert!(TOOLCHAIN_OP_TYPES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn toolchain_op_types_are_known() {
        for op in ["HzPreprocess", "Lut", "HzSQuantizedConv", "Conv"] {
            assert!(is_known_op_type(op), "{op}");
        }
        assert!(!is_known_op_type("hzpreprocess"));
        assert_eq!(case_insensitive_op_match("hzlut"), Some("HzLut"));
    }
}
