//! The quant_config rules as data: every key with its type, valid values, range, default
//! and documentation (English and Chinese). The analysis layer checks documents against this
//! table and the JSON Schema in `schemas/` is generated from it.

mod dialect;
pub mod hb_compile;
mod keys;
pub mod schema;

pub use dialect::{
    Dialect, DialectSource, PrecisionRole, Profile, TOOLCHAINS, WIDE_OPS, WIDE_PRECISIONS,
};
pub use keys::{
    lookup_level, ACTIVATION, BIAS_CORRECTION, EC, EC_OPS, LAYERWISE_SEARCH, LEGACY_KEYS, METRICS,
    MODELWISE_SEARCH, MODEL_CONFIG, NODE_ENTRY, OP_ENTRY, QTYPES, SEARCH, SEARCH_LAYER,
    SUBGRAPH_ENTRY, TOP, WEIGHT,
};

/// Documentation text in the two languages we ship.
#[derive(Clone, Copy, Debug)]
pub struct Doc {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Doc {
    pub fn get(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::En => self.en,
            Locale::Zh => self.zh,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Locale {
    #[default]
    En,
    Zh,
}

impl Locale {
    /// `zh`, `zh-CN`, `zh_TW`… are Chinese; anything else is English.
    pub fn from_tag(tag: &str) -> Locale {
        if tag.to_ascii_lowercase().starts_with("zh") {
            Locale::Zh
        } else {
            Locale::En
        }
    }
}

/// One key at one level of the file.
#[derive(Debug)]
pub struct KeySpec {
    pub name: &'static str,
    pub value: ValueSpec,
    /// The toolchain's default, as it would be written in JSON.
    pub default: Option<&'static str>,
    pub doc: Doc,
}

/// What a key's value must be.
#[derive(Debug)]
pub enum ValueSpec {
    /// An object with a fixed set of keys.
    Object(&'static Level),
    /// An object whose keys the user names (op types, node names, subgraph names); each value
    /// is an object of the given level.
    Map(MapKind, &'static Level),
    Scalar(Scalar),
    /// A non-empty list of tensor names (subgraph inputs and outputs).
    TensorNames,
    /// An object the loader accepts whatever it holds (`model_config.experimental`).
    AnyObject,
    /// Any value: a key whose value may take several shapes (an hb_compile YAML's
    /// `quant_config` is a path, a mapping or null), checked elsewhere if at all.
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKind {
    OpType,
    NodeName,
    SubgraphName,
}

/// A set of keys that may appear together in one object.
#[derive(Debug)]
pub struct Level {
    /// The dotted path used in messages, e.g. `model_config.activation`.
    pub path: &'static str,
    pub keys: &'static [KeySpec],
    /// Keys the older horizon_nn loader used here (accepted, with a warning).
    pub legacy: &'static [Legacy],
    /// Keys besides `keys` are accepted unchecked (a section whose full set qcls does not know).
    pub open: bool,
}

impl Level {
    pub fn key(&self, name: &str) -> Option<&'static KeySpec> {
        self.keys.iter().find(|k| k.name == name)
    }
    pub fn legacy_key(&self, name: &str) -> Option<&'static Legacy> {
        self.legacy.iter().find(|k| k.name == name)
    }
    pub fn key_names(&self) -> impl Iterator<Item = &'static str> {
        self.keys.iter().map(|k| k.name)
    }
}

/// A legacy key and the key that replaces it (None when there is no direct replacement).
#[derive(Debug)]
pub struct Legacy {
    pub name: &'static str,
    pub replacement: Option<&'static str>,
    pub values: &'static [&'static str],
    /// The values follow the active profile (`values` holds nash's).
    pub precision: Option<PrecisionRole>,
    pub doc: Doc,
}

impl Legacy {
    /// The values this key takes under `profile`: documented, and tolerated.
    pub fn values_in(
        &self,
        profile: Profile,
    ) -> (&'static [&'static str], &'static [&'static str]) {
        match self.precision {
            Some(role) => profile.values(role),
            None => (self.values, &[]),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    String,
    Int,
    Float,
    Bool,
}

impl ScalarType {
    pub fn name(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (ScalarType::String, Locale::En) => "a string",
            (ScalarType::Int, Locale::En) => "an integer",
            (ScalarType::Float, Locale::En) => "a float",
            (ScalarType::Bool, Locale::En) => "a boolean",
            (ScalarType::String, Locale::Zh) => "字符串",
            (ScalarType::Int, Locale::Zh) => "整数",
            (ScalarType::Float, Locale::Zh) => "浮点数",
            (ScalarType::Bool, Locale::Zh) => "布尔值",
        }
    }
}

#[derive(Debug)]
pub struct Scalar {
    pub ty: ScalarType,
    /// A list of values is allowed too (the toolchain searches over them).
    pub list: bool,
    /// For strings: the documented valid values (empty = any string).
    pub values: &'static [&'static str],
    /// Values the toolchain accepts although they are not documented; no diagnostic.
    pub tolerated: &'static [&'static str],
    /// A precision key: its values follow the active profile (`values` and `tolerated` hold
    /// nash's, the default).
    pub precision: Option<PrecisionRole>,
    pub min: Option<Bound>,
    pub max: Option<Bound>,
}

/// One end of a numeric range and what the toolchain does with a value beyond it.
#[derive(Clone, Copy, Debug)]
pub struct Bound {
    pub value: f64,
    pub inclusive: bool,
    pub beyond: Beyond,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Beyond {
    /// The toolchain replaces the value with this one and logs a warning.
    ClampTo(f64),
    /// The toolchain rejects the value.
    Reject,
}

impl Scalar {
    /// The values this key takes under `profile`: documented, and tolerated.
    pub fn values_in(
        &self,
        profile: Profile,
    ) -> (&'static [&'static str], &'static [&'static str]) {
        match self.precision {
            Some(role) => profile.values(role),
            None => (self.values, self.tolerated),
        }
    }
}

impl Bound {
    /// True when `v` lies on the valid side of this bound used as a minimum.
    pub fn admits_as_min(&self, v: f64) -> bool {
        if self.inclusive {
            v >= self.value
        } else {
            v > self.value
        }
    }
    pub fn admits_as_max(&self, v: f64) -> bool {
        if self.inclusive {
            v <= self.value
        } else {
            v < self.value
        }
    }
}

/// The `ec` table as one line of prose, e.g. for messages: "Conv/ConvTranspose input1, MatMul
/// input0 or input1, GridSample/Resize input0". Op types that share their inputs are grouped.
pub fn ec_table_text() -> String {
    let mut groups: Vec<(Vec<&str>, &[usize])> = Vec::new();
    for &(op, inputs) in EC_OPS {
        match groups.iter_mut().find(|(_, i)| *i == inputs) {
            Some((ops, _)) => ops.push(op),
            None => groups.push((vec![op], inputs)),
        }
    }
    groups
        .iter()
        .map(|(ops, inputs)| {
            let inputs: Vec<String> = inputs.iter().map(|i| format!("input{i}")).collect();
            format!("{} {}", ops.join("/"), inputs.join(" or "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every level reachable from the top, for tests and the schema.
pub fn all_levels() -> [&'static Level; 12] {
    [
        &TOP,
        &MODEL_CONFIG,
        &ACTIVATION,
        &WEIGHT,
        &BIAS_CORRECTION,
        &MODELWISE_SEARCH,
        &LAYERWISE_SEARCH,
        &SEARCH,
        &SEARCH_LAYER,
        &OP_ENTRY,
        &NODE_ENTRY,
        &SUBGRAPH_ENTRY,
    ]
}

#[cfg(test)]
mod tests;
