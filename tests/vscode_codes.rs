//! The VS Code extension lists the diagnostic codes (for its settings UI): the list must be the
//! server's own (`Code::ALL`, with the default severities), in order.

use qcls::analysis::Code;

#[test]
fn the_extension_lists_every_code_with_its_default_severity() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode/src/settings.ts");
    let source = std::fs::read_to_string(&path).expect("editors/vscode/src/settings.ts");
    let listed: Vec<(String, String)> = source
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("{ code: \"")?;
            let (code, rest) = rest.split_once('"')?;
            let severity = rest.split_once("defaultSeverity: \"")?.1.split_once('"')?.0;
            Some((code.to_string(), severity.to_string()))
        })
        .collect();
    let expected: Vec<(String, String)> = Code::ALL
        .iter()
        .map(|c| {
            let severity = match c {
                Code::OutOfRange => "warning or error",
                other => other.default_severity().as_str(),
            };
            (c.as_str().to_string(), severity.to_string())
        })
        .collect();
    assert_eq!(listed, expected, "DIAGNOSTIC_CODES in {}", path.display());
}
