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
use crate::syntax::{self, Parse};

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
    let mut paired = pair_without_reading(
        config,
        overrides,
        directive.as_ref(),
        march.as_ref(),
        toolchain.as_ref(),
    );
    paired.model = paired.pairing.as_ref().map(|p| models.load(&p.model));
    PairedConfig { directive, paired }
}

/// Parses a JSON config; a big one whose text cannot name its model has that model read on a
/// second thread meanwhile (into `models`, where [`pair_model`] finds it): the two take about
/// as long (30 and 50 ms for 100,000 entries and nodes).
pub fn parse_reading_model(
    config: &Path,
    text: &str,
    models: &mut ModelCache,
    overrides: Overrides,
) -> Parse {
    const WORTH_A_THREAD: usize = 256 << 10;
    if text.len() < WORTH_A_THREAD || !model::model_known_before_parse(text) {
        return syntax::parse_on_two_cores(text);
    }
    let pairing = pair_without_reading(config, overrides, None, None, None).pairing;
    let Some(path) = pairing
        .map(|p| p.model)
        .filter(|path| !models.loaded.contains_key(path))
    else {
        return syntax::parse_on_two_cores(text);
    };
    // The model's read takes the second core.
    let (parse, loaded) = crate::parallel::join(
        true,
        || syntax::parse(text),
        || ModelIndex::load(&path).map(Arc::new),
    );
    models.loaded.insert(path, loaded);
    parse
}

/// The pairing of a config from its path, the command line and its directives, before any
/// model is read.
fn pair_without_reading(
    config: &Path,
    overrides: Overrides,
    directive: Option<&Directive>,
    march: Option<&Directive>,
    toolchain: Option<&Directive>,
) -> Paired {
    model::pair_config(&ConfigRequest {
        model: PairingRequest {
            config_path: config,
            cli_model: overrides.model,
            directive: directive.map(|d| d.path.as_str()),
            setting: None,
            workspace_root: None,
        },
        dialect: DialectRequest {
            cli_march: overrides.march,
            cli_toolchain: overrides.toolchain,
            directive_march: march.map(|d| d.path.as_str()),
            directive_toolchain: toolchain.map(|d| d.path.as_str()),
            ..DialectRequest::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config of `entries` node entries (about 40 bytes each), with `head` before them.
    fn big_config(head: &str, entries: usize) -> String {
        let body: Vec<String> = (0..entries)
            .map(|i| format!(r#""/backbone/block{i}/Conv": {{"qtype": "int16"}}"#))
            .collect();
        format!("{head}{{\"node_config\": {{\n{}\n}}}}\n", body.join(",\n"))
    }

    #[test]
    fn a_big_config_has_its_model_read_while_it_is_parsed() {
        let dir = tempfile::tempdir().unwrap();
        crate::model::synth::write_synthetic_model(&dir.path().join(model::MODEL_FILE_NAME), 10, 0)
            .unwrap();
        let config = dir.path().join("quant_config.json");
        let overrides = Overrides::default();

        // The parse is the plain one; the answer is how many models are read by then.
        let models_after = |text: &str, models: &mut ModelCache| {
            let parse = parse_reading_model(&config, text, models, overrides);
            assert_eq!(parse, syntax::parse(text));
            models.loaded.len()
        };

        // Small: parsed alone; the model is read later, by the pairing.
        let mut models = ModelCache::default();
        assert_eq!(models_after(&big_config("", 10), &mut models), 0);

        // Big and naming no model: the model is read beside the parse.
        let big = big_config("", 8_000);
        assert!(big.len() > 256 << 10);
        assert_eq!(models_after(&big, &mut models), 1);
        let loaded = models.loaded.values().next().unwrap();
        assert_eq!(loaded.as_ref().map(|m| m.node_count()).ok(), Some(10));

        // A directive may name another model: only the text is parsed.
        let named = big_config("// qcls-model: other.onnx\n", 8_000);
        assert_eq!(models_after(&named, &mut ModelCache::default()), 0);
    }
}
