//! Toolchain dialects: the precisions and sections a config may use depend on the chip the
//! model is compiled for (`march`) and on the toolchain release. qcls knows three profiles and
//! always says which one it applied.
//!
//! | profile | chosen when | sections | precisions |
//! |---|---|---|---|
//! | `nash` (default) | march `nash-*` or unknown | 4 | int8, int16, float16, float32 |
//! | `bayes` | march `bayes`, `bayes-e` (RDK X5, RDK Ultra; horizon_nn) | 3, no `subgraph_config` | int8, int16, float32 (`float` = float32) |
//! | `hmct-2.8` | toolchain `hmct-2.8` | 4 | nash's and int4, mx*, nvfp4, dual-int16, int16-ec |

use super::Locale;
use std::fmt;

/// One set of toolchain rules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Profile {
    /// OE 3.x on J6 / RDK S100 (`nash-e`, `nash-m`, `nash-p`, …): the reference page's rules.
    #[default]
    Nash,
    /// OE 1.x / horizon_nn on RDK X5 and RDK Ultra (`bayes`, `bayes-e`).
    Bayes,
    /// hmct 2.8 and later: more precisions (`model_config.search` is hmct 2.8's too, but it is
    /// accepted with every profile).
    Hmct28,
}

/// What a string value of the precision family stands for, which decides the values it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrecisionRole {
    /// `qtype` of an op, node or subgraph entry, and the search `qtype`s.
    Qtype,
    /// `input0`/`input1` of a node entry: a precision or `ec`.
    Input,
    /// `model_config.all_node_type`: `int8` is the default already, `float32` is tolerated.
    AllNodeType,
}

const NASH_Q: &[&str] = &["int8", "int16", "float16", "float32"];
const NASH_INPUT: &[&str] = &["int8", "int16", "float16", "float32", "ec"];
const NASH_ALL: &[&str] = &["int16", "float16"];

const BAYES_Q: &[&str] = &["int8", "int16", "float32"];
const BAYES_INPUT: &[&str] = &["int8", "int16", "float32", "ec"];
const BAYES_ALL: &[&str] = &["int16"];
/// horizon_nn reads `float` as float32.
const BAYES_TOLERATED: &[&str] = &["float"];
const BAYES_ALL_TOLERATED: &[&str] = &["int8", "float32", "float"];

const HMCT_Q: &[&str] = &[
    "int8",
    "int16",
    "float16",
    "float32",
    "int4",
    "mxint4",
    "mxint8",
    "mxint16",
    "mxfp4",
    "mxfp8",
    "nvfp4",
    "dual-int16",
    "int16-ec",
];
/// `dual-int16` sets both inputs of a node; on one input it means nothing.
const HMCT_INPUT: &[&str] = &[
    "int8", "int16", "float16", "float32", "int4", "mxint4", "mxint8", "mxint16", "mxfp4", "mxfp8",
    "nvfp4", "int16-ec", "ec",
];
const HMCT_ALL: &[&str] = &[
    "int16",
    "float16",
    "int4",
    "mxint4",
    "mxint8",
    "mxint16",
    "mxfp4",
    "mxfp8",
    "nvfp4",
    "dual-int16",
    "int16-ec",
];

/// `int8` restates the default and `float32` is accepted although undocumented.
const ALL_TOLERATED: &[&str] = &["int8", "float32"];

