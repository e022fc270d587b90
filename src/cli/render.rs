//! rustc-style human output: the message, `file:line:col`, the source line and a caret line.
//! Lines and columns come from `text::Document`, so they agree with the editor (lone CR
//! breaks a line; columns count characters).

use std::fmt::Write;
use std::io::IsTerminal;

use super::check::CheckedFile;
use crate::analysis::{Diagnostic, Severity};

pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn severity(&self, severity: Severity) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Information => "1;36",
            Severity::Hint => "1;32",
        };
        self.paint(code, severity_word(severity))
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information => "info",
        Severity::Hint => "hint",
    }
}

/// The header and every diagnostic of one file, written as they are rendered (a file with
/// 100,000 diagnostics is never held as one string).
pub fn human(
    out: &mut impl std::io::Write,
    file: &CheckedFile,
    color: bool,
) -> std::io::Result<()> {
    out.write_all(header(file).as_bytes())?;
    let style = Style { color };
    for d in &file.diagnostics {
        out.write_all(diagnostic(file, d, &style).as_bytes())?;
    }
    Ok(())
}

/// The model and profile of a file, and the profile's warnings.
fn header(file: &CheckedFile) -> String {
    let mut out = String::new();
    let path = file.path.display();
    let profile = file.dialect.describe();
    match &file.model {
        Some((model, reason)) => {
            let _ = writeln!(
                out,
                "{path}: model {} ({reason}); profile {profile}",
                model.display()
            );
        }
        None => {
            let _ = writeln!(out, "{path}: no model paired; profile {profile}");
        }
    }
    for warning in file.dialect.warnings() {
        let _ = writeln!(out, "{path}: {warning}");
    }
    out
}

fn diagnostic(file: &CheckedFile, d: &Diagnostic, style: &Style) -> String {
    let doc = &file.document;
    let (line, col) = doc.line_col_1based(d.range.start);
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{} {}",
        style.severity(d.severity),
        style.paint("1", &format!("[{}]:", d.code.as_str())),
        style.paint("1", &d.message)
    );
    let _ = writeln!(
        out,
        "{pad}{} {}:{line}:{col}",
        style.paint("1;34", "-->"),
        file.path.display()
    );
    let line_len = doc.line_len_chars(line - 1);
    let (end_line, end_col) = doc.line_col_1based(d.range.end);
    // Underline to the end of the range, or to the end of the first line when it spans lines.
    let width = if end_line == line {
        end_col.saturating_sub(col).max(1)
    } else {
        line_len.saturating_sub(col - 1).max(1)
    };
    let (source, col, width) = snippet(doc, line - 1, line_len, col, width);
    let bar = style.paint("1;34", "|");
    let _ = writeln!(out, "{pad} {bar}");
    let _ = writeln!(
        out,
        "{} {bar} {}",
        style.paint("1;34", &line.to_string()),
        source.replace('\t', " ")
    );
    let _ = writeln!(
        out,
        "{pad} {bar} {}{}",
        " ".repeat(col - 1),
        style.paint(caret_color(d.severity), &"^".repeat(width))
    );
    for related in &d.related {
        let (rl, rc) = doc.line_col_1based(related.range.start);
        let _ = writeln!(
            out,
            "{pad} {} note: {} ({}:{rl}:{rc})",
            style.paint("1;34", "="),
            related.message,
            file.path.display()
        );
    }
    out.push('\n');
    out
}

/// Characters of context shown left of a diagnostic and at most shown of its range, on lines
/// too long to print whole (a config written on one line).
const CONTEXT: usize = 40;
const MAX_UNDERLINE: usize = 80;

/// The part of line `line` (0-based, `line_len` characters) printed under a diagnostic at
/// 1-based column `col`, underlined `width` characters: the whole line when it is short, else
/// a window around the range with `…` where it is cut. Gives the text, and the column and
/// width of the underline in it.
fn snippet(
    doc: &crate::text::Document,
    line: usize,
    line_len: usize,
    col: usize,
    width: usize,
) -> (String, usize, usize) {
    if line_len <= CONTEXT + MAX_UNDERLINE + CONTEXT {
        return (doc.line_text(line), col, width);
    }
    let width = width.min(MAX_UNDERLINE);
    let from = (col - 1).saturating_sub(CONTEXT);
    let to = (col - 1 + width + CONTEXT).min(line_len);
    let mut text = String::new();
    let mut col_in = col - from;
    if from > 0 {
        text.push('…');
        col_in += 1;
    }
    text.push_str(&doc.line_chars(line, from, to));
    if to < line_len {
        text.push('…');
    }
    (text, col_in, width)
}

fn caret_color(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Information => "1;36",
        Severity::Hint => "1;32",
    }
}

/// The last line: what was found in how many files.
pub fn summary(checked: &[CheckedFile], unreadable: usize, skipped: usize) -> String {
    let mut counts = [0usize; 4];
    for d in checked.iter().flat_map(|f| &f.diagnostics) {
        counts[d.severity as usize] += 1;
    }
    let parts: Vec<String> = [
        (counts[0], "error"),
        (counts[1], "warning"),
        (counts[2], "info"),
        (counts[3], "hint"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| {
        format!(
            "{n} {word}{}",
            if *n == 1 || *word == "info" { "" } else { "s" }
        )
    })
    .collect();
    let files = checked.len();
    let mut line = format!(
        "checked {files} file{}: {}",
        if files == 1 { "" } else { "s" },
        if parts.is_empty() {
            "no problems".to_string()
        } else {
            parts.join(", ")
        }
    );
    if skipped > 0 {
        let _ = write!(
            line,
            "; {skipped} file{} skipped",
            if skipped == 1 { "" } else { "s" }
        );
    }
    if unreadable > 0 {
        let _ = write!(
            line,
            "; {unreadable} path{} could not be read",
            if unreadable == 1 { "" } else { "s" }
        );
    }
    line.push('\n');
    line
}
