//! The command line: check, explain, schema. Exit status: 0 fine, 1 errors found, 2 a file
//! could not be read or paired.

pub mod check;
pub mod explain;
mod render;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::ModelStatus;
use crate::model::{self, Directive, ModelError, ModelIndex, Pairing, PairingRequest};
use crate::syntax::Parse;

/// Models read during one run, by path, so a folder of configs reads its model once.
#[derive(Default)]
pub struct ModelCache {
    loaded: HashMap<PathBuf, Result<Arc<ModelIndex>, ModelError>>,
}

impl ModelCache {
    pub fn load(&mut self, path: &Path) -> Result<Arc<ModelIndex>, ModelError> {
        self.loaded
            .entry(path.to_path_buf())
            .or_insert_with(|| ModelIndex::load(path).map(Arc::new))
            .clone()
    }
}

/// A config's model: which file, why, and whether it could be read.
pub struct PairedModel {
    pub directive: Option<Directive>,
    pub pairing: Option<Pairing>,
    pub model: Option<Result<Arc<ModelIndex>, ModelError>>,
}

impl PairedModel {
    pub fn status(&self) -> ModelStatus<'_> {
        let loaded = self.model.as_ref().map(|result| match result {
            Ok(index) => Ok(&**index),
            Err(e) => Err(format!("the paired model cannot be read: {e}")),
        });
        ModelStatus::of(self.pairing.as_ref(), loaded)
    }
}

/// Pairs a config with its model (SPEC §3) and reads the model.
pub fn pair_model(
    config: &Path,
    text: &str,
    parse: &Parse,
    models: &mut ModelCache,
    cli_model: Option<&Path>,
) -> PairedModel {
    let directive = model::find_directive(text, &parse.comments);
    let pairing = model::pair(&PairingRequest {
        config_path: config,
        cli_model,
        directive: directive.as_ref().map(|d| d.path.as_str()),
        setting: None,
        workspace_root: None,
    });
    let model = pairing.as_ref().map(|p| models.load(&p.model));
    PairedModel {
        directive,
        pairing,
        model,
    }
}
