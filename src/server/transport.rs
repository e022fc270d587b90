//! The stdio transport between the editor and the LSP service.
//!
//! Frames are read here and only well-formed JSON-RPC messages reach the service: a frame whose
//! headers or body cannot be read (invalid JSON, a batch, an id that is neither a number nor a
//! string, a missing or conflicting `Content-Length`, stray bytes) is answered with a JSON-RPC
//! error, logged, and reading carries on at the next `Content-Length` header. The service would
//! otherwise stop at the first such message and the editor would lose every feature. Only a
//! closed stdin (or the `exit` notification) ends the server.
//!
//! [`serve`] drives the tower-lsp-server service itself rather than through
//! `tower_lsp_server::Server`: each body is parsed once, straight into the request the service
//! takes. Handing frames on to the library's own codec parsed each message twice, copied it
//! through a pipe, and kept a buffer as big as the largest message for good (8 MiB after the
//! `didOpen` of a 6.5 MB config).

use std::io;
use std::time::Duration;

use futures::{future, stream, FutureExt, SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{self, Id, Request, Response};
use tower_lsp_server::ClientSocket;
use tower_service::Service;

/// The largest message read; a bigger one is skipped and answered with an error. A document at
/// the size limit of the analysis ([`crate::analysis::MAX_DOCUMENT_BYTES`]) still fits, with
/// room for its escapes.
pub const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// From this size on, a body is shown to [`serve`]'s `early` before it is parsed (the parse of
/// a 7 MB `didOpen` takes some 25 ms).
pub const EARLY_LOOK_BYTES: usize = 256 << 10;

/// What is shown a big body before it is parsed ([`FrameReader::with_early_look`]).
pub type EarlyLook = Box<dyn FnMut(&[u8]) + Send>;

/// A header line longer than this is not a header: the bytes are skipped as garbage.
const MAX_HEADER_LINE: usize = 8 << 10;

/// JSON-RPC error codes.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// What reading the next frame gave.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A message the service can take.
    Message(Incoming),
    /// Something that is no such message: the error to answer (`id` when one could be read).
    Bad { id: Value, code: i64, why: String },
    /// The input ended.
    End,
}

/// A checked message, read once into what the service and the client socket take.
#[derive(Debug, PartialEq)]
pub enum Incoming {
    /// A request or a notification.
    Call(Request),
    /// The client's answer to a request of the server.
    Answer(Response),
}

/// Reads frames from `input` until it ends.
pub struct FrameReader<R> {
    input: BufReader<R>,
    /// Inside what is left of a broken frame: unreadable lines are skipped without another
    /// error until a header starts the next frame.
    skipping: bool,
    /// The rest of a line to read before reading on: a `Content-Length` found after a broken
    /// frame's last bytes.
    pending: Option<String>,
    /// Bodies above this are skipped.
    max_message: usize,
    /// Shown every body of [`EARLY_LOOK_BYTES`] or more before it is parsed: the server starts
    /// reading a big config's model meanwhile.
    early: Option<EarlyLook>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// Frames from the client, checked.
    pub fn new(input: R) -> Self {
        FrameReader {
            input: BufReader::new(input),
            skipping: false,
            pending: None,
            max_message: MAX_MESSAGE_BYTES,
            early: None,
        }
    }

    /// [`FrameReader::new`] whose big bodies are shown to `early` before they are parsed.
    pub fn with_early_look(input: R, early: EarlyLook) -> Self {
        FrameReader {
            early: Some(early),
            ..FrameReader::new(input)
        }
    }

    pub async fn next(&mut self) -> io::Result<Frame> {
        let length = match self.headers().await? {
            Headers::End => return Ok(Frame::End),
            Headers::Bad(why) => {
                self.skipping = true;
                return Ok(bad(Value::Null, PARSE_ERROR, why));
            }
            Headers::Length(length) => length,
        };
        if length > self.max_message {
            let skipped = tokio::io::copy(
                &mut (&mut self.input).take(length as u64),
                &mut tokio::io::sink(),
            )
            .await?;
            if skipped < length as u64 {
                return Ok(Frame::End);
            }
            return Ok(bad(
                Value::Null,
                INVALID_REQUEST,
                format!(
                    "a message of {length} bytes is over the limit of {} bytes",
                    self.max_message
                ),
            ));
        }
        let mut body = vec![0; length];
        match self.input.read_exact(&mut body).await {
            Ok(_) => {}
            // Cut off in the middle: nothing more will come.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(Frame::End),
            Err(e) => return Err(e),
        }
        if let Some(early) = self
            .early
            .as_mut()
            .filter(|_| body.len() >= EARLY_LOOK_BYTES)
        {
            early(&body);
        }
        Ok(check_message(&body))
    }

