//! The synchronous part of each request: snapshot + session in, LSP result out. They run on a
//! blocking thread where a panic is caught (see `Backend::run`). Adding a feature is one file
//! in `analysis/`, one function here, one trait method (or custom method) in `mod.rs`, its
//! capability in `capabilities.rs`, and its conversions in `proto.rs`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types as lsp;

use super::capabilities::SHOW_MODEL_COMMAND;
use super::documents::Snapshot;
use super::proto::{from_proto, to_proto};
use super::state::{Session, State};
use crate::analysis::{self, CheckContext, FormatOptions, ModelStatus};
use crate::model::{
    self, how_to_pair, ConfigRequest, DialectRequest, ModelIndex, Paired, PairingRequest,
};
use crate::spec::{Dialect, Locale};
use crate::text::TextRange;

/// What pairs a config in the server: its path, its `qcls-model` directive and the user's
/// settings, with `dialect` (see [`dialect_request`]).
fn config_request<'a>(
    config_path: &'a Path,
    directive: Option<&'a str>,
    dialect: DialectRequest<'a>,
    session: &'a Session,
) -> ConfigRequest<'a> {
    ConfigRequest {
        model: PairingRequest {
            config_path,
            cli_model: None,
            directive,
            setting: session.settings.model.as_deref().map(Path::new),
            workspace_root: session.workspace_root.as_deref(),
        },
        dialect,
    }
}

/// What decides a config's profile in the server: its `qcls-march` and `qcls-toolchain`
/// directives and the user's settings.
fn dialect_request<'a>(
    march: Option<&'a str>,
    toolchain: Option<&'a str>,
    session: &'a Session,
) -> DialectRequest<'a> {
    DialectRequest {
        directive_march: march,
        directive_toolchain: toolchain,
        setting_march: session.settings.march.as_deref(),
        setting_toolchain: session.settings.toolchain.as_deref(),
        ..DialectRequest::default()
    }
}

/// The document's model and toolchain profile ([`model::pair_config`], as the command line
/// pairs), with the model read (`load`) or only as cached. Blocking when `load`.
pub fn paired(state: &State, snap: &Snapshot, session: &Session, load: bool) -> Paired {
    let (march, toolchain) = &snap.dialect_directives;
    let dialect = dialect_request(march.as_deref(), toolchain.as_deref(), session);
    // Not a file (an unsaved buffer): nothing around it to pair a model with.
    let Some(config_path) = snap.path.as_deref() else {
        return Paired {
            dialect: model::choose_dialect(&dialect, || None),
            ..Paired::default()
        };
    };
    let directive = snap.directive.as_ref().map(|(path, _)| path.as_str());
    let req = config_request(config_path, directive, dialect, session);
    let mut paired = if snap.yaml {
        // An hb_compile YAML names its own model and chip.
        let root = snap.parse.root.as_ref();
        let root = root.or(snap.yaml_prefix.as_ref().and_then(|p| p.root.as_ref()));
        model::pair_hb_compile(&req, root)
    } else {
        state
            .models
            .pair(&snap.uri, &req, session.flags.watch_files)
    };
    paired.model = paired.pairing.as_ref().and_then(|p| {
        if load {
            Some(state.models.get(&p.model, !session.flags.watch_files))
        } else {
            state.models.cached(&p.model)
        }
    });
    paired
}

/// The model a JSON config just opened will be paired with, when it is not read yet: what
/// [`prefetch_model`] reads while the config's text is parsed (the two take about as long on a
/// big config), when [`model::model_known_before_parse`] said so of its text. Only for a JSON
/// document: its pairing then is the one the check computes. A few file lookups.
pub fn model_to_prefetch(state: &State, uri: &lsp::Uri, session: &Session) -> Option<PathBuf> {
    let config_path = from_proto::file_path(uri)?;
    if config_path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
    {
        return None;
    }
    let dialect = dialect_request(None, None, session);
    let req = config_request(&config_path, None, dialect, session);
    let p = model::pair_config(&req).pairing?;
    state
        .models
        .needs_load(&p.model, !session.flags.watch_files)
        .then_some(p.model)
}

