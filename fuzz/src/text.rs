//! The `text` target: any text, read as a quant_config (JSON) and as an hb_compile YAML, goes
//! through every analysis the editor and the command line run on a document, with and without
//! a model. Besides "never panics", it checks what the features promise their callers:
//!
//! - every range (tree, syntax errors, diagnostics, completion and hover tokens, fix edits,
//!   symbols, folds, hints) lies inside the text on character boundaries;
//! - the edits of one quick fix do not overlap, and applying a fix to a JSON document never
//!   adds a syntax error;
//! - formatting keeps the document's values and comments' count, and is idempotent;
//! - re-parsing one edited member in place equals parsing anew, and checking one edited
//!   node_config entry again equals checking the whole document;
//! - parsing with a second thread started at any key equals parsing on one.

use std::path::Path;

use qcls::analysis::code_actions::{code_actions, Fix};
use qcls::analysis::{
    self, check_after_splice, check_document, CheckContext, Diagnostic, Explanation, FormatOptions,
    ModelStatus,
};
use qcls::model::{self, DialectRequest, ModelIndex};
use qcls::spec::{Dialect, DialectSource, Locale};
use qcls::syntax::{parse, parse_split_at, parse_yaml, Parse, Value, ValueKind};
use qcls::text::TextRange;

use crate::common::{assert_range, hash, models, offsets};

/// Inserted at one place to test the incremental paths.
const FRAGMENTS: [&str; 12] = [
    "1",
    "\"",
    ",",
    "}",
    "{",
    "\n",
    "int8",
    "\"qtype\": \"int16\", ",
    "/*",
    "量",
    "x",
    "",
];

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let h = hash(data);
    let locale = if h & 1 == 0 { Locale::En } else { Locale::Zh };
    let all = models();
    let model = &all[(h >> 3) as usize % all.len()];
    json(&text, h, locale, model);
    yaml(&text, locale, model);
}

/// The text as a quant_config file.
fn json(text: &str, h: u64, locale: Locale, model: &ModelIndex) {
    let tree = parse(text);
    check_tree(text, &tree);
    two_cores(text, h, &tree);
    let _ = analysis::document_kind("quant_config.json", text, &tree);
    let directive = model::find_directive(text, &tree.comments);
    if let Some(d) = &directive {
        assert_range(text, d.range, "directive");
        assert_range(text, d.comment_range, "directive comment");
    }
    let march = model::find_directive_named(text, &tree.comments, model::MARCH_DIRECTIVE);
    let toolchain = model::find_directive_named(text, &tree.comments, model::TOOLCHAIN_DIRECTIVE);
    let dialect = model::choose_dialect(
        &DialectRequest {
            cli_march: None,
            cli_toolchain: None,
            directive_march: march.as_ref().map(|d| d.path.as_str()),
            directive_toolchain: toolchain.as_ref().map(|d| d.path.as_str()),
            setting_march: None,
            setting_toolchain: None,
        },
        || None,
    );
    let _ = dialect.describe();
    let _ = dialect.warnings();

    let unpaired = CheckContext {
        locale,
        dialect: dialect.clone(),
        directive: directive.as_ref().map(|d| d.range),
        ..CheckContext::default()
    };
    let without = check_document(text, &tree, &unpaired);
    check_diagnostics(text, &without.diagnostics);
    let paired = CheckContext {
        model: ModelStatus::Loaded(model),
        locale,
        dialect: dialect.clone(),
        directive: directive.as_ref().map(|d| d.range),
        ..CheckContext::default()
    };
    let with = check_document(text, &tree, &paired);
    check_diagnostics(text, &with.diagnostics);
    let (shown, note) = analysis::limit_diagnostics(&with.diagnostics, 3, text, locale);
    assert!(shown.len() <= 3);
    if let Some(note) = note {
        assert_range(text, note.range, "too-many-diagnostics note");
    }

    for &at in &offsets(text, 4) {
        let items = analysis::complete(text, &tree, at, locale, Some(model), &dialect);
        for item in &items.items {
            assert_range(text, item.range, "completion item");
        }
        if let Some(hover) = analysis::hover(text, &tree, at, locale, Some(model), &dialect) {
            assert_range(text, hover.range, "hover");
        }
    }
    let end = text.len();
    let _ = analysis::complete(text, &tree, end, locale, None, &dialect);

    // Fixes where an editor asks: at the cursor (its line), and for a selection. A request
    // over the whole of a broken document re-parses it once per fix (up to 200 times).
    let errors = tree.syntax_error_count();
    for range in [
        TextRange::empty(pick(text, h >> 32)),
        selection(text, h >> 40),
    ] {
        let fixes = code_actions(text, &tree, &with.diagnostics, Some(model), range, &[]);
        for fix in &fixes {
            let fixed = apply_fix(text, fix);
            let after = parse(&fixed).syntax_error_count();
            assert!(
                after <= errors,
                "the fix {:?} adds syntax errors ({errors} -> {after}):\n{fixed}",
                fix.title
            );
        }
    }

    for hint in analysis::inlay_hints(
        text,
        &tree,
        TextRange::new(0, end),
        Some(model),
        dialect.profile,
        None,
    ) {
        assert_range(text, TextRange::empty(hint.offset), "inlay hint");
    }
    check_outline(text, &tree);
    check_format(text, &tree);
    explain(text, &tree, model, &dialect, None, h & 2 != 0);
    incremental(text, &tree, h, &paired, &with);
}

