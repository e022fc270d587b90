//! PyYAML's leniency about flow indentation: lines inside a multi-line flow collection indented
//! no deeper than the key that opened it, made readable for saphyr and mapped back.

/// Where spaces were inserted: (offset of the line start in the relaxed text, spaces inserted
/// before that line, spaces inserted at it).
pub(super) type Shifts = Vec<(usize, usize, usize)>;

/// `text` with the lines inside a multi-line flow collection indented one column past the block
/// line that opened it, when they are not; `None` when no line needed it.
pub(super) fn relax_flow_indentation(text: &str) -> Option<(String, Shifts)> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut shifts = Vec::new();
    let mut added = 0usize;
    let mut depth = 0usize;
    let mut opener_indent = 0usize;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty();
        if depth == 0 {
            opener_indent = indent;
        } else if !blank && indent <= opener_indent {
            let more = opener_indent + 1 - indent;
            shifts.push((out.len(), added, more));
            out.extend(std::iter::repeat_n(' ', more));
            added += more;
        }
        out.push_str(line);
        depth = flow_depth_after(line, depth);
    }
    (!shifts.is_empty()).then_some((out, shifts))
}

/// The flow nesting after `line`, starting at `depth` (quoted strings and comments skipped).
fn flow_depth_after(line: &str, mut depth: usize) -> usize {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if prev.is_whitespace() => break,
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    depth
}

/// A relaxed-text offset in the user's text.
pub(super) fn original(offset: usize, shifts: &Shifts) -> usize {
    let i = shifts.partition_point(|&(start, _, _)| start <= offset);
    match i.checked_sub(1).map(|k| shifts[k]) {
        None => offset,
        Some((start, before, more)) if offset < start + more => start - before,
        Some((_, before, more)) => offset - before - more,
    }
}
