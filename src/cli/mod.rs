//! The command line: check, explain, schema. Exit status: 0 fine, 1 errors found, 2 a file
//! could not be read or paired.

pub mod check;
pub mod explain;
mod render;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::ModelStatus;
use crate::model::{
    self, ConfigRequest, DialectRequest, Directive, ModelError, ModelIndex, Paired, PairingRequest,
    DIRECTIVE_PREFIX, MARCH_DIRECTIVE, TOOLCHAIN_DIRECTIVE,
};
use crate::spec::Locale;
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
    /// `--locale L`: the language of the messages.
    pub locale: Locale,
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

/// A config's model and profile ([`Paired`], read with the run's cache), and its
/// `// qcls-model:` directive (where model problems are reported).
pub struct PairedConfig {
    pub directive: Option<Directive>,
    pub paired: Paired,
}

impl PairedConfig {
    pub fn status(&self, locale: Locale) -> ModelStatus<'_> {
        ModelStatus::of(&self.paired, locale)
    }
}

/// Pairs an hb_compile YAML with its own model and profile, and reads the model.
pub fn pair_yaml(
    yaml: &Path,
    parse: &Parse,
    models: &mut ModelCache,
    overrides: Overrides,
) -> Paired {
    let mut paired = model::pair_hb_compile(
        &ConfigRequest {
            model: PairingRequest {
                config_path: yaml,
                cli_model: overrides.model,
                directive: None,
                setting: None,
                workspace_root: None,
            },
            dialect: DialectRequest {
                cli_march: overrides.march,
                cli_toolchain: overrides.toolchain,
                ..DialectRequest::default()
            },
        },
        parse.root.as_ref(),
    );
    paired.model = paired.pairing.as_ref().map(|p| models.load(&p.model));
    paired
}

/// Pairs a config with its model and toolchain profile (the one path the server takes too),
/// and reads the model.
pub fn pair_model(
    config: &Path,
    text: &str,
    parse: &Parse,
    models: &mut ModelCache,
    overrides: Overrides,
) -> PairedConfig {
    let named = |prefix| model::find_directive_named(text, &parse.comments, prefix);
    let directive = named(DIRECTIVE_PREFIX);
    let (march, toolchain) = (named(MARCH_DIRECTIVE), named(TOOLCHAIN_DIRECTIVE));
    let mut paired = model::pair_config(&ConfigRequest {
        model: PairingRequest {
            config_path: config,
            cli_model: overrides.model,
            directive: directive.as_ref().map(|d| d.path.as_str()),
            setting: None,
            workspace_root: None,
        },
        dialect: DialectRequest {
            cli_march: overrides.march,
            cli_toolchain: overrides.toolchain,
            directive_march: march.as_ref().map(|d| d.path.as_str()),
            directive_toolchain: toolchain.as_ref().map(|d| d.path.as_str()),
            ..DialectRequest::default()
        },
    });
    paired.model = paired.pairing.as_ref().map(|p| models.load(&p.model));
    PairedConfig { directive, paired }
}