    /// The headers of the next frame: its `Content-Length`.
    async fn headers(&mut self) -> io::Result<Headers> {
        let mut length: Option<usize> = None;
        let mut problem: Option<String> = None;
        let mut seen_any = false;
        loop {
            let line = match self.pending.take() {
                Some(line) => line,
                None => match read_line(&mut self.input).await? {
                    Some(line) if line.ends_with(b"\n") => {
                        String::from_utf8_lossy(&line).into_owned()
                    }
                    // A line cut off by the end of the input: nothing more will come.
                    _ => return Ok(Headers::End),
                },
            };
            let text = line.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                if !seen_any {
                    continue; // blank lines between frames
                }
                return Ok(match (length, problem) {
                    (_, Some(why)) => Headers::Bad(why),
                    (Some(length), None) => Headers::Length(length),
                    (None, None) => {
                        Headers::Bad("a message without a Content-Length header".into())
                    }
                });
            }
            if !is_header(text) || line.len() > MAX_HEADER_LINE {
                // Not a header: this frame cannot be trusted. The next starts at a
                // `Content-Length`, maybe on this very line after a broken frame's last bytes.
                self.pending = text
                    .to_ascii_lowercase()
                    .find("content-length:")
                    .filter(|&at| at > 0)
                    .map(|at| format!("{}\n", &text[at..]));
                if self.skipping && !seen_any {
                    continue;
                }
                return Ok(Headers::Bad("bytes that are not a message header".into()));
            }
            self.skipping = false;
            seen_any = true;
            let (name, value) = text.split_once(':').unwrap_or((text, ""));
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<usize>() {
                    Ok(n) if length.is_none_or(|l| l == n) => length = Some(n),
                    Ok(_) => problem = Some("conflicting Content-Length headers".into()),
                    Err(_) => {
                        problem = Some(format!("Content-Length {:?} is not a number", value.trim()))
                    }
                }
            }
            // Content-Type and other headers: read and ignored.
        }
    }
}

