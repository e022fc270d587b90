//! Which model a quant_config is checked against (docs/spec.md, "Pairing"), and why.
//!
//! Decisions (also in docs/model.md):
//! - A model *named* by the user (`--model`, the directive, the `qcls.model` setting) is returned
//!   even when the file does not exist: the caller then reports `model-not-found` or
//!   `model-unreadable` against that name instead of silently falling through to a guess.
//! - Rules that *search* (sibling, newest prefixed, hb_compile YAML) only return existing files,
//!   except the YAML rule when neither its optimized model nor its `onnx_model` exists: the
//!   expected optimized path is returned, since the YAML proves which model the config is for.
//! - The first `qcls-model:` directive of the file wins.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use crate::spec::{Dialect, DialectSource, Locale};
use crate::syntax::{parse_yaml, Comment, CommentKind, Parse, Value, ValueKind};
use crate::text::TextRange;

/// The file name the toolchain gives the model that quant_config node names refer to.
pub const MODEL_FILE_NAME: &str = "optimized_float_model.onnx";
/// What starts a directive comment (after `//` or `/*` and optional spaces).
pub const DIRECTIVE_PREFIX: &str = "qcls-model:";
/// The directive naming the chip: `// qcls-march: bayes-e`.
pub const MARCH_DIRECTIVE: &str = "qcls-march:";
/// The directive naming the toolchain release: `// qcls-toolchain: hmct-2.8`.
pub const TOOLCHAIN_DIRECTIVE: &str = "qcls-toolchain:";

/// How many folders above the config's folder are searched for an hb_compile YAML.
const YAML_LEVELS_ABOVE: usize = 3;
/// YAML files larger than this are not hb_compile configs; skip them unread.
const YAML_MAX_BYTES: u64 = 1024 * 1024;
/// Bounds the work in a folder full of YAML files (a dataset, say).
const YAML_MAX_PER_FOLDER: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PairingSource {
    /// `qcls check --model PATH`.
    CommandLine,
    /// A `// qcls-model: <path>` comment in the config.
    Directive,
    /// The client setting `qcls.model`.
    Setting,
    /// `optimized_float_model.onnx` beside the config.
    Sibling,
    /// The newest `*_optimized_float_model.onnx` beside the config.
    NewestPrefixed,
    /// The optimized model an hb_compile YAML that names this config will write.
    HbCompileYaml { yaml: PathBuf },
    /// That YAML's `model_parameters.onnx_model`, because the optimized model does not exist yet.
    HbCompileYamlOnnxModel { yaml: PathBuf },
}

/// The model paired with a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pairing {
    pub model: PathBuf,
    pub source: PairingSource,
}

impl Pairing {
    /// A sentence fragment saying why this model was chosen, e.g. for a code lens or `qcls check`.
    pub fn reason(&self) -> String {
        match &self.source {
            PairingSource::CommandLine => "given with --model on the command line".to_string(),
            PairingSource::Directive => "named by the `// qcls-model:` directive".to_string(),
            PairingSource::Setting => "named by the `qcls.model` setting".to_string(),
            PairingSource::Sibling => format!("sibling {MODEL_FILE_NAME}"),
            PairingSource::NewestPrefixed => {
                format!("the newest *_{MODEL_FILE_NAME} in the config's folder")
            }
            PairingSource::HbCompileYaml { yaml } => format!(
                "from hb_compile YAML {} (working_dir + output_model_file_prefix)",
                yaml.display()
            ),
            PairingSource::HbCompileYamlOnnxModel { yaml } => format!(
                "from {}'s model_parameters.onnx_model: the exported float model, not the \
                 optimized one; node names may differ",
                yaml.display()
            ),
        }
    }
}

/// What is known about a config when pairing it.
#[derive(Clone, Copy, Debug)]
pub struct PairingRequest<'a> {
    pub config_path: &'a Path,
    pub cli_model: Option<&'a Path>,
    /// The path text of the config's `qcls-model:` directive (see [`find_directive`]).
    pub directive: Option<&'a str>,
    /// The `qcls.model` setting, as the client sent it.
    pub setting: Option<&'a Path>,
    pub workspace_root: Option<&'a Path>,
}