/// The `didOpen` of a big config, seen before its body is parsed: when the message names the
/// document before its text, and the text cannot name its own model, the read of the model the
/// config pairs with starts now, while the message is parsed and the document stored (some
/// 30 ms for a 6.5 MB config). A guess read from the raw JSON: anything unexpected (another
/// order of fields, escapes in the URI) leaves the read to `didOpen`. Blocking reads go to a
/// blocking thread.
pub fn prefetch_before_parse(state: &Arc<State>, body: &[u8]) {
    let Some(uri) = opened_uri(body) else {
        return;
    };
    let Ok(json) = std::str::from_utf8(body) else {
        return;
    };
    // The directive is searched in the escaped text: the JSON of a comment keeps its letters.
    if !model::model_known_before_parse(json) {
        return;
    }
    let session = state.session();
    let Some(model) = model_to_prefetch(state, &uri, &session) else {
        return;
    };
    let state = state.clone();
    tokio::task::spawn_blocking(move || prefetch_model(&state, &model, &session));
}

/// The URI of a `didOpen` whose `uri` comes before its `text`, as VS Code, Neovim and Helix
/// write it, read from the first bytes of the message.
pub(super) fn opened_uri(body: &[u8]) -> Option<lsp::Uri> {
    const HEAD: usize = 4096;
    let head = &body[..body.len().min(HEAD)];
    let find = |what: &[u8]| head.windows(what.len()).position(|w| w == what);
    let method = find(b"\"textDocument/didOpen\"")?;
    let uri_key = find(b"\"uri\"")?;
    // Both before the text: a text may hold either.
    if find(b"\"text\"").is_some_and(|text_key| text_key < uri_key.max(method)) {
        return None;
    }
    let rest = &body[uri_key + b"\"uri\"".len()..];
    let colon = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = rest[colon..].strip_prefix(b":")?;
    let mut value = serde_json::Deserializer::from_slice(rest);
    let uri = <String as serde::Deserialize>::deserialize(&mut value).ok()?;
    uri.parse().ok()
}

/// Reads the model of [`model_to_prefetch`]. The check finds it cached, or waits at the
/// store's gate for this read; nothing is read twice. Blocking.
pub fn prefetch_model(state: &State, model: &Path, session: &Session) {
    // A model that cannot be read is reported by the check, which asks again.
    if let Ok(model) = state.models.get(model, !session.flags.watch_files) {
        model.prepare_name_lookups();
    }
}

/// Does computing diagnostics for this document have to read a model file?
pub fn needs_model_load(state: &State, snap: &Snapshot, session: &Session) -> Option<String> {
    let p = paired(state, snap, session, false).pairing?;
    state
        .models
        .needs_load(&p.model, !session.flags.watch_files)
        .then(|| p.model.display().to_string())
}

/// The document's diagnostics as LSP diagnostics, at most `qcls.maxDiagnostics` of them and
/// one saying how many were left out. Blocking (may read the model).
pub fn diagnostics(state: &State, snap: &Snapshot, session: &Session) -> Vec<lsp::Diagnostic> {
    let (checked, _) = checked(state, snap, session);
    let (shown, left_out) = analysis::limit_diagnostics(
        &checked.diagnostics,
        session.max_diagnostics(),
        &snap.text,
        session.locale(),
    );
    let left_out = left_out
        .map(|d| session.settings.diagnostics.apply(vec![d]))
        .unwrap_or_default();
    left_out
        .iter()
        .chain(shown)
        .map(|d| to_proto::diagnostic(&snap.doc, session.encoding, &snap.uri, d))
        .collect()
}