/// `Name: value`, the name a token.
fn is_header(line: &str) -> bool {
    line.split_once(':').is_some_and(|(name, _)| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

enum Headers {
    Length(usize),
    Bad(String),
    End,
}

/// One line, with its end; at most [`MAX_HEADER_LINE`] bytes of it (the rest is dropped).
/// `None` at the end of the input.
async fn read_line<R: AsyncBufRead + Unpin>(input: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    loop {
        let buf = input.fill_buf().await?;
        if buf.is_empty() {
            return Ok((!line.is_empty()).then_some(line));
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = (MAX_HEADER_LINE + 1).saturating_sub(line.len());
        line.extend_from_slice(&buf[..take.min(room)]);
        input.consume(take);
        if done {
            // Cut to its first bytes, a long line still ends where it ended.
            if line.last() != Some(&b'\n') {
                line.push(b'\n');
            }
            return Ok(Some(line));
        }
    }
}

fn bad(id: Value, code: i64, why: String) -> Frame {
    Frame::Bad { id, code, why }
}

/// A message's members, read in one pass: a didOpen is megabytes, read once into the value
/// the service takes. A member given as `null` is `Some(Value::Null)`, as for the service.
#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "some")]
    jsonrpc: Option<Value>,
    #[serde(default, deserialize_with = "some")]
    id: Option<Value>,
    #[serde(default, deserialize_with = "some")]
    method: Option<Value>,
    #[serde(default, deserialize_with = "some")]
    params: Option<Value>,
    #[serde(default, deserialize_with = "some")]
    result: Option<Value>,
    #[serde(default, deserialize_with = "some")]
    error: Option<Value>,
}

/// A member that is there, whatever its value (`null` included).
fn some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// The usual case: a well-formed message, read in one pass. `None` for anything else, whose
/// reason [`check_message`] finds.
fn well_formed(body: &[u8]) -> Option<Incoming> {
    serde_json::from_slice::<Envelope>(body)
        .ok()
        .and_then(Envelope::into_incoming)
}

impl Envelope {
    /// The message, when it is a JSON-RPC 2.0 call or answer the service can take.
    fn into_incoming(self) -> Option<Incoming> {
        if self.jsonrpc.as_ref().and_then(Value::as_str) != Some("2.0") {
            return None;
        }
        let id = match self.id {
            None => None,
            Some(id) => Some(serde_json::from_value::<Id>(id).ok()?),
        };
        match self.method {
            Some(Value::String(method)) => {
                let call = Request::build(method);
                let call = match self.params {
                    Some(params) => call.params(params),
                    None => call,
                };
                Some(Incoming::Call(match id {
                    Some(id) => call.id(id).finish(),
                    None => call.finish(),
                }))
            }
            Some(_) => None,
            None => match (id?, self.result, self.error) {
                (id, Some(result), None) => Some(Incoming::Answer(Response::from_ok(id, result))),
                (id, None, Some(error)) => {
                    let error = serde_json::from_value::<jsonrpc::Error>(error).ok()?;
                    Some(Incoming::Answer(Response::from_error(id, error)))
                }
                _ => None,
            },
        }
    }
}

/// A body the service can take: one JSON-RPC 2.0 object whose id, if any, is a string, an
/// integer or null, with a string method, or an id and a result or an error.
fn check_message(body: &[u8]) -> Frame {
    if let Some(message) = well_formed(body) {
        return Frame::Message(message);
    }
    // Only for a message that is not: the reason, read from the whole value.
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return bad(
                Value::Null,
                PARSE_ERROR,
                format!("the message is not JSON: {e}"),
            )
        }
    };
    let Value::Object(map) = &value else {
        let why = if value.is_array() {
            "a batch (LSP has no batches)".to_string()
        } else {
            "a message must be a JSON object".to_string()
        };
        return bad(Value::Null, INVALID_REQUEST, why);
    };
    let id = map.get("id").cloned();
    let id_ok = match &id {
        None | Some(Value::Null) | Some(Value::String(_)) => true,
        Some(Value::Number(n)) => n.is_i64(),
        Some(_) => false,
    };
    if !id_ok {
        return bad(
            Value::Null,
            INVALID_REQUEST,
            "an id must be a string or an integer of 64 bits".into(),
        );
    }
    let reply_to = id.unwrap_or(Value::Null);
    if map.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return bad(
            reply_to,
            INVALID_REQUEST,
            "\"jsonrpc\": \"2.0\" is missing".into(),
        );
    }
    let has = |key| map.contains_key(key);
    let answer = !has("method");
    let why = if !answer && !map["method"].is_string() {
        "the method must be a string"
    } else if answer && !has("result") && !has("error") {
        "neither a request, a notification nor a response"
    } else if answer && !has("id") {
        "a response without an id"
    } else if answer && has("result") && has("error") {
        "a response with both a result and an error"
    } else if answer && has("error") && !is_error_object(&map["error"]) {
        "the error of a response must be an object with a code and a message"
    } else {
        // Read as JSON, a member given twice is the last one: so the service reads it.
        let read = serde_json::from_value::<Envelope>(value).ok();
        if let Some(message) = read.and_then(Envelope::into_incoming) {
            return Frame::Message(message);
        }
        "a message the server cannot read"
    };
    bad(reply_to, INVALID_REQUEST, why.into())
}

fn is_error_object(error: &Value) -> bool {
    jsonrpc::Error::deserialize(error).is_ok()
}

/// Writes one frame of `body`: a small one in one write, a large one after its header,
/// without a copy (the `didOpen` of a big config is 6.6 MB).
async fn write_frame<W: AsyncWrite + Unpin>(out: &mut W, body: &[u8]) -> io::Result<()> {
    if body.len() <= 1 << 16 {
        return out.write_all(&framed(body)).await;
    }
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    out.write_all(header.as_bytes()).await?;
    out.write_all(body).await
}

/// One frame of `body`.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// How many calls the service works on at once, and how many more are read ahead of them
/// (tower-lsp-server's own loop has the same).
const MAX_CONCURRENT_CALLS: usize = 4;
const QUEUED_CALLS: usize = 100;