/// A `// qcls-model: <path>` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The path as written (trimmed).
    pub path: String,
    /// The path text inside the comment: where `model-not-found`/`model-unreadable` go.
    pub range: TextRange,
    /// The whole comment.
    pub comment_range: TextRange,
}

/// Can this config's text decide which model it is paired with? Only a `qcls-model:` directive
/// can, so a text without those words cannot: its model can then be read before (or while) the
/// text is parsed. A test of the raw text, so it may say yes where a parse would find no
/// directive (the words inside a string), never no where there is one.
pub fn may_name_its_model(text: &str) -> bool {
    text.contains(DIRECTIVE_PREFIX.trim_end_matches(':'))
}

/// Is this JSON text a quant_config whose model can be read while it is parsed? It looks like
/// one (a `node_config` or `model_config` key somewhere) and [`may_name_its_model`] says no, so
/// its pairing depends on its path and settings alone. The server and `qcls check` both read
/// a big config's model so, on a second thread.
pub fn model_known_before_parse(text: &str) -> bool {
    let looks_like_a_config = text.contains("node_config") || text.contains("model_config");
    looks_like_a_config && !may_name_its_model(text)
}

/// The first `qcls-model:` directive among `comments` (line or block comments; `#` comments are
/// a syntax error for the toolchain, so they do not count).
pub fn find_directive(text: &str, comments: &[Comment]) -> Option<Directive> {
    find_directive_named(text, comments, DIRECTIVE_PREFIX)
}

/// The first directive that starts with `prefix` (e.g. [`MARCH_DIRECTIVE`]); its `path` is the
/// text after the prefix.
pub fn find_directive_named(text: &str, comments: &[Comment], prefix: &str) -> Option<Directive> {
    comments
        .iter()
        .find_map(|c| parse_directive(text, c, prefix))
}

fn parse_directive(text: &str, comment: &Comment, prefix: &str) -> Option<Directive> {
    let raw = text.get(comment.range.start..comment.range.end)?;
    let (body, body_start) = match comment.kind {
        CommentKind::Line => (raw.strip_prefix("//")?, 2),
        CommentKind::Block => {
            let inner = raw.strip_prefix("/*")?;
            (inner.strip_suffix("*/").unwrap_or(inner), 2)
        }
        CommentKind::Hash => return None,
    };
    let lead = body.len() - body.trim_start().len();
    let rest = body[lead..].strip_prefix(prefix)?;
    let after_prefix = body_start + lead + prefix.len();
    // A block comment may run on; the path ends at the line's end.
    let line = rest.split(['\n', '\r']).next().unwrap_or("");
    let path = line.trim();
    if path.is_empty() {
        return None;
    }
    let start = comment.range.start + after_prefix + (line.len() - line.trim_start().len());
    Some(Directive {
        path: path.to_string(),
        range: TextRange::new(start, start + path.len()),
        comment_range: comment.range,
    })
}

/// Advice shown when no model could be paired.
pub fn how_to_pair() -> &'static str {
    how_to_pair_in(Locale::En)
}

/// [`how_to_pair`] in the user's language.
pub fn how_to_pair_in(locale: Locale) -> &'static str {
    match locale {
        Locale::En => {
            "put optimized_float_model.onnx next to the config, add a `// qcls-model: <path>` \
             comment, set `qcls.model` in the editor settings, or pass --model PATH to qcls check"
        }
        Locale::Zh => {
            "把 optimized_float_model.onnx 放在配置文件旁边，添加 `// qcls-model: <路径>` 注释，\
             在编辑器设置中设置 `qcls.model`，或给 qcls check 传入 --model PATH"
        }
    }
}

/// Pairs a config with its model following the pairing rules; `None` when nothing pairs.
///
/// Named models (command line, directive, setting) are returned whether or not they exist, so
/// the caller can report the name the user gave.
pub fn pair(req: &PairingRequest) -> Option<Pairing> {
    pair_with(req, || naming_yaml(req.config_path))
}