/// The document's diagnostics and its model (when one is loaded). Blocking.
fn checked(
    state: &State,
    snap: &Snapshot,
    session: &Session,
) -> (Arc<analysis::Checked>, Option<Arc<ModelIndex>>) {
    if !snap.served {
        return (Arc::default(), None);
    }
    let info = paired(state, snap, session, true);
    let index = info.index().cloned();
    let model = ModelStatus::of(&info, session.locale());
    let stale_model = info
        .pairing
        .as_ref()
        .filter(|_| index.is_some())
        .and_then(|p| state.models.reading_problem(&p.model))
        .map(|e| e.message);
    if snap.yaml {
        let ctx = CheckContext {
            model,
            config: session.settings.diagnostics.clone(),
            dialect: info.dialect.clone(),
            locale: session.locale(),
            stale_model,
            ..CheckContext::default()
        };
        let missing = snap
            .path
            .as_deref()
            .map(|path| crate::model::missing_files(path, &snap.parse))
            .unwrap_or_default();
        let around =
            analysis::check_hb_compile_around(&snap.parse, snap.inline.as_ref(), &ctx, &missing);
        let around = ctx.config.apply(around);
        // The inline config is checked as a JSON document is: from its last check when one
        // member changed since.
        let checked = snap.inline.as_ref().map(|inline| {
            let checked = state
                .checks
                .checked(snap, inline, &ctx, index.as_ref(), None);
            (inline, checked.diagnostics.clone())
        });
        let diagnostics = analysis::merge_with_inline(around, checked);
        return (
            Arc::new(analysis::Checked::from_diagnostics(diagnostics)),
            index,
        );
    }
    let directive = &snap.directive;
    let ctx = CheckContext {
        model,
        directive: directive.as_ref().map(|(_, range)| *range),
        config: session.settings.diagnostics.clone(),
        dialect: info.dialect.clone(),
        locale: session.locale(),
        stale_model,
    };
    let checked = state.checks.checked(
        snap,
        &snap.parse,
        &ctx,
        index.as_ref(),
        directive.as_ref().map(|(path, _)| path.as_str()),
    );
    (checked, index)
}

/// The quant_config the features work on: the document, or the one written inside an
/// hb_compile YAML (`None` when the YAML holds none).
fn config_parse(snap: &Snapshot) -> Option<&crate::syntax::Parse> {
    if snap.yaml {
        snap.inline.as_ref()
    } else {
        Some(&snap.parse)
    }
}

/// Quick fixes for the diagnostics in `range`, on its lines and among those the client sent,
/// recomputed from the document (the client's copy of the diagnostics is not trusted: it may
/// have lost `data`, or be of an older version).
pub fn code_actions(
    state: &State,
    snap: &Snapshot,
    session: &Session,
    range: lsp::Range,
    sent: &[lsp::Diagnostic],
) -> Option<lsp::CodeActionResponse> {
    let start = from_proto::offset(&snap.doc, session.encoding, range.start);
    let end = from_proto::offset(&snap.doc, session.encoding, range.end);
    let (checked, model) = checked(state, snap, session);
    // In a YAML the tree is its inline quant_config's; fixes are written in the YAML's style.
    let fixes = analysis::code_actions::code_actions(
        &snap.text,
        config_parse(snap).unwrap_or(&snap.parse),
        &checked.diagnostics,
        model.as_deref(),
        TextRange::new(start.min(end), start.max(end)),
        &sent
            .iter()
            .filter(|d| d.source.as_deref().is_none_or(|s| s == "qcls"))
            .map(|d| from_proto::sent_diagnostic(&snap.doc, session.encoding, d))
            .collect::<Vec<_>>(),
    );
    Some(
        fixes
            .into_iter()
            .map(|fix| {
                lsp::CodeActionOrCommand::CodeAction(to_proto::code_action(
                    &snap.doc,
                    session.encoding,
                    &snap.uri,
                    fix,
                ))
            })
            .collect(),
    )
}

/// The document's model when it is paired and readable (read now if needed), and its
/// toolchain profile. Blocking.
pub fn loaded_model(
    state: &State,
    snap: &Snapshot,
    session: &Session,
) -> (Option<Arc<ModelIndex>>, Dialect) {
    let info = paired(state, snap, session, true);
    (info.index().cloned(), info.dialect)
}

