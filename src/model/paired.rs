//! The one pairing-and-loading result that the command line and the server both build and the
//! analysis reads: which model (and why), what reading it gave, and the toolchain profile.
//! Plain data: the analysis never touches the disk.

use std::sync::Arc;

use super::pairing::{
    choose_dialect, hb_compile_yaml, naming_yaml, pair_with, DialectRequest, PairingRequest,
};
use super::{ModelError, ModelIndex, Pairing, PairingSource};
use crate::spec::Dialect;
use crate::syntax::Value;

/// What reading a model gave.
pub type Loaded = Result<Arc<ModelIndex>, ModelError>;

/// What a config is checked against.
#[derive(Clone, Debug, Default)]
pub struct Paired {
    /// The model file and why it was chosen; `None` when nothing pairs.
    pub pairing: Option<Pairing>,
    /// What reading it gave; `None` when nothing is paired, or not read yet.
    pub model: Option<Loaded>,
    /// The toolchain profile, and why.
    pub dialect: Dialect,
}

impl Paired {
    /// The model, when it was read.
    pub fn index(&self) -> Option<&Arc<ModelIndex>> {
        self.model.as_ref().and_then(|m| m.as_ref().ok())
    }
}

/// Everything pairing takes about one config: where its model comes from and where its march
/// and toolchain come from.
#[derive(Clone, Copy, Debug)]
pub struct ConfigRequest<'a> {
    pub model: PairingRequest<'a>,
    pub dialect: DialectRequest<'a>,
}

/// Pairs a config with its model and its toolchain profile (the model is not read: callers
/// cache models their own way). The hb_compile YAML that names the config, which may give
/// both the model and the march, is looked for once, and only when needed.
pub fn pair_config(req: &ConfigRequest) -> Paired {
    let yaml = std::cell::OnceCell::new();
    let naming = || {
        yaml.get_or_init(|| naming_yaml(req.model.config_path))
            .clone()
    };
    let pairing = pair_with(&req.model, naming);
    let dialect = choose_dialect(&req.dialect, naming);
    Paired {
        pairing,
        model: None,
        dialect,
    }
}

/// Pairs an hb_compile YAML with its own model (`--model` first) and profile: the model it
/// builds, or its `onnx_model` before the first build, and its `march` (below `--march`, a
/// setting). `root` is the YAML's tree when it could be read.
pub fn pair_hb_compile(req: &ConfigRequest, root: Option<&Value>) -> Paired {
    let own = root.map(|root| hb_compile_yaml(req.model.config_path, root));
    let pairing = match req.model.cli_model {
        Some(model) => Some(Pairing {
            model: model.to_path_buf(),
            source: PairingSource::CommandLine,
        }),
        None => own.as_ref().map(|y| y.model.clone()),
    };
    let dialect = choose_dialect(&req.dialect, || own);
    Paired {
        pairing,
        model: None,
        dialect,
    }
}
