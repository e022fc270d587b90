//! Accept/reject verdicts of Python's `json.loads` (recorded with CPython 3.11; the test does
//! not need Python) against `parse`: no errors exactly when Python accepts.

use qcls::syntax::parse;

/// (text, Python accepts it)
const CASES: &[(&str, bool)] = &[
    ("{}", true),
    ("[]", true),
    ("{\"a\": 1}", true),
    ("{\"a\": 1,}", false),
    ("[1,]", false),
    ("[1,,2]", false),
    ("{'a': 1}", false),
    ("{\"a\": 'x'}", false),
    ("{a: 1}", false),
    ("{\"a\": 0x1F}", false),
    ("{\"a\": +1}", false),
    ("{\"a\": 01}", false),
    ("{\"a\": -01}", false),
    ("{\"a\": .5}", false),
    ("{\"a\": 5.}", false),
    ("{\"a\": -0}", true),
    ("{\"a\": 1e400}", true),
    ("{\"a\": 1E+5}", true),
    ("{\"a\": 1e}", false),
    ("{\"a\": -}", false),
    ("{\"a\": \"\\ud800\"}", true),
    ("{\"a\": \"\\udc00x\"}", true),
    ("{\"a\": \"\\ud83d\\ude00\"}", true),
    ("{\"a\": \"\\x41\"}", false),
    ("{\"a\": \"\\'\"}", false),
    ("{\"a\": \"\\v\"}", false),
    ("{\"a\": \"\\u12\"}", false),
    ("{\"a\": \"\\uZZZZ\"}", false),
    ("\"\t\"", false),
    ("\"a\nb\"", false),
    ("\"\u{1f}\"", false),
    ("\"\u{7f}\"", true),
    ("{} {}", false),
    ("", false),
    ("   ", false),
    ("{\"a\": 1 \"b\": 2}", false),
    ("{\"a\": true, \"a\": false}", true),
    ("{\"a\": tru}", false),
    ("{\"a\": True}", false),
    ("{\"a\": null}", true),
    ("{\"a\": None}", false),
    ("\u{feff}{}", false),
    ("{\"a\":\u{a0}1}", false),
    ("{\"a\":\u{b}1}", false),
    ("{\"a\":\u{c}1}", false),
    ("{\"a\": [1 2]}", false),
    ("1.5e-3", true),
    ("-1.0E+2", true),
    ("\"\u{e9}\u{4e2d}\u{1f600}\"", true),
    ("{\"\u{4e2d}\u{6587}\": \"\u{952e}\"}", true),
    ("{\"a\": \"b\"]", false),
    ("[", false),
    ("{", false),
    ("{\"a\"", false),
    ("{\"a\":", false),
    ("\"abc", false),
    ("{\"a\": 1}}", false),
    ("0", true),
    ("-", false),
    ("1.2.3", false),
    (
        "{\"a\": 1, \"b\": [true, false, null], \"c\": {\"d\": -0.0e0}}",
        true,
    ),
    ("{\"a\":\"\\/\"}", true),
    ("{\"a\": \"\\u00e9\"}", true),
    ("[1e5, 1E-5, 0.0, -0.5]", true),
    ("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", true),
    ("{\"a\" : 1 , \"b\" : 2 }", true),
    ("\r\n{\r\n\"a\":1\r\n}\r\n", true),
    ("{\"a\": \"\\u00\"}", false),
    ("[-]", false),
    ("[1.]", false),
    ("[1e+]", false),
    ("[\"a\\", false),
    ("[0.5e-07]", true),
    ("{\"\":\"\"}", true),
    ("[[[]]]", true),
    ("{\"a\":{\"b\":{}}}", true),
    ("[true false]", false),
    ("nul", false),
    ("[nulls]", false),
    ("{\"a\" 1}", false),
    ("{1: 2}", false),
    ("[1}", false),
    ("{]", false),
    ("\"\\u0000\"", true),
    ("\"\u{0}\"", false),
    ("[1,2", false),
    ("{\"a\":1,\"b\"}", false),
    ("\"\\uD834\\uDD1E\"", true),
    ("\"\\ud834\\u0041\"", true),
];

/// Python's `json.loads` accepts these, but the quant_config contract rejects them:
/// they are not JSON and no setting takes a non-finite number.
const REJECTED_BY_CONTRACT: &[&str] = &["{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\": -Infinity}"];

#[test]
fn verdicts_match_python_json_loads() {
    let mut wrong = Vec::new();
    for &(text, python_accepts) in CASES {
        let p = parse(text);
        if p.errors.is_empty() != python_accepts {
            wrong.push((text, python_accepts, p.errors));
        }
    }
    assert!(wrong.is_empty(), "verdicts differ from Python: {wrong:#?}");
}

#[test]
fn non_finite_numbers_are_rejected_although_python_reads_them() {
    for text in REJECTED_BY_CONTRACT {
        assert_eq!(parse(text).errors.len(), 1, "{text}");
    }
}