pub fn completion(
    state: &State,
    snap: &Snapshot,
    session: &Session,
    pos: lsp::Position,
) -> Option<lsp::CompletionResponse> {
    let offset = from_proto::offset(&snap.doc, session.encoding, pos);
    let (model, dialect) = loaded_model(state, snap, session);
    let result = if snap.yaml {
        analysis::complete_yaml(
            &snap.text,
            snap.inline.as_ref(),
            offset,
            session.locale(),
            model.as_deref(),
            &dialect,
        )
    } else {
        analysis::complete(
            &snap.text,
            &snap.parse,
            offset,
            session.locale(),
            model.as_deref(),
            &dialect,
        )
    };
    let is_incomplete = result.is_incomplete;
    let items = to_proto::completion_items(
        &snap.doc,
        session.encoding,
        result.items,
        session.flags.completion_markdown,
        session.flags.completion_resolve,
    );
    *state
        .last_completion
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = Some(snap.uri.clone());
    Some(lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete,
        items,
    }))
}

/// The documentation of the node-name item `node` in this document (`completionItem/resolve`).
pub fn completion_documentation(
    state: &State,
    snap: &Snapshot,
    session: &Session,
    node: &str,
) -> Option<String> {
    let (model, dialect) = loaded_model(state, snap, session);
    let config = config_parse(snap).and_then(|p| p.root.as_ref());
    analysis::node_completion_documentation(config, model.as_deref()?, dialect.profile, node)
}

pub fn hover(
    state: &State,
    snap: &Snapshot,
    session: &Session,
    pos: lsp::Position,
) -> Option<lsp::Hover> {
    let offset = from_proto::offset(&snap.doc, session.encoding, pos);
    let (model, dialect) = loaded_model(state, snap, session);
    let info = if snap.yaml {
        analysis::hover_yaml(
            &snap.text,
            &snap.parse,
            snap.inline.as_ref(),
            offset,
            session.locale(),
            model.as_deref(),
            &dialect,
        )
    } else {
        analysis::hover(
            &snap.text,
            &snap.parse,
            offset,
            session.locale(),
            model.as_deref(),
            &dialect,
        )
    }?;
    Some(to_proto::hover(
        &snap.doc,
        session.encoding,
        info,
        session.flags.hover_markdown,
        session.markdown_tables(),
    ))
}

pub fn document_symbols(snap: &Snapshot, session: &Session) -> Option<lsp::DocumentSymbolResponse> {
    let symbols = analysis::document_symbols(&snap.parse);
    Some(to_proto::document_symbols(
        &snap.doc,
        session.encoding,
        &snap.uri,
        symbols,
        session.flags.hierarchical_symbols,
    ))
}

pub fn folding_ranges(snap: &Snapshot, session: &Session) -> Option<Vec<lsp::FoldingRange>> {
    let folds = analysis::folding_ranges(&snap.text, &snap.parse);
    Some(to_proto::folding_ranges(
        &snap.doc,
        session.encoding,
        folds,
        session.flags.folding_limit,
    ))
}

pub fn formatting(
    snap: &Snapshot,
    session: &Session,
    options: &lsp::FormattingOptions,
) -> Option<Vec<lsp::TextEdit>> {
    if snap.yaml {
        return None; // YAML is the YAML tools' to format
    }
    let opts = FormatOptions::new(options.tab_size, options.insert_spaces);
    let formatted = analysis::format(&snap.text, &snap.parse, &opts)?;
    Some(to_proto::replace_edit(
        &snap.doc,
        session.encoding,
        &snap.text,
        &formatted,
    ))
}

/// The title of the model code lens: which model and why (or how to pair one), and the
/// toolchain profile.
pub fn model_summary(info: &Paired, config_dir: Option<&Path>) -> String {
    format!(
        "{} · profile {}",
        model_line(info, config_dir),
        info.dialect.describe()
    )
}