/// Precisions that only the listed op types take (hmct 2.8); elsewhere they have no effect.
pub const WIDE_PRECISIONS: &[&str] = &["dual-int16", "int16-ec"];
/// The op types that take [`WIDE_PRECISIONS`].
pub const WIDE_OPS: &[&str] = &["Conv", "ConvTranspose", "MatMul", "Gemm"];

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Nash, Profile::Bayes, Profile::Hmct28];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Nash => "nash",
            Profile::Bayes => "bayes",
            Profile::Hmct28 => "hmct-2.8",
        }
    }

    /// The profile of a chip: `bayes*` is bayes, everything else (nash-*, unknown) nash.
    pub fn of_march(march: &str) -> Profile {
        if march.trim().to_ascii_lowercase().starts_with("bayes") {
            Profile::Bayes
        } else {
            Profile::Nash
        }
    }

    /// The documented values of a precision key, and the values accepted without a diagnostic
    /// although undocumented.
    pub fn values(self, role: PrecisionRole) -> (&'static [&'static str], &'static [&'static str]) {
        use PrecisionRole::*;
        match (self, role) {
            (Profile::Nash, Qtype) => (NASH_Q, &[]),
            (Profile::Nash, Input) => (NASH_INPUT, &[]),
            (Profile::Nash, AllNodeType) => (NASH_ALL, ALL_TOLERATED),
            (Profile::Bayes, Qtype) => (BAYES_Q, BAYES_TOLERATED),
            (Profile::Bayes, Input) => (BAYES_INPUT, BAYES_TOLERATED),
            (Profile::Bayes, AllNodeType) => (BAYES_ALL, BAYES_ALL_TOLERATED),
            (Profile::Hmct28, Qtype) => (HMCT_Q, &[]),
            (Profile::Hmct28, Input) => (HMCT_INPUT, &[]),
            (Profile::Hmct28, AllNodeType) => (HMCT_ALL, ALL_TOLERATED),
        }
    }

    /// Is `value` accepted (documented or tolerated) for a key of this role?
    pub fn accepts(self, role: PrecisionRole, value: &str) -> bool {
        let (valid, tolerated) = self.values(role);
        valid.contains(&value) || tolerated.contains(&value)
    }

    /// Does the profile have `subgraph_config`?
    pub fn has_subgraphs(self) -> bool {
        self != Profile::Bayes
    }

    /// Why `value`, invalid here, would be accepted by another profile; `None` when no profile
    /// takes it.
    pub fn elsewhere(self, role: PrecisionRole, value: &str, locale: Locale) -> Option<String> {
        let zh = locale == Locale::Zh;
        if self == Profile::Bayes && Profile::Nash.accepts(role, value) {
            return Some(if zh {
                format!("bayes 不支持 \"{value}\"（加载器会报 \"Unsupported datatype settings for march bayes\"）")
            } else {
                format!("\"{value}\" is not supported on bayes (the loader raises \"Unsupported datatype settings for march bayes\")")
            });
        }
        if self == Profile::Bayes && Profile::Hmct28.accepts(role, value) {
            // hmct 2.8 is no option for a bayes chip: no setting makes this valid.
            return Some(if zh {
                format!("\"{value}\" 是 hmct 2.8 为 nash 芯片提供的精度；bayes 不支持")
            } else {
                format!("\"{value}\" is a precision of hmct 2.8 for nash chips; bayes does not support it")
            });
        }
        if self != Profile::Hmct28 && Profile::Hmct28.accepts(role, value) {
            return Some(if zh {
                format!("\"{value}\" 需要 hmct 2.8 或更高版本：把 qcls.toolchain 设为 \"hmct-2.8\"（或添加 `// qcls-toolchain: hmct-2.8`）")
            } else {
                format!("\"{value}\" needs hmct 2.8 or later: set qcls.toolchain to \"hmct-2.8\" (or add `// qcls-toolchain: hmct-2.8`)")
            });
        }
        None
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a march or toolchain setting came from, for messages.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DialectSource {
    CommandLine,
    /// A `// qcls-march:` or `// qcls-toolchain:` comment.
    Directive,
    /// The client setting `qcls.march` or `qcls.toolchain`.
    Setting,
    /// `model_parameters.march` of the hb_compile YAML that names this config (its path).
    Yaml(String),
}

impl DialectSource {
    fn describe(&self, key: &str) -> String {
        match self {
            DialectSource::CommandLine => format!("--{key}"),
            DialectSource::Directive => format!("the `// qcls-{key}:` comment"),
            DialectSource::Setting => format!("the qcls.{key} setting"),
            DialectSource::Yaml(path) => path.clone(),
        }
    }
}

/// The toolchain releases qcls knows (`qcls.toolchain`).
pub const TOOLCHAINS: &[&str] = &["oe3", "hmct-2.8"];

/// The rules a document is checked with, and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dialect {
    pub profile: Profile,
    /// The chip, when one was given, and where.
    pub march: Option<(String, DialectSource)>,
    /// The toolchain release, when one was given, and where.
    pub toolchain: Option<(String, DialectSource)>,
}

impl Dialect {
    /// The dialect of a march and a toolchain release (each the first one found). A bayes chip
    /// never runs hmct 2.8, so its march wins over the toolchain.
    pub fn choose(
        march: Option<(String, DialectSource)>,
        toolchain: Option<(String, DialectSource)>,
    ) -> Dialect {
        let by_march = march.as_ref().map(|(m, _)| Profile::of_march(m));
        let hmct = toolchain.as_ref().is_some_and(|(t, _)| is_hmct28(t.trim()));
        let profile = match by_march {
            Some(Profile::Bayes) => Profile::Bayes,
            _ if hmct => Profile::Hmct28,
            Some(p) => p,
            None => Profile::Nash,
        };
        Dialect {
            profile,
            march,
            toolchain,
        }
    }

    /// A profile alone, as tests and callers without settings use it.
    pub fn of(profile: Profile) -> Dialect {
        Dialect {
            profile,
            ..Dialect::default()
        }
    }

