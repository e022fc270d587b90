//! rustc-style human output: the message, `file:line:col`, the source line and a caret line.
//! Lines and columns come from `text::IndexedText`, which gives the positions the server's
//! `text::Document` gives, so they agree with the editor (lone CR breaks a line; columns count
//! characters).

use std::fmt::{self, Display, Write as _};
use std::io::{IsTerminal, Write};

use super::check::CheckedFile;
use crate::analysis::{Diagnostic, Severity};
use crate::text::IndexedText;

pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// Text in an ANSI style when the output is a terminal, written as it is: no string is made
/// for a piece of a line (a file can have 100,000 diagnostics).
struct Paint<'a, T: Display> {
    style: &'a str,
    color: bool,
    text: T,
}

impl<T: Display> Display for Paint<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.color {
            write!(f, "\x1b[{}m{}\x1b[0m", self.style, self.text)
        } else {
            self.text.fmt(f)
        }
    }
}

struct Style {
    color: bool,
}

impl Style {
    fn paint<'a, T: Display>(&self, style: &'a str, text: T) -> Paint<'a, T> {
        Paint {
            style,
            color: self.color,
            text,
        }
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
pub fn human(out: &mut impl Write, file: &CheckedFile, color: bool) -> std::io::Result<()> {
    out.write_all(header(file).as_bytes())?;
    let style = Style { color };
    let path = file.path.display().to_string();
    for d in &file.diagnostics {
        diagnostic(out, &file.text, &path, d, &style)?;
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

/// `count` spaces or carets, written a run at a time (not a character at a time, nor as a
/// string made for them).
struct Repeat {
    run: &'static str,
    count: usize,
}

const SPACES: &str = "                                                                ";
const CARETS: &str = "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^";

fn spaces(count: usize) -> Repeat {
    Repeat { run: SPACES, count }
}

fn carets(count: usize) -> Repeat {
    Repeat { run: CARETS, count }
}

impl Display for Repeat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut left = self.count;
        while left > 0 {
            let n = left.min(self.run.len());
            f.write_str(&self.run[..n])?;
            left -= n;
        }
        Ok(())
    }
}

/// A line of source with its tabs shown as spaces (so that the caret line below lines up).
struct Untabbed<'a>(&'a str);

impl Display for Untabbed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.split('\t').enumerate().try_for_each(|(i, part)| {
            if i > 0 {
                f.write_char(' ')?;
            }
            f.write_str(part)
        })
    }
}

fn diagnostic(
    out: &mut impl Write,
    doc: &IndexedText,
    path: &str,
    d: &Diagnostic,
    style: &Style,
) -> std::io::Result<()> {
    let (line, col) = doc.line_col_1based(d.range.start);
    let gutter = line.checked_ilog10().unwrap_or(0) as usize + 1;
    let pad = spaces(gutter);

    writeln!(
        out,
        "{}{} {}",
        style.paint(severity_color(d.severity), severity_word(d.severity)),
        style.paint("1", format_args!("[{}]:", d.code.as_str())),
        style.paint("1", &d.message)
    )?;
    writeln!(
        out,
        "{pad}{} {path}:{line}:{col}",
        style.paint("1;34", "-->")
    )?;
    let line_len = doc.line_len_chars(line - 1);
    let (end_line, end_col) = doc.line_col_1based(d.range.end);
    // Underline to the end of the range, or to the end of the first line when it spans lines.
    let width = if end_line == line {
        end_col.saturating_sub(col).max(1)
    } else {
        line_len.saturating_sub(col - 1).max(1)
    };
    let (cut_before, source, cut_after, col, width) = snippet(doc, line - 1, line_len, col, width);
    let bar = style.paint("1;34", "|");
    writeln!(out, "{pad} {bar}")?;
    writeln!(
        out,
        "{} {bar} {cut_before}{}{cut_after}",
        style.paint("1;34", line),
        Untabbed(source)
    )?;
    writeln!(
        out,
        "{pad} {bar} {}{}",
        spaces(col - 1),
        style.paint(severity_color(d.severity), carets(width))
    )?;
    for related in &d.related {
        let (rl, rc) = doc.line_col_1based(related.range.start);
        writeln!(
            out,
            "{pad} {} note: {} ({path}:{rl}:{rc})",
            style.paint("1;34", "="),
            related.message,
        )?;
    }
    out.write_all(b"\n")
}

/// Characters of context shown left of a diagnostic and at most shown of its range, on lines
/// too long to print whole (a config written on one line).
const CONTEXT: usize = 40;
const MAX_UNDERLINE: usize = 80;

/// The part of line `line` (0-based, `line_len` characters) printed under a diagnostic at
/// 1-based column `col`, underlined `width` characters: the whole line when it is short, else
/// a window around the range with `…` where it is cut. Gives what is written before the text,
/// the text, what is written after it, and the column and width of the underline.
fn snippet(
    doc: &IndexedText,
    line: usize,
    line_len: usize,
    col: usize,
    width: usize,
) -> (&'static str, &str, &'static str, usize, usize) {
    if line_len <= CONTEXT + MAX_UNDERLINE + CONTEXT {
        return ("", doc.line_text(line), "", col, width);
    }
    let width = width.min(MAX_UNDERLINE);
    let from = (col - 1).saturating_sub(CONTEXT);
    let to = (col - 1 + width + CONTEXT).min(line_len);
    let (before, col) = if from > 0 {
        ("…", col - from + 1)
    } else {
        ("", col - from)
    };
    let after = if to < line_len { "…" } else { "" };
    (before, doc.line_chars(line, from, to), after, col, width)
}

fn severity_color(severity: Severity) -> &'static str {
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