fn model_line(info: &Paired, config_dir: Option<&Path>) -> String {
    let Some(p) = &info.pairing else {
        return format!("qcls: no model paired: {}", how_to_pair());
    };
    let shown = config_dir
        .and_then(|d| p.model.strip_prefix(d).ok())
        .unwrap_or(&p.model)
        .display()
        .to_string();
    match (&info.model, ModelStatus::of(info, Locale::En)) {
        (_, ModelStatus::Loaded(m)) => format!(
            "qcls model: {shown} ({}), {} nodes",
            p.reason(),
            m.node_count()
        ),
        (_, ModelStatus::Missing { message } | ModelStatus::Unreadable { message }) => {
            format!("qcls model: {shown} ({}): {message}", p.reason())
        }
        (_, ModelStatus::Unpaired) => format!("qcls model: {shown} ({})", p.reason()),
    }
}

/// The explanation of the document (see `Backend::explain`). Blocking (may read the model).
pub fn explain(
    state: &State,
    snap: &Snapshot,
    session: &Session,
    only_overridden: bool,
) -> serde_json::Value {
    let info = paired(state, snap, session, true);
    let summary = model_summary(&info, snap.path.as_deref().and_then(Path::parent));
    let profile = serde_json::json!({
        "name": info.dialect.profile.name(),
        "reason": info.dialect.describe(),
    });
    let (Some(index), Some(pairing)) = (info.index(), info.pairing.as_ref()) else {
        return serde_json::json!({
            "model": info.pairing.as_ref().map(|p| serde_json::json!({
                "path": p.model.display().to_string(),
                "reason": p.reason(),
            })),
            "profile": profile,
            "nodes": [],
            "outputs": [],
            "summary": summary,
            "problem": nothing_to_explain(&info, session.locale()),
        });
    };
    let explanation = explain_document(snap, &info, index, pairing.reason(), only_overridden);
    let mut json = explanation.json();
    json["summary"] = summary.into();
    // Plain text for clients that show it as is (Neovim's :QclsExplain).
    json["table"] = explanation.table().into();
    json
}

/// The effective precisions of a document against the model it is paired with (`qcls/explain`
/// and the precision map). An hb_compile YAML's own node settings count too.
fn explain_document<'m>(
    snap: &Snapshot,
    info: &Paired,
    index: &'m ModelIndex,
    reason: String,
    only_overridden: bool,
) -> analysis::Explanation<'m> {
    let empty = crate::syntax::Parse::default();
    analysis::Explanation::new(
        index,
        reason,
        &snap.text,
        config_parse(snap).unwrap_or(&empty),
        only_overridden,
        info.dialect.clone(),
        snap.parse.root.as_ref().filter(|_| snap.yaml),
    )
}

/// Why there is nothing to explain: the model's problem, or that none is paired.
fn nothing_to_explain(info: &Paired, locale: Locale) -> String {
    match ModelStatus::of(info, locale) {
        ModelStatus::Missing { message } | ModelStatus::Unreadable { message } => message,
        _ => match locale {
            Locale::En => format!(
                "no model is paired, so there is nothing to explain; {}",
                how_to_pair()
            ),
            Locale::Zh => format!(
                "没有配对的模型，因此无可解释；{}",
                crate::model::how_to_pair_in(locale)
            ),
        },
    }
}

