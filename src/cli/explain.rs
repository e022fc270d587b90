//! `qcls explain`: the effective precision of every input of every node (docs/spec.md, "Effective precision"), and the
//! setting that decided it.

use std::path::Path;
use std::process::ExitCode;

use super::check::read_text;
use super::{pair_model, ModelCache, Overrides};
use crate::analysis::precision_map;
use crate::analysis::{Explanation, ModelStatus, PrecisionMap};
use crate::model::how_to_pair;
use crate::syntax;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    /// The precision map as one self-contained page.
    Html,
    /// The precision map as a static picture.
    Svg,
}

pub fn run(
    file: &Path,
    overrides: Overrides,
    format: Format,
    only_overridden: bool,
    output: Option<&Path>,
) -> ExitCode {
    let map = matches!(format, Format::Html | Format::Svg);
    if map && only_overridden {
        eprintln!(
            "qcls: --only-overridden applies to --format table, csv and json; the precision map always shows every node"
        );
        return ExitCode::from(2);
    }
    let text = match read_text(file) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("qcls: {}: {message}", file.display());
            return ExitCode::from(2);
        }
    };
    let mut models = ModelCache::default();
    let yaml = crate::analysis::is_yaml_name(&file.to_string_lossy());
    let (parse, paired) = if yaml {
        // An hb_compile YAML: the quant_config written in it, with the YAML's model and march.
        let yaml_parse = syntax::parse_yaml(&text);
        let paired = super::pair_yaml(file, &yaml_parse, &mut models, overrides);
        (yaml_parse, paired)
    } else {
        let parse = syntax::parse(&text);
        let paired = pair_model(file, &text, &parse, &mut models, overrides).paired;
        (parse, paired)
    };
    let config = if yaml {
        crate::analysis::inline_quant_config(&parse).unwrap_or_default()
    } else {
        parse.clone()
    };
    let (pairing, index) = match (&paired.pairing, &paired.model) {
        (Some(p), Some(Ok(index))) => (p, index.clone()),
        (Some(_), Some(Err(_))) => {
            let (ModelStatus::Missing { message } | ModelStatus::Unreadable { message }) =
                ModelStatus::of(&paired, overrides.locale)
            else {
                return ExitCode::from(2);
            };
            eprintln!("qcls: {}: {message}", file.display());
            return ExitCode::from(2);
        }
        _ => {
            eprintln!(
                "qcls: {}: no model is paired, so there is nothing to explain; {}",
                file.display(),
                how_to_pair()
            );
            return ExitCode::from(2);
        }
    };
    let explanation = Explanation::new(
        &index,
        pairing.reason(),
        &text,
        &config,
        only_overridden,
        paired.dialect.clone(),
        parse.root.as_ref().filter(|_| yaml),
    );
    let title = file.file_name().map_or_else(
        || file.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let out = match format {
        Format::Table => explanation.table(),
        Format::Csv => explanation.csv(),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&explanation.json()).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Html => precision_map::html_page(&PrecisionMap::new(&explanation), &title),
        Format::Svg => match precision_map::svg(&PrecisionMap::new(&explanation), &title) {
            Ok(svg) => svg,
            Err(message) => {
                eprintln!("qcls: {}: {message}", file.display());
                return ExitCode::from(2);
            }
        },
    };
    match output {
        None => print!("{out}"),
        Some(path) => {
            if let Err(err) = std::fs::write(path, out.as_bytes()) {
                eprintln!("qcls: cannot write {}: {err}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    // The table of a config that does not parse is what the toolchain cannot load: say so,
    // and do not report success.
    let errors = parse
        .errors
        .iter()
        .chain(if yaml { &config.errors[..] } else { &[] });
    match errors.min_by_key(|e| e.range.start) {
        Some(first) => {
            eprintln!(
                "qcls: {}:{}: syntax error: {}; the table is computed from what could be read, and the toolchain would refuse this file",
                file.display(),
                crate::analysis::line_of(&text, first.range.start),
                first.message
            );
            ExitCode::from(1)
        }
        None => ExitCode::SUCCESS,
    }
}