/// The text as an hb_compile YAML.
fn yaml(text: &str, locale: Locale, model: &ModelIndex) {
    let tree = parse_yaml(text);
    check_tree(text, &tree);
    let _ = analysis::document_kind("config.yaml", text, &tree);
    let inline = analysis::inline_quant_config(&tree);
    if let Some(inline) = &inline {
        check_tree(text, inline);
    }
    let _ = model::file_refs(&tree);
    let march = tree
        .root
        .as_ref()
        .and_then(|root| model::section_value(root, "model_parameters", "march"))
        .and_then(model::scalar_text)
        .map(|m| (m, DialectSource::Yaml("config.yaml".into())));
    let dialect = Dialect::choose(march, None);

    for status in [ModelStatus::Unpaired, ModelStatus::Loaded(model)] {
        let ctx = CheckContext {
            model: status,
            locale,
            dialect: dialect.clone(),
            ..CheckContext::default()
        };
        let around = analysis::check_hb_compile_around(&tree, inline.as_ref(), &ctx, &[]);
        let checked = inline
            .as_ref()
            .map(|i| (i, analysis::check_inline(i, &ctx).diagnostics));
        let merged = analysis::merge_with_inline(around, checked);
        check_diagnostics(text, &merged);
        // The command line's path gives the same diagnostics as the server's.
        let cli = analysis::check_hb_compile(&tree, &ctx, &[]);
        check_diagnostics(text, &cli.diagnostics);
        if matches!(ctx.model, ModelStatus::Loaded(_)) {
            let config = inline.as_ref().unwrap_or(&tree);
            let range = selection(text, 0);
            let fixes = code_actions(text, config, &merged, Some(model), range, &[]);
            for fix in &fixes {
                let _ = apply_fix(text, fix);
            }
        }
    }

    for &at in &offsets(text, 4) {
        let items =
            analysis::complete_yaml(text, inline.as_ref(), at, locale, Some(model), &dialect);
        for item in &items.items {
            assert_range(text, item.range, "YAML completion item");
        }
        let hover = analysis::hover_yaml(
            text,
            &tree,
            inline.as_ref(),
            at,
            locale,
            Some(model),
            &dialect,
        );
        if let Some(hover) = hover {
            assert_range(text, hover.range, "YAML hover");
        }
    }
    if let Some(inline) = &inline {
        for hint in analysis::inlay_hints(
            text,
            inline,
            TextRange::new(0, text.len()),
            Some(model),
            dialect.profile,
            tree.root.as_ref(),
        ) {
            assert_range(text, TextRange::empty(hint.offset), "YAML inlay hint");
        }
        explain(text, inline, model, &dialect, tree.root.as_ref(), false);
    }
    check_outline(text, &tree);
    if let Some(root) = &tree.root {
        let _ = model::hb_compile_yaml(Path::new("fuzz/config.yaml"), root);
    }
}

/// One of [`offsets`], chosen by `h`.
fn pick(text: &str, h: u64) -> usize {
    let spots = offsets(text, 8);
    spots[h as usize % spots.len()]
}

/// A selection of a few lines from one of [`offsets`].
fn selection(text: &str, h: u64) -> TextRange {
    let start = pick(text, h);
    let mut end = (start + 200).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    TextRange::new(start, end)
}

fn explain(
    text: &str,
    tree: &Parse,
    model: &ModelIndex,
    dialect: &Dialect,
    yaml: Option<&Value>,
    only_overridden: bool,
) {
    let e = Explanation::new(
        model,
        "fuzz".into(),
        text,
        tree,
        only_overridden,
        dialect.clone(),
        yaml,
    );
    let _ = (e.table(), e.csv(), e.json());
}

/// The parse with a second thread started at one of the text's `"` (picked by the hash), where
/// the first thread takes its members when its own parse gets there, is the one-thread parse.
fn two_cores(text: &str, h: u64, tree: &Parse) {
    let quotes: Vec<usize> = text.match_indices('"').map(|(i, _)| i).collect();
    if quotes.is_empty() {
        return;
    }
    let at = quotes[(h >> 7) as usize % quotes.len()];
    let (split, _) = parse_split_at(text, at);
    assert_eq!(&split, tree, "parse with a second thread from byte {at}");
}

/// Every range of the tree, the syntax errors and the comments lies on character boundaries.
fn check_tree(text: &str, tree: &Parse) {
    for e in &tree.errors {
        assert_range(text, e.range, "syntax error");
    }
    for c in &tree.comments {
        assert_range(text, c.range, "comment");
    }
    if let Some(root) = &tree.root {
        check_value(text, root, 0);
    }
}