    /// "nash (default)", "bayes (march bayes-e from the `// qcls-march:` comment)", …
    pub fn describe(&self) -> String {
        let mut why = Vec::new();
        if let Some((march, source)) = &self.march {
            why.push(format!("march {march} from {}", source.describe("march")));
        }
        if let Some((toolchain, source)) = &self.toolchain {
            if self.profile == Profile::Hmct28 || !is_oe3(toolchain) {
                why.push(format!(
                    "toolchain {toolchain} from {}",
                    source.describe("toolchain")
                ));
            }
        }
        if why.is_empty() && self.profile == Profile::default() {
            format!("{} (default)", self.profile)
        } else if why.is_empty() {
            self.profile.to_string()
        } else {
            format!("{} ({})", self.profile, why.join(", "))
        }
    }

    /// A problem with the given march or toolchain text itself, for a message to the user.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some((toolchain, source)) = &self.toolchain {
            if !TOOLCHAINS.contains(&toolchain.trim()) && !is_hmct28(toolchain.trim()) {
                out.push(format!(
                    "unknown toolchain \"{toolchain}\" (from {}); expected one of {}; using {}",
                    source.describe("toolchain"),
                    TOOLCHAINS.join(", "),
                    self.profile
                ));
            }
        }
        out
    }
}

fn is_oe3(toolchain: &str) -> bool {
    toolchain.trim().eq_ignore_ascii_case("oe3")
}

/// `hmct-2.8`, and later releases written the same way (`hmct-2.9`, `hmct-3.0`).
fn is_hmct28(toolchain: &str) -> bool {
    let Some(version) = toolchain
        .to_ascii_lowercase()
        .strip_prefix("hmct-")
        .map(str::to_string)
    else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor) >= (2, 8),
        (Some(major), None) => major >= 3,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn march_picks_the_profile() {
        assert_eq!(Profile::of_march("bayes-e"), Profile::Bayes);
        assert_eq!(Profile::of_march("BAYES"), Profile::Bayes);
        assert_eq!(Profile::of_march("nash-e"), Profile::Nash);
        assert_eq!(Profile::of_march("something-new"), Profile::Nash);
    }

    #[test]
    fn toolchain_picks_hmct_unless_the_chip_is_bayes() {
        let t = |s: &str| Some((s.to_string(), DialectSource::Setting));
        let m = |s: &str| Some((s.to_string(), DialectSource::Directive));
        assert_eq!(
            Dialect::choose(None, t("hmct-2.8")).profile,
            Profile::Hmct28
        );
        assert_eq!(
            Dialect::choose(None, t("hmct-2.10")).profile,
            Profile::Hmct28
        );
        assert_eq!(Dialect::choose(None, t("hmct-2.7")).profile, Profile::Nash);
        assert_eq!(Dialect::choose(None, t("oe3")).profile, Profile::Nash);
        assert_eq!(
            Dialect::choose(m("nash-p"), t("hmct-2.8")).profile,
            Profile::Hmct28
        );
        assert_eq!(
            Dialect::choose(m("bayes-e"), t("hmct-2.8")).profile,
            Profile::Bayes
        );
    }

    #[test]
    fn describe_names_the_source() {
        assert_eq!(Dialect::default().describe(), "nash (default)");
        let d = Dialect::choose(
            Some(("bayes-e".into(), DialectSource::Directive)),
            Some(("oe3".into(), DialectSource::Setting)),
        );
        assert_eq!(
            d.describe(),
            "bayes (march bayes-e from the `// qcls-march:` comment)"
        );
    }

    #[test]
    fn float16_on_bayes_says_why() {
        let why = Profile::Bayes
            .elsewhere(PrecisionRole::Qtype, "float16", Locale::En)
            .expect("explained");
        assert!(
            why.contains("Unsupported datatype settings for march bayes"),
            "{why}"
        );
        let why = Profile::Nash
            .elsewhere(PrecisionRole::Qtype, "int16-ec", Locale::En)
            .expect("explained");
        assert!(why.contains("hmct 2.8"), "{why}");
        assert_eq!(
            Profile::Nash.elsewhere(PrecisionRole::Qtype, "int32", Locale::En),
            None
        );
        // No setting helps a bayes chip to an hmct precision: the message must not offer one.
        let why = Profile::Bayes
            .elsewhere(PrecisionRole::Qtype, "int16-ec", Locale::En)
            .expect("explained");
        assert!(!why.contains("qcls.toolchain"), "{why}");
    }

    #[test]
    fn unknown_toolchain_is_reported() {
        let d = Dialect::choose(None, Some(("oe4".into(), DialectSource::CommandLine)));
        assert_eq!(d.profile, Profile::Nash);
        assert!(d.warnings()[0].contains("unknown toolchain \"oe4\""));
    }
}
