//! `qcls check`: diagnostics for files and directories, for people and for CI.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;

use super::{render, ModelCache, Overrides};
use crate::analysis::{self, CheckContext, Diagnostic, DocumentKind, Severity};
use crate::spec::Dialect;
use crate::syntax;
use crate::text::{IndexedText, PositionEncoding};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// One checked file.
pub struct CheckedFile {
    /// The path as the user gave it (or as found under a directory they gave).
    pub path: PathBuf,
    /// The file's text, with its lines indexed for the positions printed.
    pub text: IndexedText,
    pub diagnostics: Vec<Diagnostic>,
    /// The paired model and why it was chosen.
    pub model: Option<(PathBuf, String)>,
    /// The toolchain profile applied, and why.
    pub dialect: Dialect,
}

/// Checks one text, pairing it with its model and profile (or what `overrides` names).
pub fn check_text(
    path: &Path,
    text: String,
    models: &mut ModelCache,
    overrides: Overrides,
) -> CheckedFile {
    if analysis::is_yaml_name(&path.to_string_lossy()) {
        return check_yaml(path, text, models, overrides);
    }
    let parse = super::parse_reading_model(path, &text, models, overrides);
    check_json(path, text, &parse, models, overrides)
}

/// Checks a JSON config already parsed.
fn check_json(
    path: &Path,
    text: String,
    parse: &syntax::Parse,
    models: &mut ModelCache,
    overrides: Overrides,
) -> CheckedFile {
    let paired = super::pair_model(path, &text, parse, models, overrides);
    let ctx = CheckContext {
        model: paired.status(overrides.locale),
        directive: paired.directive.as_ref().map(|d| d.range),
        dialect: paired.paired.dialect.clone(),
        locale: overrides.locale,
        ..Default::default()
    };
    let diagnostics = analysis::check(&text, parse, &ctx);
    CheckedFile {
        path: path.to_path_buf(),
        text: IndexedText::new(text),
        diagnostics,
        model: paired
            .paired
            .pairing
            .as_ref()
            .map(|p| (p.model.clone(), p.reason())),
        dialect: paired.paired.dialect.clone(),
    }
}

/// Checks an hb_compile YAML: its keys, the quant_config inside it (against the YAML's own
/// model and march) and the files it names.
fn check_yaml(
    path: &Path,
    text: String,
    models: &mut ModelCache,
    overrides: Overrides,
) -> CheckedFile {
    let parse = syntax::parse_yaml(&text);
    let paired = super::pair_yaml(path, &parse, models, overrides);
    let ctx = CheckContext {
        model: analysis::ModelStatus::of(&paired, overrides.locale),
        dialect: paired.dialect.clone(),
        locale: overrides.locale,
        ..Default::default()
    };
    let missing = crate::model::missing_files(path, &parse);
    let diagnostics = analysis::check_hb_compile(&parse, &ctx, &missing).diagnostics;
    CheckedFile {
        path: path.to_path_buf(),
        text: IndexedText::new(text),
        diagnostics,
        model: paired
            .pairing
            .as_ref()
            .map(|p| (p.model.clone(), p.reason())),
        dialect: paired.dialect.clone(),
    }
}

/// A problem with an input path itself (exit status 2).
pub struct InputError {
    pub path: PathBuf,
    pub message: String,
}

/// What a directory search found besides configs: files skipped, with the reason.
type Skipped = Vec<(PathBuf, &'static str)>;

/// Why qcls does not open a path that is neither a regular file nor a directory (opening a
/// FIFO blocks until a writer comes, a device such as /dev/zero never ends).
const NOT_REGULAR: &str =
    "not a regular file (a FIFO, socket or device); qcls reads only regular files";

/// Expands the user's paths into files to check: files as given, directories searched for
/// `*.json`/`*.jsonc` files that look like quant_configs (and hb_compile YAMLs). Entries of a
/// directory that are not regular files are skipped (and said so); a path named on the command
/// line that is neither a file nor a directory is an input error.
pub fn collect_inputs(paths: &[PathBuf]) -> (Vec<PathBuf>, Skipped, Vec<InputError>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let before = files.len();
                if let Err(e) = walk(path, 0, &mut files, &mut skipped) {
                    errors.push(InputError {
                        path: path.clone(),
                        message: format!("cannot read this directory: {}", io_reason(&e)),
                    });
                    continue;
                }
                if files.len() == before {
                    errors.push(InputError {
                        path: path.clone(),
                        message: "no quant_config files in this directory (looked for *.json and *.jsonc files that are named *quant_config* or have model_config, op_config, node_config or subgraph_config at the top, and for hb_compile YAML files)".into(),
                    });
                }
            }
            Ok(meta) if meta.is_file() => files.push(path.clone()),
            Ok(_) => errors.push(InputError {
                path: path.clone(),
                message: NOT_REGULAR.to_string(),
            }),
            Err(e) => errors.push(InputError {
                path: path.clone(),
                message: format!("cannot read: {}", io_reason(&e)),
            }),
        }
    }
    (files, skipped, errors)
}

