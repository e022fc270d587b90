//! The hb_compile YAML's own keys as rules-as-data: the file given to `hb_compile --config`
//! (OE 3.x, horizon_tc_ui) and to `hb_mapper makertbin --config` (OE 1.x, RDK X5 / Ultra / X3).
//!
//! Sources, restated in our own words:
//! - the OE 3.x schema exported from horizon_tc_ui (`yaml_schema.json`: key names and JSON
//!   types only, no values, ranges or defaults);
//! - the X5 PTQ schema (`ptq-config.schema.json`: a few enums and ranges);
//! - where both schemas are silent (valid values, ranges, defaults), the horizon_tc_ui
//!   parameter reference (OE 3.x) and the RDK X5 user manual's hb_mapper tables (OE 1.x).
//!
//! This module holds the lists the YAML checker applies across keys and the values some keys
//! take; the keys themselves, one `Level` per section in file order with their documentation,
//! are in `keys.rs` (re-exported here).
//!
//! The table is the **union** of both toolchains: a value either one documents is valid.
//! Where they differ the doc text says so; `OE3_IGNORED_KEYS` and `OE3_DEPRECATED_VALUES`
//! hold what OE 3.x accepts but ignores or has deprecated.
//!
//! Conventions the YAML checker relies on:
//! - **Several JSON types.** A key whose value can legitimately be of several JSON types (the
//!   OE 3.x schema's `boolean|string|integer` switches, `string|object` keys, and the
//!   preprocessing numbers real YAMLs write bare) is listed in `MULTI_TYPE_KEYS`: the checker
//!   does not check its type. Its `KeySpec` still gives the documented form (a Bool for
//!   switches, an Int for `input_batch`, …), or `ValueSpec::AnyObject` when one of the forms is
//!   an object, so that hover and completion have something to say.
//! - **Null.** Keys whose schema admits `null` (meaning "not set") are in `NULLABLE_KEYS`.
//! - **Numbers.** `ScalarType::Float` here means any YAML number: the schemas say `number`, so
//!   `advice: 0` or `max_percentile: 1` are fine (unlike quant_config, whose loader rejects an
//!   integer where it wants a float).
//! - **One value per input.** The keys in `SEMICOLON_SEPARATED` hold `;`-separated items (one
//!   per model input, or one per node / file); `values`, `tolerated` and ranges apply to each
//!   item, and empty items (a trailing `;`, which real YAMLs write) are ignored.
//! - **`optimization`** is `,`- or `;`-separated items: the fixed ones in `OPTIMIZATION_FIXED`
//!   and `set_<OpType>_input_<dtype>` / `set_<OpType>_output_<dtype>` with a dtype from
//!   `OPTIMIZATION_DTYPES`.
//! - **`node_info`** is `AnyObject` here (its keys are node names, checked elsewhere); each
//!   entry follows `NODE_INFO_ENTRY`.

use super::{Level, ValueSpec};

mod keys;
pub use keys::{
    HB_CALIBRATION_PARAMETERS, HB_COMPILER_PARAMETERS, HB_CUSTOM_OP, HB_INPUT_PARAMETERS,
    HB_MODEL_PARAMETERS, HB_TOP, NODE_INFO_ENTRY,
};

/// Every `march` either toolchain accepts: OE 3.x (J6 / RDK S) first, then OE 1.x.
pub const MARCHES: &[&str] = &[
    "nash-e",
    "nash-m",
    "nash-p",
    "nash-h",
    "nash-b",
    "nash-b-lite",
    "nash-b-plus",
    "nash-starry-p",
    "bayes-e",
    "bayes",
    "bernoulli2",
];

/// Values of each input in `compiler_parameters.input_source`.
pub const INPUT_SOURCES: &[&str] = &["ddr", "pyramid", "resizer"];

/// Op types `model_parameters.remove_node_type` can remove (`;`-separated there).
pub const REMOVE_NODE_TYPES: &[&str] = &[
    "Quantize",
    "Transpose",
    "Dequantize",
    "Cast",
    "Reshape",
    "Softmax",
    "DequantizeFilter",
];

