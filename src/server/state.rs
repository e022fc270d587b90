//! What the server knows: the documents, the session (client capabilities, encoding,
//! settings) and the models.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, RwLock};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tower_lsp_server::ls_types::Uri;

use super::capabilities::ClientFlags;
use super::checks::Checks;
use super::documents::Documents;
use super::models::ModelStore;
use super::settings::ClientSettings;
use crate::spec::Locale;
use crate::text::PositionEncoding;

/// Set once by `initialize`, changed by settings.
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub encoding: PositionEncoding,
    pub flags: ClientFlags,
    pub settings: ClientSettings,
    /// The `locale` of the initialize request.
    pub client_locale: Option<String>,
    /// The `clientInfo.name` of the initialize request.
    pub client_name: Option<String>,
    pub workspace_root: Option<PathBuf>,
}

impl Session {
    /// `qcls.locale` wins over the client's locale.
    pub fn locale(&self) -> Locale {
        self.settings
            .locale
            .as_deref()
            .or(self.client_locale.as_deref())
            .map(Locale::from_tag)
            .unwrap_or_default()
    }

    /// How many diagnostics of one document are sent at most (`qcls.maxDiagnostics`).
    pub fn max_diagnostics(&self) -> usize {
        /// What VS Code shows of one file.
        const DEFAULT: usize = 1000;
        self.settings.max_diagnostics.unwrap_or(DEFAULT)
    }

    /// Whether hovers may hold Markdown tables: `qcls.hoverTables` wins over what the client's
    /// name tells.
    pub fn markdown_tables(&self) -> bool {
        self.settings
            .hover_tables
            .unwrap_or_else(|| super::markup::renders_tables(self.client_name.as_deref()))
    }
}

/// Work for the analysis task.
#[derive(Debug)]
pub enum Job {
    /// The document changed, opened or closed.
    Check(Uri),
    /// Settings or files on disk changed: every open document.
    CheckAll,
}

#[derive(Debug)]
pub struct State {
    pub docs: Documents,
    pub models: ModelStore,
    pub checks: Checks,
    session: RwLock<Session>,
    pub jobs: UnboundedSender<Job>,
    /// Taken by `initialize`, which starts the analysis task.
    pub job_receiver: Mutex<Option<UnboundedReceiver<Job>>>,
    /// Problems with `initializationOptions`, shown once the client is initialized.
    pub pending_messages: Mutex<Vec<String>>,
    pub shutdown_requested: AtomicBool,
    /// The document of the last completion list: `completionItem/resolve` carries only the
    /// item, and a client resolves items of the list it shows.
    pub last_completion: Mutex<Option<Uri>>,
}

impl State {
    pub fn new() -> Self {
        State::with_models(ModelStore::default())
    }

    pub fn with_models(models: ModelStore) -> Self {
        let (jobs, rx) = tokio::sync::mpsc::unbounded_channel();
        State {
            docs: Documents::default(),
            models,
            checks: Checks::default(),
            session: RwLock::new(Session::default()),
            jobs,
            job_receiver: Mutex::new(Some(rx)),
            pending_messages: Mutex::new(Vec::new()),
            last_completion: Mutex::new(None),
            shutdown_requested: AtomicBool::new(false),
        }
    }

    pub fn session(&self) -> Session {
        self.session
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn update_session(&self, f: impl FnOnce(&mut Session)) {
        f(&mut self.session.write().unwrap_or_else(|e| e.into_inner()));
    }

    /// Queues work for the analysis task (which outlives every sender but this one).
    pub fn schedule(&self, job: Job) {
        let _ = self.jobs.send(job);
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hover_tables_setting_wins_over_the_client_name() {
        let mut session = Session {
            client_name: Some("helix".into()),
            ..Session::default()
        };
        assert!(!session.markdown_tables());
        session.settings.hover_tables = Some(true);
        assert!(session.markdown_tables());
        session.client_name = Some("Visual Studio Code".into());
        session.settings.hover_tables = Some(false);
        assert!(!session.markdown_tables());
        session.settings.hover_tables = None;
        assert!(session.markdown_tables());
    }
}