const MAX_DEPTH: usize = 16;

/// Fails only when `dir` itself cannot be listed; folders below it that cannot be are passed
/// over.
fn walk(
    dir: &Path,
    depth: usize,
    files: &mut Vec<PathBuf>,
    skipped: &mut Skipped,
) -> std::io::Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir)?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "node_modules" || name == "target" {
            continue;
        }
        // `symlink_metadata` so a link loop cannot make the walk endless.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let wanted_name =
            name.ends_with(".json") || name.ends_with(".jsonc") || analysis::is_yaml_name(name);
        if meta.is_dir() {
            let _ = walk(&path, depth + 1, files, skipped);
        } else if wanted_name {
            // A link is followed to what it points at (a dangling one is passed over); anything
            // but a regular file is not opened.
            match std::fs::metadata(&path) {
                Ok(target) if target.is_file() => {
                    if looks_like_config(&path) {
                        files.push(path);
                    }
                }
                Ok(_) => skipped.push((path, NOT_REGULAR)),
                Err(_) => {}
            }
        }
    }
    Ok(())
}

/// A quant_config by name, or by its top-level keys (the rule the server follows).
pub fn looks_like_config(path: &Path) -> bool {
    // Configs are small; skip anything large rather than reading it whole.
    if std::fs::metadata(path).map_or(true, |m| m.len() > 64 << 20) {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let parse = syntax::parse(&text);
    matches!(
        kind_of(path, &text, &parse),
        DocumentKind::QuantConfig | DocumentKind::HbCompileYaml
    )
}

/// The kind of the document at `path` with this text.
pub fn kind_of(path: &Path, text: &str, parse: &syntax::Parse) -> DocumentKind {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    analysis::document_kind(name, text, parse)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Reads a file as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, String> {
    // Checked before reading: a file far beyond any config is refused, not read into memory.
    if let Ok(meta) = std::fs::metadata(path) {
        let len = usize::try_from(meta.len()).unwrap_or(usize::MAX);
        if meta.is_file() && len > analysis::MAX_DOCUMENT_BYTES {
            return Err(analysis::too_large_message(len));
        }
    }
    let bytes = std::fs::read(path).map_err(|e| {
        if path.is_dir() {
            "is a directory".to_string()
        } else {
            format!("cannot read: {}", io_reason(&e))
        }
    })?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "is not UTF-8 text (invalid byte at offset {}); quant_config files are JSON, which is UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

pub fn run(paths: &[PathBuf], overrides: Overrides, format: Format) -> ExitCode {
    let (files, mut skipped, mut input_errors) = collect_inputs(paths);
    let mut models = ModelCache::default();
    // A model given on the command line must be readable: that is an input of the run.
    if let Some(model) = overrides.model {
        if let Err(e) = models.load(model) {
            input_errors.push(InputError {
                path: model.to_path_buf(),
                message: e.message.clone(),
            });
        }
    }
    let mut checked = Vec::new();
    // Files named on the command line that are not quant_configs: a note each, no verdict.
    for path in files {
        match read_text(&path) {
            Ok(text) => {
                // A JSON config is parsed once, for its kind and its check.
                let yaml = analysis::is_yaml_name(&path.to_string_lossy());
                let parse = if yaml {
                    syntax::parse(&text)
                } else {
                    super::parse_reading_model(&path, &text, &mut models, overrides)
                };
                match kind_of(&path, &text, &parse).skip_reason() {
                    Some(reason) => skipped.push((path, reason)),
                    None if yaml => checked.push(check_text(&path, text, &mut models, overrides)),
                    None => checked.push(check_json(&path, text, &parse, &mut models, overrides)),
                }
            }
            Err(message) => input_errors.push(InputError { path, message }),
        }
    }
    for (path, reason) in &skipped {
        eprintln!("qcls: {}: skipped: {reason}", path.display());
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let result = match format {
        Format::Human => {
            let color = render::use_color();
            let written: std::io::Result<()> = checked
                .iter()
                .try_for_each(|file| render::human(&mut out, file, color));
            for e in &input_errors {
                eprintln!("qcls: {}: {}", e.path.display(), e.message);
            }
            written.and_then(|_| {
                out.write_all(
                    render::summary(&checked, input_errors.len(), skipped.len()).as_bytes(),
                )
            })
        }
        Format::Json => {
            for e in &input_errors {
                eprintln!("qcls: {}: {}", e.path.display(), e.message);
            }
            serde_json::to_writer_pretty(&mut out, &JsonReport::new(&checked, &skipped))
                .map_err(std::io::Error::from)
                .and_then(|_| out.write_all(b"\n"))
        }
    };
    // A closed pipe (`qcls check … | head`) is no error of the run: the verdict stands.
    let _ = result.and_then(|_| out.flush());
    let status = exit_status(&checked, !input_errors.is_empty());
    // The process ends here: its memory goes back with it. Freeing 100,000 diagnostics one by
    // one took 8-11 ms.
    std::mem::forget(checked);
    status
}

/// 2 when an input could not be read, else 1 when any error was found, else 0.
pub fn exit_status(checked: &[CheckedFile], input_failed: bool) -> ExitCode {
    if input_failed {
        ExitCode::from(2)
    } else if checked
        .iter()
        .any(|f| f.diagnostics.iter().any(|d| d.severity == Severity::Error))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The `--format json` document (docs/spec.md, "Command line"), serialized as it is written:
/// nothing of it is built in memory first.
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    files: Vec<JsonFile<'a>>,
    diagnostics: JsonDiagnostics<'a>,
    skipped: Vec<JsonSkipped>,
}

impl<'a> JsonReport<'a> {
    fn new(checked: &'a [CheckedFile], skipped: &'a Skipped) -> Self {
        JsonReport {
            files: checked
                .iter()
                .map(|f| JsonFile {
                    file: f.path.display().to_string(),
                    model: f.model.as_ref().map(|(path, reason)| JsonModel {
                        path: path.display().to_string(),
                        reason,
                    }),
                    profile: JsonProfile {
                        name: f.dialect.profile.name(),
                        reason: f.dialect.describe(),
                    },
                })
                .collect(),
            diagnostics: JsonDiagnostics(checked),
            skipped: skipped
                .iter()
                .map(|(path, reason)| JsonSkipped {
                    file: path.display().to_string(),
                    reason,
                })
                .collect(),
        }
    }
}

#[derive(serde::Serialize)]
struct JsonFile<'a> {
    file: String,
    model: Option<JsonModel<'a>>,
    profile: JsonProfile,
}

#[derive(serde::Serialize)]
struct JsonModel<'a> {
    path: String,
    reason: &'a str,
}

#[derive(serde::Serialize)]
struct JsonProfile {
    name: &'static str,
    reason: String,
}

#[derive(serde::Serialize)]
struct JsonSkipped {
    file: String,
    reason: &'static str,
}

/// Every diagnostic of every file, one JSON object each, made while they are written.
struct JsonDiagnostics<'a>(&'a [CheckedFile]);

impl serde::Serialize for JsonDiagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().flat_map(|f| {
            let file = f.path.display().to_string();
            f.diagnostics.iter().map(move |d| {
                let start = f.text.position(d.range.start, PositionEncoding::Utf16);
                let end = f.text.position(d.range.end, PositionEncoding::Utf16);
                json!({
                    "file": file,
                    "code": d.code.as_str(),
                    "severity": d.severity.as_str(),
                    "message": d.message,
                    "range": {
                        "start": {"line": start.line, "character": start.character},
                        "end": {"line": end.line, "character": end.character},
                    },
                    "offsets": {"start": d.range.start, "end": d.range.end},
                })
            })
        }))
    }
}