/// Items of `calibration_parameters.optimization` that are written as they are.
/// `lstm_batch_last` is an OE 1.x (RDK X5) item.
pub const OPTIMIZATION_FIXED: &[&str] = &[
    "set_all_nodes_int16",
    "set_model_output_int8",
    "set_model_output_int16",
    "asymmetric",
    "bias_correction",
    "run_fast",
    "lstm_batch_last",
];

/// The dtypes after `set_<OpType>_input_` / `set_<OpType>_output_` in `optimization`.
pub const OPTIMIZATION_DTYPES: &[&str] = &["int8", "int16"];

/// (section, key) whose value may be of several JSON types: the checker skips its type check.
pub const MULTI_TYPE_KEYS: &[(&str, &str)] = &[
    ("model_parameters", "layer_out_dump"),
    ("model_parameters", "node_info"),
    ("input_parameters", "input_batch"),
    ("input_parameters", "separate_batch"),
    ("input_parameters", "mean_value"),
    ("input_parameters", "scale_value"),
    ("input_parameters", "std_value"),
    ("calibration_parameters", "preprocess_on"),
    ("calibration_parameters", "per_channel"),
    ("calibration_parameters", "quant_config"),
    ("compiler_parameters", "debug"),
    ("compiler_parameters", "hbdk3_compatible_mode"),
    ("compiler_parameters", "input_source"),
    ("compiler_parameters", "max_l2m_size"),
];

/// (section, key) whose schema admits `null`, meaning "not set".
pub const NULLABLE_KEYS: &[(&str, &str)] = &[
    ("calibration_parameters", "max_percentile"),
    ("calibration_parameters", "quant_config"),
    ("compiler_parameters", "max_l2m_size"),
];

/// (section, key) whose string holds `;`-separated items.
pub const SEMICOLON_SEPARATED: &[(&str, &str)] = &[
    ("model_parameters", "output_nodes"),
    ("model_parameters", "remove_node_type"),
    ("model_parameters", "remove_node_name"),
    ("input_parameters", "input_name"),
    ("input_parameters", "input_type_rt"),
    ("input_parameters", "input_space_and_range"),
    ("input_parameters", "input_type_train"),
    ("input_parameters", "input_layout_rt"),
    ("input_parameters", "input_layout_train"),
    ("input_parameters", "norm_type"),
    ("input_parameters", "input_shape"),
    ("input_parameters", "separate_name"),
    ("input_parameters", "mean_value"),
    ("input_parameters", "scale_value"),
    ("input_parameters", "std_value"),
    ("calibration_parameters", "cal_data_dir"),
    ("calibration_parameters", "cal_data_type"),
    ("calibration_parameters", "run_on_cpu"),
    ("calibration_parameters", "run_on_bpu"),
    ("custom_op", "op_register_files"),
];

/// (section, key) that OE 3.x accepts but ignores (deprecated there).
pub const OE3_IGNORED_KEYS: &[(&str, &str)] = &[
    ("model_parameters", "log_level"),
    ("model_parameters", "set_node_data_type"),
    ("input_parameters", "input_layout_rt"),
    ("input_parameters", "norm_type"),
    ("calibration_parameters", "preprocess_on"),
    ("calibration_parameters", "cal_data_type"),
    ("compiler_parameters", "hbdk3_compatible_mode"),
];

/// (section, key, value): values OE 1.x documents that OE 3.x has deprecated.
pub const OE3_DEPRECATED_VALUES: &[(&str, &str, &str)] =
    &[("calibration_parameters", "calibration_type", "mix")];

/// The level of a section of the YAML (`model_parameters`, …), if `name` is one.
pub fn hb_section(name: &str) -> Option<&'static Level> {
    match &HB_TOP.key(name)?.value {
        ValueSpec::Object(level) => Some(*level),
        _ => None,
    }
}

/// Every level of the hb_compile YAML, for tests and the schema.
pub fn hb_levels() -> [&'static Level; 7] {
    [
        &HB_TOP,
        &HB_MODEL_PARAMETERS,
        &HB_INPUT_PARAMETERS,
        &HB_CALIBRATION_PARAMETERS,
        &HB_COMPILER_PARAMETERS,
        &HB_CUSTOM_OP,
        &NODE_INFO_ENTRY,
    ]
}

#[cfg(test)]
mod tests;
