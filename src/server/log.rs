//! Logging a user can read: `tracing` events go to stderr (which VS Code's output channel and
//! Neovim's lsp.log show) and, as `window/logMessage`, to the client. The level is set with
//! `qcls serve --log-level` (default `info`) and, for the client's log, the `qcls.logLevel`
//! setting. What is logged: settings received, pairing decisions, model loads and their
//! timings, failed requests. Never document text.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;

use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tower_lsp_server::ls_types::MessageType;
use tower_lsp_server::Client;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// The levels users name, quietest first (`off` logs nothing).
pub const LEVELS: &[&str] = &["off", "error", "warn", "info", "debug", "trace"];

/// The most verbose level sent to the client, as an index of [`LEVELS`].
static CLIENT_LEVEL: AtomicU8 = AtomicU8::new(3);
/// Where events for the client go, once a client is attached.
static SINK: Mutex<Option<UnboundedSender<(MessageType, String)>>> = Mutex::new(None);

/// The index in [`LEVELS`] of a level name (`warning` and `information` are accepted too).
pub fn parse_level(name: &str) -> Option<u8> {
    let name = match name.trim().to_ascii_lowercase().as_str() {
        "warning" => "warn".to_string(),
        "information" => "info".to_string(),
        other => other.to_string(),
    };
    LEVELS.iter().position(|l| *l == name).map(|i| i as u8)
}

fn rank(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

fn filter(index: u8) -> LevelFilter {
    match index {
        0 => LevelFilter::OFF,
        1 => LevelFilter::ERROR,
        2 => LevelFilter::WARN,
        3 => LevelFilter::INFO,
        4 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// Installs the logger of the language server process: stderr and the client's log at `level`
/// (an index of [`LEVELS`]) when one is given, else stderr at `warn` and the client's log at
/// `info`: editors file every stderr line as an error (Helix) or show it beside the client's
/// log (VS Code), so what is routine goes to the client's log alone. `qcls.logLevel` changes
/// the client's level later. Only qcls's own events are logged.
pub fn init(level: Option<u8>) {
    const WARN: u8 = 2;
    const INFO: u8 = 3;
    CLIENT_LEVEL.store(level.unwrap_or(INFO), Ordering::Relaxed);
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .with_filter(filter(level.unwrap_or(WARN)))
        .with_filter(tracing_subscriber::filter::filter_fn(|m| {
            m.target().starts_with("qcls")
        }));
    let client = ClientLayer.with_filter(tracing_subscriber::filter::filter_fn(|m| {
        m.target().starts_with("qcls")
    }));
    // Fails only when a logger is installed already (tests); keeping that one is right.
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(client)
        .try_init();
}

/// Sends log events to `client` from now on (called once the client is initialized).
pub fn attach(client: &Client) {
    let (tx, mut rx) = unbounded_channel::<(MessageType, String)>();
    *SINK.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
    let client = client.clone();
    tokio::spawn(async move {
        while let Some((typ, message)) = rx.recv().await {
            client.log_message(typ, message).await;
        }
    });
}

/// The `qcls.logLevel` setting: how much goes to the client's log.
pub fn set_client_level(level: u8) {
    CLIENT_LEVEL.store(level, Ordering::Relaxed);
}

/// Forwards events to the client's log at [`CLIENT_LEVEL`].
struct ClientLayer;

impl<S: Subscriber> Layer<S> for ClientLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = event.metadata().level();
        if rank(level) > CLIENT_LEVEL.load(Ordering::Relaxed) {
            return;
        }
        let sink = SINK.lock().unwrap_or_else(|e| e.into_inner());
        let Some(tx) = sink.as_ref() else { return };
        let mut text = Text(String::new());
        event.record(&mut text);
        let typ = match *level {
            Level::ERROR => MessageType::ERROR,
            Level::WARN => MessageType::WARNING,
            Level::INFO => MessageType::INFO,
            _ => MessageType::LOG,
        };
        let _ = tx.send((typ, format!("qcls: {}", text.0)));
    }
}

/// An event's message and fields as one line: `message key=value …`.
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        if field.name() == "message" {
            self.0.push_str(&format!("{value:?}"));
        } else {
            self.0.push_str(&format!("{}={value:?}", field.name()));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            self.0.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names() {
        assert_eq!(parse_level("off"), Some(0));
        assert_eq!(parse_level("Warning"), Some(2));
        assert_eq!(parse_level("debug"), Some(4));
        assert_eq!(parse_level("loud"), None);
    }
}
