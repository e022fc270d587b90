//! The command line: check, explain, schema. Exit status: 0 fine, 1 errors found, 2 a file
//! could not be read or paired.

pub mod check;
pub mod explain;
mod render;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::cell::OnceCell;

use crate::analysis::ModelStatus;
use crate::model::{
    self, DialectRequest, Directive, ModelError, ModelIndex, NamingYaml, Pairing, PairingRequest,
    MARCH_DIRECTIVE, TOOLCHAIN_DIRECTIVE,
};
use crate::spec::Dialect;
use crate::syntax::Parse;

/// What the command line says over the file and its surroundings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overrides<'a> {
    /// `--model PATH`
    pub model: Option<&'a Path>,
    /// `--march M`
    pub march: Option<&'a str>,
    /// `--toolchain T`
    pub toolchain: Option<&'a str>,
}

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
    /// The toolchain profile the config is checked with, and why.
    pub dialect: Dialect,
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

/// Pairs a config with its model (SPEC §3) and its toolchain profile, and reads the model.
pub fn pair_model(
    config: &Path,
    text: &str,
    parse: &Parse,
    models: &mut ModelCache,
    overrides: Overrides,
) -> PairedModel {
    let directive = model::find_directive(text, &parse.comments);
    // The YAML that names the config serves both the model and the march: read it once.
    let yaml: OnceCell<Option<NamingYaml>> = OnceCell::new();
    let naming_yaml = || yaml.get_or_init(|| model::naming_yaml(config)).clone();
    let pairing = model::pair_with(
        &PairingRequest {
            config_path: config,
            cli_model: overrides.model,
            directive: directive.as_ref().map(|d| d.path.as_str()),
            setting: None,
            workspace_root: None,
        },
        naming_yaml,
    );
    let named = |prefix| model::find_directive_named(text, &parse.comments, prefix);
    let (march, toolchain) = (named(MARCH_DIRECTIVE), named(TOOLCHAIN_DIRECTIVE));
    let dialect = model::choose_dialect(
        &DialectRequest {
            cli_march: overrides.march,
            cli_toolchain: overrides.toolchain,
            directive_march: march.as_ref().map(|d| d.path.as_str()),
            directive_toolchain: toolchain.as_ref().map(|d| d.path.as_str()),
            ..DialectRequest::default()
        },
        naming_yaml,
    );
    let model = pairing.as_ref().map(|p| models.load(&p.model));
    PairedModel {
        directive,
        pairing,
        model,
        dialect,
    }
}
