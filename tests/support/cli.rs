//! Running the built `qcls` binary as a user does, for the command-line tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `qcls ARGS` in `cwd`, without colours.
pub fn qcls(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qcls"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("qcls runs")
}

/// The `optimized_float_model.onnx` of a model in tests/fixtures/models.
pub fn model(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(name)
        .join("optimized_float_model.onnx")
}