/// The precision map of the document (see `Backend::precision_map`): the whole page when
/// `html`, else the data the page redraws from; `summary`, `title`, the precisions a new
/// node_config entry may take (`qtypes`) and where one goes (`insert`, JSON documents
/// without syntax errors); `problem` instead of a map when there is none. Blocking.
pub fn precision_map(
    state: &State,
    snap: &Snapshot,
    session: &Session,
    html: bool,
) -> serde_json::Value {
    let info = paired(state, snap, session, true);
    let summary = model_summary(&info, snap.path.as_deref().and_then(Path::parent));
    let title = snap
        .path
        .as_deref()
        .and_then(Path::file_name)
        .map(|f| f.to_string_lossy().into_owned())
        .or_else(|| snap.uri.as_str().rsplit('/').next().map(str::to_string))
        .unwrap_or_default();
    let mut out = serde_json::json!({"summary": summary, "title": title});
    let (Some(index), Some(pairing)) = (info.index(), info.pairing.as_ref()) else {
        out["problem"] = nothing_to_explain(&info, session.locale()).into();
        return out;
    };
    let explanation = explain_document(snap, &info, index, pairing.reason(), false);
    let map = analysis::PrecisionMap::new(&explanation);
    if html {
        out["html"] = analysis::precision_map::html_page(&map, &title).into();
    } else {
        out["data"] = analysis::precision_map::map_data(&map, &title);
    }
    let (qtypes, _) = info
        .dialect
        .profile
        .values(crate::spec::PrecisionRole::Qtype);
    out["qtypes"] = serde_json::json!(qtypes);
    if !snap.yaml {
        if let Some(ins) = analysis::precision_map::new_entry_insertion(&snap.text, &snap.parse) {
            out["insert"] = serde_json::json!({
                "position": to_proto::position(&snap.doc, session.encoding, ins.offset),
                "before": ins.before,
                "after": ins.after,
            });
        }
    }
    out
}

/// Links from an hb_compile YAML to the files it names that exist (its `quant_config` path,
/// its `onnx_model`, its `cal_data_dir`), relative to its folder.
pub fn document_links(snap: &Snapshot, session: &Session) -> Option<Vec<lsp::DocumentLink>> {
    if !snap.yaml {
        return Some(Vec::new());
    }
    let dir = snap.path.as_deref()?.parent()?;
    let links = model::file_refs(&snap.parse)
        .into_iter()
        .filter_map(|file| {
            let target = dir.join(&file.path);
            let target = std::fs::canonicalize(&target).ok()?;
            let uri = lsp::Uri::from_file_path(&target)?;
            // The link covers the path, not the quotes around it.
            let quoted = snap
                .text
                .get(file.range.start..file.range.end)
                .is_some_and(|t| t.starts_with(['"', '\'']));
            let range = if quoted && file.range.end - file.range.start >= 2 {
                TextRange::new(file.range.start + 1, file.range.end - 1)
            } else {
                file.range
            };
            Some(lsp::DocumentLink {
                range: to_proto::range(&snap.doc, session.encoding, range),
                target: Some(uri),
                tooltip: Some(format!("{} ({})", target.display(), file.key)),
                data: None,
            })
        })
        .collect();
    Some(links)
}

pub fn code_lens(state: &State, snap: &Snapshot, session: &Session) -> Option<Vec<lsp::CodeLens>> {
    let info = paired(state, snap, session, false);
    let title = model_summary(&info, snap.path.as_deref().and_then(Path::parent));
    let arguments = info
        .pairing
        .as_ref()
        .map(|p| vec![serde_json::Value::String(p.model.display().to_string())]);
    Some(vec![lsp::CodeLens {
        range: lsp::Range::new(lsp::Position::new(0, 0), lsp::Position::new(0, 0)),
        command: Some(lsp::Command {
            title,
            command: SHOW_MODEL_COMMAND.to_string(),
            arguments,
        }),
        data: None,
    }])
}

pub fn inlay_hints(
    state: &State,
    snap: &Snapshot,
    session: &Session,
    range: lsp::Range,
) -> Option<Vec<lsp::InlayHint>> {
    let (model, dialect) = loaded_model(state, snap, session);
    let model = model?;
    let range = TextRange::new(
        from_proto::offset(&snap.doc, session.encoding, range.start),
        from_proto::offset(&snap.doc, session.encoding, range.end),
    );
    let hints = analysis::inlay_hints(
        &snap.text,
        config_parse(snap)?,
        range,
        Some(&model),
        dialect.profile,
        snap.parse.root.as_ref().filter(|_| snap.yaml),
    );
    Some(
        hints
            .into_iter()
            .map(|h| to_proto::inlay_hint(&snap.doc, session.encoding, h))
            .collect(),
    )
}