/// [`pair`], with the hb_compile YAML that names the config found by the caller (only asked
/// for when no earlier rule pairs).
pub fn pair_with(
    req: &PairingRequest,
    yaml: impl FnOnce() -> Option<NamingYaml>,
) -> Option<Pairing> {
    let config_dir = parent_dir(req.config_path);
    if let Some(model) = req.cli_model {
        return Some(Pairing {
            model: model.to_path_buf(),
            source: PairingSource::CommandLine,
        });
    }
    if let Some(path) = req.directive.map(str::trim).filter(|p| !p.is_empty()) {
        return Some(Pairing {
            model: join_clean(&config_dir, Path::new(path)),
            source: PairingSource::Directive,
        });
    }
    if let Some(setting) = req.setting.filter(|p| !p.as_os_str().is_empty()) {
        let base = req
            .workspace_root
            .map(Path::to_path_buf)
            .unwrap_or_else(|| config_dir.clone());
        return Some(Pairing {
            model: join_clean(&base, setting),
            source: PairingSource::Setting,
        });
    }
    let sibling = config_dir.join(MODEL_FILE_NAME);
    if sibling.is_file() {
        return Some(Pairing {
            model: sibling,
            source: PairingSource::Sibling,
        });
    }
    if let Some(model) = newest_prefixed(&config_dir) {
        return Some(Pairing {
            model,
            source: PairingSource::NewestPrefixed,
        });
    }
    yaml().map(|y| y.model)
}

/// What qcls takes from the hb_compile YAML whose `calibration_parameters.quant_config` names
/// a config.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamingYaml {
    pub path: PathBuf,
    /// `model_parameters.march`.
    pub march: Option<String>,
    /// The model it will build (or its `onnx_model` while the build has not run).
    pub model: Pairing,
}

/// The march and toolchain sources of one config, highest priority first within each.
#[derive(Clone, Copy, Debug, Default)]
pub struct DialectRequest<'a> {
    pub cli_march: Option<&'a str>,
    pub cli_toolchain: Option<&'a str>,
    pub directive_march: Option<&'a str>,
    pub directive_toolchain: Option<&'a str>,
    pub setting_march: Option<&'a str>,
    pub setting_toolchain: Option<&'a str>,
}

/// The dialect of a config: march from `--march`, the `// qcls-march:` comment, the
/// `qcls.march` setting, then the naming hb_compile YAML's `model_parameters.march` (asked for
/// only when needed); toolchain from `--toolchain`, the comment, then the setting.
pub fn choose_dialect(req: &DialectRequest, yaml: impl FnOnce() -> Option<NamingYaml>) -> Dialect {
    let given = |value: Option<&str>, source: DialectSource| {
        value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| (v.to_string(), source))
    };
    let march = given(req.cli_march, DialectSource::CommandLine)
        .or_else(|| given(req.directive_march, DialectSource::Directive))
        .or_else(|| given(req.setting_march, DialectSource::Setting))
        .or_else(|| {
            let yaml = yaml()?;
            let march = yaml.march?;
            Some((march, DialectSource::Yaml(yaml.path.display().to_string())))
        });
    let toolchain = given(req.cli_toolchain, DialectSource::CommandLine)
        .or_else(|| given(req.directive_toolchain, DialectSource::Directive))
        .or_else(|| given(req.setting_toolchain, DialectSource::Setting));
    Dialect::choose(march, toolchain)
}

/// The hb_compile YAML in the config's folder or up to three folders above whose
/// `calibration_parameters.quant_config` names the config.
pub fn naming_yaml(config: &Path) -> Option<NamingYaml> {
    let config_dir = parent_dir(config);
    let config_canon = canonical(config)?;
    let start = canonical(&config_dir)?;
    for dir in start.ancestors().take(YAML_LEVELS_ABOVE + 1) {
        for yaml in yaml_files(dir) {
            if let Some(found) = read_naming_yaml(&yaml, dir, &config_canon) {
                return Some(found);
            }
        }
    }
    None
}

