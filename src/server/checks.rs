//! The last check of each open document, so that the next version is checked from it
//! ([`analysis::check_after_splice`]) and a code-action request for the same version does not
//! check again. An entry is used only when everything besides the text that decides the
//! diagnostics (the model, the directive, the user's severities, the toolchain profile, the
//! language of the messages) is the same.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tower_lsp_server::ls_types::Uri;

use super::documents::Snapshot;
use crate::analysis::{self, CheckContext, Checked, DiagnosticConfig, ModelStatus};
use crate::model::ModelIndex;
use crate::spec::{Dialect, Locale};
use crate::syntax::Parse;

/// What a check depended on besides the text.
#[derive(Clone, Debug)]
struct Inputs {
    model: ModelKey,
    directive: Option<String>,
    config: DiagnosticConfig,
    dialect: Dialect,
    locale: Locale,
    stale_model: Option<String>,
}

#[derive(Clone, Debug)]
enum ModelKey {
    Unpaired,
    Missing(String),
    Unreadable(String),
    /// Held, so that a reloaded model can never be mistaken for this one by address.
    Loaded(Arc<ModelIndex>),
}

impl PartialEq for Inputs {
    fn eq(&self, other: &Self) -> bool {
        let model = match (&self.model, &other.model) {
            (ModelKey::Unpaired, ModelKey::Unpaired) => true,
            (ModelKey::Missing(a), ModelKey::Missing(b)) => a == b,
            (ModelKey::Unreadable(a), ModelKey::Unreadable(b)) => a == b,
            (ModelKey::Loaded(a), ModelKey::Loaded(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        model
            && self.directive == other.directive
            && self.config == other.config
            && self.dialect == other.dialect
            && self.locale == other.locale
            && self.stale_model == other.stale_model
    }
}

#[derive(Debug)]
struct Entry {
    generation: u64,
    inputs: Inputs,
    checked: Arc<Checked>,
}

#[derive(Debug, Default)]
pub struct Checks {
    map: Mutex<HashMap<Uri, Entry>>,
}

impl Checks {
    fn lock(&self) -> MutexGuard<'_, HashMap<Uri, Entry>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Was the document checked at `generation`, against no model or a loaded one of at most
    /// `max_nodes` nodes? Then its pairing is settled and its model in memory: a request on
    /// that version reads nothing from disk (short of a settings change since).
    pub fn checked_with_small_model(&self, uri: &Uri, generation: u64, max_nodes: usize) -> bool {
        self.lock().get(uri).is_some_and(|entry| {
            entry.generation == generation
                && match &entry.inputs.model {
                    ModelKey::Loaded(model) => model.node_count() <= max_nodes,
                    ModelKey::Unpaired | ModelKey::Missing(_) => true,
                    // Asking again may read the file again.
                    ModelKey::Unreadable(_) => false,
                }
        })
    }

    /// The check of `parse` (the snapshot's document, or the quant_config written inside a
    /// YAML) in `ctx`: the stored one for this version, else from the stored
    /// one of an earlier version when only one node_config entry changed since, else a full
    /// check. `model` is the `Arc` behind `ctx.model`, when loaded.
    pub fn checked(
        &self,
        snap: &Snapshot,
        parse: &Parse,
        ctx: &CheckContext,
        model: Option<&Arc<ModelIndex>>,
        directive: Option<&str>,
    ) -> Arc<Checked> {
        let inputs = Inputs {
            model: match (&ctx.model, model) {
                (ModelStatus::Loaded(_), Some(m)) => ModelKey::Loaded(m.clone()),
                (ModelStatus::Missing { message }, _) => ModelKey::Missing(message.clone()),
                (ModelStatus::Unreadable { message }, _) => ModelKey::Unreadable(message.clone()),
                _ => ModelKey::Unpaired,
            },
            directive: directive.map(str::to_string),
            config: ctx.config.clone(),
            dialect: ctx.dialect.clone(),
            locale: ctx.locale,
            stale_model: ctx.stale_model.clone(),
        };
        let prev = self
            .lock()
            .get(&snap.uri)
            .and_then(|e| (e.inputs == inputs).then(|| (e.generation, e.checked.clone())));
        let checked = match prev {
            Some((generation, checked)) if generation == snap.generation => return checked,
            Some((generation, prev)) => snap
                .reuse
                .iter()
                .find(|(g, _)| *g == generation)
                .and_then(|(_, splice)| analysis::check_after_splice(&prev, parse, splice, ctx)),
            None => None,
        };
        let checked =
            Arc::new(checked.unwrap_or_else(|| analysis::check_document(&snap.text, parse, ctx)));
        let mut map = self.lock();
        // Generations only grow: never replace a newer version's check with an older one.
        if map
            .get(&snap.uri)
            .is_none_or(|e| e.generation <= snap.generation)
        {
            map.insert(
                snap.uri.clone(),
                Entry {
                    generation: snap.generation,
                    inputs,
                    checked: checked.clone(),
                },
            );
        }
        checked
    }

    pub fn forget(&self, uri: &Uri) {
        self.lock().remove(uri);
    }
}