fn check_value(text: &str, value: &Value, depth: usize) {
    assert_range(text, value.range, "value");
    // The parsers stop nesting at MAX_DEPTH; a deeper tree would overflow the stack elsewhere.
    assert!(
        depth <= qcls::syntax::MAX_DEPTH + 1,
        "the tree is deeper than MAX_DEPTH"
    );
    match &value.kind {
        ValueKind::Object(o) => {
            for m in &o.members {
                assert_range(text, m.key.range, "key");
                if let Some(colon) = m.colon {
                    assert_range(text, colon.range(), "colon");
                }
                if let Some(v) = &m.value {
                    check_value(text, v, depth + 1);
                }
            }
        }
        ValueKind::Array(a) => {
            for v in &a.elements {
                check_value(text, v, depth + 1);
            }
        }
        _ => {}
    }
}

fn check_diagnostics(text: &str, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        assert_range(text, d.range, "diagnostic");
        for r in &d.related {
            assert_range(text, r.range, "related information");
        }
    }
}

fn check_outline(text: &str, tree: &Parse) {
    fn walk(text: &str, s: &analysis::Symbol) {
        assert_range(text, s.range, "symbol");
        assert_range(text, s.selection, "symbol selection");
        for c in &s.children {
            walk(text, c);
        }
    }
    for s in analysis::document_symbols(tree) {
        walk(text, &s);
    }
    for f in analysis::folding_ranges(text, tree) {
        assert_range(text, TextRange::new(f.start, f.end), "fold");
    }
}

/// The text with the fix's edits applied; panics when an edit splits a character or two edits
/// overlap (a client would refuse the fix).
fn apply_fix(text: &str, fix: &Fix) -> String {
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    for e in &edits {
        assert_range(text, e.range, "fix edit");
    }
    for pair in edits.windows(2) {
        assert!(
            pair[0].range.end <= pair[1].range.start,
            "the fix {:?} has overlapping edits {:?} and {:?}",
            fix.title,
            pair[0].range,
            pair[1].range
        );
    }
    let mut out = text.to_string();
    for e in edits.iter().rev() {
        out.replace_range(e.range.start..e.range.end, &e.new_text);
    }
    out
}

/// Formatting keeps every value and every comment and gives a text it leaves as it is.
fn check_format(text: &str, tree: &Parse) {
    for options in [FormatOptions::new(2, true), FormatOptions::new(4, false)] {
        let Some(formatted) = analysis::format(text, tree, &options) else {
            continue;
        };
        let again = parse(&formatted);
        assert_eq!(
            again.syntax_error_count(),
            0,
            "formatting gives a syntax error:\n{formatted}"
        );
        assert_eq!(
            tree.root.as_ref().map(shape),
            again.root.as_ref().map(shape),
            "formatting changes a value:\n{formatted}"
        );
        assert_eq!(
            tree.comments.len(),
            again.comments.len(),
            "formatting loses or adds a comment:\n{formatted}"
        );
        let twice = analysis::format(&formatted, &again, &options);
        assert_eq!(
            twice.as_deref(),
            Some(formatted.as_str()),
            "formatting is not idempotent"
        );
    }
}

/// A value without its ranges.
fn shape(value: &Value) -> String {
    match &value.kind {
        ValueKind::Object(o) => {
            let members: Vec<String> = o
                .members
                .iter()
                .map(|m| {
                    let v = m.value.as_ref().map_or("<none>".into(), shape);
                    format!("{:?}:{v}", m.key.text)
                })
                .collect();
            format!("{{{}}}", members.join(","))
        }
        ValueKind::Array(a) => {
            let elements: Vec<String> = a.elements.iter().map(shape).collect();
            format!("[{}]", elements.join(","))
        }
        ValueKind::String(s) => format!("{:?}", s.value),
        ValueKind::Number(n) => n.raw.clone(),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Null => "null".into(),
        ValueKind::Invalid => "<invalid>".into(),
    }
}

/// One edit, drawn from the input's hash: re-parsing the edited member in place equals parsing
/// anew, and when that works, checking the edited entry again equals checking everything.
fn incremental(text: &str, tree: &Parse, h: u64, ctx: &CheckContext, checked: &analysis::Checked) {
    let spots = offsets(text, 16);
    let at = spots[(h >> 8) as usize % spots.len()];
    let removed = (h >> 16) as usize % 4;
    let mut end = (at + removed).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let inserted = FRAGMENTS[(h >> 24) as usize % FRAGMENTS.len()];
    let mut new_text = text.to_string();
    new_text.replace_range(at..end, inserted);
    let edit = TextRange::new(at, end);
    let full = parse(&new_text);
    let mut spliced = tree.clone();
    match spliced.reparse_member(&new_text, edit, inserted.len()) {
        Some(splice) => {
            assert_eq!(
                spliced, full,
                "re-parsing one member differs from parsing anew"
            );
            if let Some(again) = check_after_splice(checked, &spliced, &splice, ctx) {
                let all = check_document(&new_text, &full, ctx);
                assert_eq!(
                    again.diagnostics, all.diagnostics,
                    "checking one entry again differs from checking the document"
                );
            }
        }
        None => assert_eq!(&spliced, tree, "a declined re-parse changed the tree"),
    }
}