/// Serves `service` on `input`/`output`: frames are read and checked here, each message is
/// parsed once into what the service takes, and its answers (and what the server sends the
/// client through `socket`) are written back. Returns when the client says `exit`, the input
/// ends or the output closes. `early` sees each body of [`EARLY_LOOK_BYTES`] or more before it
/// is parsed.
pub async fn serve<I, O, S>(
    input: I,
    output: O,
    mut service: S,
    socket: ClientSocket,
    early: EarlyLook,
) where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
    S: Service<Request, Response = Option<Response>>,
    S::Error: std::fmt::Display,
{
    let (server_requests, mut client_answers) = socket.split();
    let (server_requests, stop_server_requests) = stream::abortable(server_requests);
    let (out, mut outgoing) = mpsc::unbounded_channel::<Vec<u8>>();
    let (mut calls, queued) = futures::channel::mpsc::channel(QUEUED_CALLS);

    // What goes out besides the errors `read` answers: the service's answers, and what the
    // server asks or tells the client.
    let pass_on = {
        let answers = queued
            .buffer_unordered(MAX_CONCURRENT_CALLS)
            .filter_map(|answer: Option<Response>| future::ready(answer.as_ref().and_then(body)));
        let requests = server_requests.filter_map(|request| future::ready(body(&request)));
        let out = out.clone();
        stream::select(answers, requests).for_each(move |body| {
            // The writer has stopped only when the output is closed: nothing to do then.
            drop(out.send(body));
            future::ready(())
        })
    };
    let read = async move {
        let mut frames = FrameReader::with_early_look(input, early);
        loop {
            match frames.next().await {
                Ok(Frame::Message(Incoming::Call(call))) => {
                    if let Err(e) = future::poll_fn(|cx| service.poll_ready(cx)).await {
                        tracing::error!("the service stopped: {e}");
                        break;
                    }
                    let exit = call.method() == "exit";
                    let answer = service.call(call).map(|answer| {
                        answer.unwrap_or_else(|e| {
                            tracing::error!("the service failed a call: {e}");
                            None
                        })
                    });
                    if calls.send(answer).await.is_err() || exit {
                        break;
                    }
                }
                Ok(Frame::Message(Incoming::Answer(answer))) => {
                    if let Err(e) = client_answers.send(answer).await {
                        tracing::error!("the service stopped: {e}");
                        break;
                    }
                }
                Ok(Frame::Bad { id, code, why }) => {
                    tracing::warn!("unreadable message from the client ({why}); answered with an error, reading on");
                    let message = format!("qcls: {why}");
                    let reply = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
                    send(&out, &reply);
                }
                Ok(Frame::End) | Err(_) => break,
            }
        }
        // The calls read so far are still answered; the server sends the client nothing more.
        stop_server_requests.abort();
    };
    let write = async move {
        let mut output = output;
        while let Some(body) = outgoing.recv().await {
            if write_frame(&mut output, &body).await.is_err() {
                return;
            }
            if outgoing.is_empty() && output.flush().await.is_err() {
                return;
            }
        }
        let _ = output.flush().await;
    };

    tokio::pin!(write);
    tokio::select! {
        _ = async { futures::join!(read, pass_on) } => {}
        // The output is closed: nothing more can reach the client.
        () = &mut write => return,
    }
    // After `exit` what the service wrote last is passed on, but a client that reads no more
    // does not hold the server.
    if tokio::time::timeout(Duration::from_millis(200), write)
        .await
        .is_err()
    {
        tracing::debug!("the last messages were not all written before exit");
    }
}

/// Queues `message` for the client.
fn send(out: &mpsc::UnboundedSender<Vec<u8>>, message: &impl serde::Serialize) {
    if let Some(body) = body(message) {
        // The writer has stopped only when the output is closed: nothing to do then.
        drop(out.send(body));
    }
}

/// `message` as the body of a frame.
fn body(message: &impl serde::Serialize) -> Option<Vec<u8>> {
    serde_json::to_vec(message)
        .map_err(|e| tracing::error!("a message could not be written: {e}"))
        .ok()
}

mod stdin;
#[cfg(test)]
mod tests;

pub use stdin::threaded_stdin;
