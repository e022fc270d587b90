//! The ONNX graph index and pairing a config with its model.
//!
//! - [`ModelIndex`]: node names, op types, tensors, producers and consumers of one
//!   `optimized_float_model.onnx`, read field by field without reading the weights.
//! - [`pair_config`]: which model a quant_config is checked against (and why) and its
//!   toolchain profile, as the plain [`Paired`] that the command line and the server both build.
//! - [`is_known_op_type`]: every operator of the ONNX standard (generated table) and the
//!   toolchain's own op types.

mod id_map;
mod index;
pub mod onnx;
mod onnx_ops;
mod op_types;
mod paired;
mod pairing;
mod reader;
mod strings;
#[doc(hidden)]
pub mod synth;

pub use id_map::NodeIds;
pub use index::{name_scope, ModelError, ModelIndex, Node, NodeId, PROTOBUF_LIMIT};
pub use onnx_ops::ONNX_VERSION;
pub use op_types::{
    case_insensitive_op_match, is_known_op_type, known_op_types, TOOLCHAIN_OP_TYPES,
};
pub use paired::{pair_config, pair_hb_compile, ConfigRequest, Loaded, Paired};
pub use pairing::{
    choose_dialect, file_refs, find_directive, find_directive_named, hb_compile_yaml, how_to_pair,
    how_to_pair_in, may_name_its_model, missing_files, model_known_before_parse, naming_yaml, pair,
    pair_with, scalar_text, section_value, DialectRequest, Directive, FileRef, MissingFile,
    NamingYaml, Pairing, PairingRequest, PairingSource, DIRECTIVE_PREFIX, MARCH_DIRECTIVE,
    MODEL_FILE_NAME, TOOLCHAIN_DIRECTIVE,
};
pub use strings::Names;
