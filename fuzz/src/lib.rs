//! The bodies of the fuzz targets (`fuzz_targets/`). The repository's `cargo test` includes
//! these files too (tests/fuzz_regressions.rs), so every input that once failed here is
//! replayed by the ordinary test suite.

pub mod common;
pub mod lsp;
pub mod onnx;
pub mod text;
