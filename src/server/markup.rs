//! Hover Markdown for clients that render less of it than VS Code.
//!
//! The analysis writes one Markdown for every client. VS Code renders its tables; Helix, Neovim
//! (0.7 to 0.11 floating windows) and most other clients show the `| … |` rows as they are,
//! which is unreadable for the precision table of a node. For them a table becomes aligned text
//! in a code block, which every client shows in a fixed-width font.

/// Whether the client renders Markdown tables, by the name in its `clientInfo`: VS Code and the
/// editors built on it do.
pub fn renders_tables(client_name: Option<&str>) -> bool {
    const VS_CODE_FAMILY: &[&str] = &[
        "Visual Studio Code",
        "code-server",
        "Code - OSS",
        "VSCodium",
        "Cursor",
        "Windsurf",
    ];
    client_name.is_some_and(|name| VS_CODE_FAMILY.iter().any(|f| name.contains(f)))
}

/// `markdown` with every table rewritten as aligned columns: in a fenced code block when
/// `fenced` (Markdown clients), as bare lines otherwise (plain-text clients).
pub fn tables_as_text(markdown: &str, fenced: bool) -> String {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = String::with_capacity(markdown.len() + 64);
    let mut i = 0;
    while i < lines.len() {
        let table_len = table_at(&lines[i..]);
        if table_len == 0 {
            out.push_str(lines[i]);
            out.push('\n');
            i += 1;
            continue;
        }
        let mut rows: Vec<Vec<String>> = lines[i..i + table_len]
            .iter()
            .enumerate()
            // The second line is the `|---|` separator.
            .filter(|(k, _)| *k != 1)
            .map(|(_, line)| cells(line))
            .collect();
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        for row in &mut rows {
            row.resize(columns, String::new());
        }
        let widths: Vec<usize> = (0..columns)
            .map(|c| rows.iter().map(|r| width(&r[c])).max().unwrap_or(0))
            .collect();
        if fenced {
            out.push_str("```text\n");
        }
        for (k, row) in rows.iter().enumerate() {
            push_row(&mut out, row, &widths);
            if k == 0 {
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                push_row(&mut out, &rule, &widths);
            }
        }
        if fenced {
            out.push_str("```\n");
        }
        i += table_len;
    }
    if !markdown.ends_with('\n') && out.ends_with('\n') {
        out.pop();
    }
    out
}

/// How many lines of a table start `lines`: a header row, a `|---|` separator, then rows; 0 when
/// no table starts here.
fn table_at(lines: &[&str]) -> usize {
    let is_row = |l: &str| l.trim_start().starts_with('|');
    let is_separator = |l: &str| {
        let t = l.trim();
        t.starts_with('|')
            && t.contains('-')
            && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
    };
    match lines {
        [header, separator, ..] if is_row(header) && is_separator(separator) => {
            2 + lines[2..].iter().take_while(|l| is_row(l)).count()
        }
        _ => 0,
    }
}

/// The cells of one row, without the code and emphasis marks a code block would show as they
/// are; `\|` is a literal bar.
fn cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = line.trim().trim_start_matches('|').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    if !cell.trim().is_empty() {
        cells.push(cell);
    }
    cells
        .into_iter()
        .map(|c| c.replace("**", "").replace('`', "").trim().to_string())
        .collect()
}

fn push_row(out: &mut String, row: &[String], widths: &[usize]) {
    let mut line = String::new();
    for (k, (cell, w)) in row.iter().zip(widths).enumerate() {
        if k > 0 {
            line.push_str("  ");
        }
        line.push_str(cell);
        line.extend(std::iter::repeat_n(' ', w.saturating_sub(width(cell))));
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// Columns a fixed-width font gives `s`: East Asian wide characters (the Chinese of zh-CN hovers)
/// take two.
fn width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOVER: &str = "**/conv1/Conv**\n\n`Conv` node  \nInputs: `input`\n\n| input | tensor | precision | decided by |\n|---|---|---|---|\n| 0 | `input` | int8 | all_node_type (default) |\n| 1 | `a\\|b` (weight) | ec (int8 with error compensation) | node_config./conv1/Conv.input1 (line 5) |\n\nProfile: nash";

    #[test]
    fn a_table_becomes_aligned_columns_in_a_code_block() {
        let text = tables_as_text(HOVER, true);
        let expected = "**/conv1/Conv**\n\n`Conv` node  \nInputs: `input`\n\n```text\n\
input  tensor        precision                          decided by\n\
-----  ------------  ---------------------------------  ---------------------------------------\n\
0      input         int8                               all_node_type (default)\n\
1      a|b (weight)  ec (int8 with error compensation)  node_config./conv1/Conv.input1 (line 5)\n\
```\n\nProfile: nash";
        assert_eq!(text, expected);
    }

    #[test]
    fn plain_text_has_no_fence() {
        let text = tables_as_text(HOVER, false);
        assert!(!text.contains("```"), "{text}");
        assert!(text.contains("\n0      input "), "{text}");
    }

    #[test]
    fn text_without_tables_is_unchanged() {
        for s in ["", "a | b", "| not a table\nbecause no separator", "x\n\n"] {
            assert_eq!(tables_as_text(s, true), s);
        }
    }

    #[test]
    fn chinese_cells_are_two_columns_wide() {
        let md = "| 输入 | 精度 |\n|---|---|\n| 0 | int8 |";
        assert_eq!(
            tables_as_text(md, false),
            "输入  精度\n----  ----\n0     int8"
        );
    }

    #[test]
    fn vs_code_and_its_forks_render_tables() {
        assert!(renders_tables(Some("Visual Studio Code")));
        assert!(renders_tables(Some("Visual Studio Code - Insiders")));
        assert!(renders_tables(Some("code-server")));
        assert!(!renders_tables(Some("helix")));
        assert!(!renders_tables(Some("Neovim")));
        assert!(!renders_tables(None));
    }
}