/// The config's folder; `""` (a bare file name) means the current directory.
fn parent_dir(config: &Path) -> PathBuf {
    match config.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `base.join(rel)` without `.` components, so messages show `dir/x.onnx` rather than `dir/./x.onnx`.
fn join_clean(base: &Path, rel: &Path) -> PathBuf {
    let joined = base.join(rel);
    let mut out = PathBuf::new();
    for c in joined.components() {
        if c != Component::CurDir {
            out.push(c.as_os_str());
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

fn newest_prefixed(dir: &Path) -> Option<PathBuf> {
    let suffix = format!("_{MODEL_FILE_NAME}");
    let mut best: Option<(SystemTime, PathBuf)> = None;
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.ends_with(&suffix) || name.len() == suffix.len() {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        // Newest wins; on equal times the greatest name, so the choice does not depend on the
        // order read_dir happens to return.
        let better = match &best {
            None => true,
            Some((t, p)) => (mtime, &path) > (*t, p),
        };
        if better {
            best = Some((mtime, path));
        }
    }
    best.map(|(_, p)| p)
}

/// A path made absolute and free of symlinks; `None` when it does not exist.
fn canonical(p: &Path) -> Option<PathBuf> {
    fs::canonicalize(p).ok()
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml") | Some("yml")
            )
        })
        .collect();
    // Sorted for a deterministic choice when several YAMLs name the config.
    files.sort();
    files.truncate(YAML_MAX_PER_FOLDER);
    files
}

fn read_naming_yaml(yaml: &Path, yaml_dir: &Path, config_canon: &Path) -> Option<NamingYaml> {
    let meta = fs::metadata(yaml).ok()?;
    if !meta.is_file() || meta.len() > YAML_MAX_BYTES {
        return None;
    }
    let text = fs::read_to_string(yaml).ok()?;
    let parse = parse_yaml(&text);
    let root = parse.root.as_ref()?;
    let quant_config =
        section_value(root, "calibration_parameters", "quant_config").and_then(scalar_text)?;
    if quant_config.trim().is_empty() {
        return None;
    }
    let named = canonical(&yaml_dir.join(quant_config.trim()))?;
    if named != config_canon {
        return None;
    }
    Some(hb_compile_yaml(yaml, root))
}

/// What an hb_compile YAML (already read) says about its model and chip: its
/// `{working_dir}/{output_model_file_prefix}_optimized_float_model.onnx` (relative to the YAML's
/// folder; defaults `./model_output` and `model`), or, when that does not exist yet, its
/// `onnx_model` when that exists; and its `march`.
pub fn hb_compile_yaml(yaml: &Path, root: &Value) -> NamingYaml {
    let yaml_dir = parent_dir(yaml);
    let get = |key: &str| {
        section_value(root, "model_parameters", key)
            .and_then(scalar_text)
            .filter(|s| !s.trim().is_empty())
    };
    let working_dir = get("working_dir").unwrap_or_else(|| "./model_output".to_string());
    let prefix = get("output_model_file_prefix").unwrap_or_else(|| "model".to_string());
    let optimized = join_clean(
        &join_clean(&yaml_dir, Path::new(working_dir.trim())),
        Path::new(&format!("{}_{MODEL_FILE_NAME}", prefix.trim())),
    );
    let yaml_path = yaml.to_path_buf();
    let mut model = Pairing {
        model: optimized,
        source: PairingSource::HbCompileYaml {
            yaml: yaml_path.clone(),
        },
    };
    if !model.model.is_file() {
        if let Some(onnx) = get("onnx_model") {
            let onnx = join_clean(&yaml_dir, Path::new(onnx.trim()));
            if onnx.is_file() {
                model = Pairing {
                    model: onnx,
                    source: PairingSource::HbCompileYamlOnnxModel {
                        yaml: yaml_path.clone(),
                    },
                };
            }
        }
    }
    NamingYaml {
        path: yaml_path,
        march: get("march").map(|m| m.trim().to_string()),
        model,
    }
}

/// A file an hb_compile YAML names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    /// `section.key`, e.g. `calibration_parameters.quant_config`.
    pub key: &'static str,
    /// As written (relative paths are relative to the YAML's folder).
    pub path: String,
    /// The value's range.
    pub range: TextRange,
    /// The conversion cannot start without it (an error when missing); `cal_data_dir` is often
    /// written before the data exists (a warning).
    pub required: bool,
}

/// The files the YAML names: `model_parameters.onnx_model`, `calibration_parameters.cal_data_dir`
/// and `calibration_parameters.quant_config` when it is a path. Empty values are left out.
pub fn file_refs(parse: &Parse) -> Vec<FileRef> {
    let Some(root) = parse.root.as_ref() else {
        return Vec::new();
    };
    [
        (
            "model_parameters",
            "onnx_model",
            "model_parameters.onnx_model",
            true,
        ),
        (
            "calibration_parameters",
            "cal_data_dir",
            "calibration_parameters.cal_data_dir",
            false,
        ),
        (
            "calibration_parameters",
            "quant_config",
            "calibration_parameters.quant_config",
            true,
        ),
    ]
    .into_iter()
    .filter_map(|(section, name, key, required)| {
        let value = section_value(root, section, name)?;
        let path = value.as_str()?.trim();
        (!path.is_empty()).then(|| FileRef {
            key,
            path: path.to_string(),
            range: value.range,
            required,
        })
    })
    .collect()
}

/// A file of [`file_refs`] that does not exist, and where it was looked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingFile {
    pub file: FileRef,
    pub looked_at: String,
}

/// The files an hb_compile YAML names that do not exist (relative to its folder).
pub fn missing_files(yaml: &Path, parse: &Parse) -> Vec<MissingFile> {
    let dir = parent_dir(yaml);
    file_refs(parse)
        .into_iter()
        .filter_map(|file| {
            let at = join_clean(&dir, Path::new(&file.path));
            (!at.exists()).then(|| MissingFile {
                looked_at: at.display().to_string(),
                file,
            })
        })
        .collect()
}

/// `root[section][key]` of a YAML document.
pub fn section_value<'v>(root: &'v Value, section: &str, key: &str) -> Option<&'v Value> {
    root.as_object()?
        .get_value(section)?
        .as_object()?
        .get_value(key)
}

/// A scalar as the text the user wrote: `working_dir: 2024` is the folder "2024".
pub fn scalar_text(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::String(s) => Some(s.value.to_string()),
        ValueKind::Number(n) => Some(n.raw.clone()),
        ValueKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(text: &str, needle: &str, kind: CommentKind) -> Comment {
        let start = text.find(needle).expect("needle in text");
        Comment {
            range: TextRange::new(start, start + needle.len()),
            kind,
        }
    }

    #[test]
    fn line_directive() {
        let text = "{\n  // qcls-model:  ../out/m.onnx  \n}";
        let c = comment(text, "// qcls-model:  ../out/m.onnx  ", CommentKind::Line);
        let d = find_directive(text, &[c]).expect("directive");
        assert_eq!(d.path, "../out/m.onnx");
        assert_eq!(&text[d.range.start..d.range.end], "../out/m.onnx");
    }

    #[test]
    fn block_directive() {
        let text = "/* qcls-model: a b.onnx */ {}";
        let c = comment(text, "/* qcls-model: a b.onnx */", CommentKind::Block);
        let d = find_directive(text, &[c]).expect("directive");
        assert_eq!(d.path, "a b.onnx");
        assert_eq!(&text[d.range.start..d.range.end], "a b.onnx");
    }

    #[test]
    fn not_directives() {
        let text = "// qcls-model:\n// model: x\n# qcls-model: y\n";
        let cs = [
            comment(text, "// qcls-model:", CommentKind::Line),
            comment(text, "// model: x", CommentKind::Line),
            comment(text, "# qcls-model: y", CommentKind::Hash),
        ];
        assert_eq!(find_directive(text, &cs), None);
    }

    #[test]
    fn first_directive_wins() {
        let text = "// qcls-model: a.onnx\n// qcls-model: b.onnx\n";
        let cs = [
            comment(text, "// qcls-model: a.onnx", CommentKind::Line),
            comment(text, "// qcls-model: b.onnx", CommentKind::Line),
        ];
        assert_eq!(
            find_directive(text, &cs).map(|d| d.path),
            Some("a.onnx".into())
        );
    }

    #[test]
    fn out_of_bounds_comment_is_ignored() {
        let c = Comment {
            range: TextRange::new(5, 50),
            kind: CommentKind::Line,
        };
        assert_eq!(find_directive("// x", &[c]), None);
    }

    #[test]
    fn join_clean_drops_dots() {
        assert_eq!(
            join_clean(Path::new("a"), Path::new("./model_output")),
            PathBuf::from("a/model_output")
        );
    }
}
