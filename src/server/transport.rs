//! The stdio transport between the editor and the LSP service.
//!
//! Frames are read here and only well-formed JSON-RPC messages reach the service: a frame whose
//! headers or body cannot be read (invalid JSON, a batch, an id that is neither a number nor a
//! string, a missing or conflicting `Content-Length`, stray bytes) is answered with a JSON-RPC
//! error, logged, and reading carries on at the next `Content-Length` header. The service would
//! otherwise stop at the first such message and the editor would lose every feature. Only a
//! closed stdin (or the `exit` notification) ends the server.

use std::io;

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;

/// The largest message read; a bigger one is skipped and answered with an error. A document at
/// the size limit of the analysis ([`crate::analysis::MAX_DOCUMENT_BYTES`]) still fits, with
/// room for its escapes.
pub const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// A header line longer than this is not a header: the bytes are skipped as garbage.
const MAX_HEADER_LINE: usize = 8 << 10;

/// JSON-RPC error codes.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// What reading the next frame gave.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A message the service can take, as its JSON text.
    Message(Vec<u8>),
    /// Something that is no such message: the error to answer (`id` when one could be read).
    Bad { id: Value, code: i64, why: String },
    /// The input ended.
    End,
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
    /// Pass bodies on unread (what the service writes needs no checking).
    trusted: bool,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// Frames from the client, checked.
    pub fn new(input: R) -> Self {
        FrameReader {
            input: BufReader::new(input),
            skipping: false,
            pending: None,
            max_message: MAX_MESSAGE_BYTES,
            trusted: false,
        }
    }

    /// Frames from the service: split, not judged.
    fn trusted(input: R) -> Self {
        FrameReader {
            trusted: true,
            max_message: usize::MAX,
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
        if self.trusted {
            return Ok(Frame::Message(body));
        }
        Ok(check_message(body))
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

/// The members of a message that say whether the service can take it; `params` and the
/// contents of `result` and `error` are checked as JSON but not kept (a didOpen is megabytes).
#[derive(serde::Deserialize)]
struct Envelope {
    jsonrpc: Option<Value>,
    id: Option<Value>,
    method: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    result: bool,
    #[serde(default, deserialize_with = "present")]
    error: bool,
}

/// A member that is there, whatever its value (`null` included).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(d).map(|_| true)
}

/// The usual case, read without building the message's value.
fn well_formed(body: &[u8]) -> bool {
    let Ok(e) = serde_json::from_slice::<Envelope>(body) else {
        return false;
    };
    let id_ok = match &e.id {
        None | Some(Value::Null) | Some(Value::String(_)) => true,
        Some(Value::Number(n)) => n.is_i64() || n.is_u64(),
        Some(_) => false,
    };
    let call_or_response = match &e.method {
        Some(Value::String(_)) => true,
        Some(_) => false,
        None => e.result || e.error,
    };
    id_ok && call_or_response && e.jsonrpc.as_ref().and_then(Value::as_str) == Some("2.0")
}

/// A body the service can take: one JSON-RPC 2.0 object whose id, if any, is a string, an
/// integer or null, with a string method or a result/error.
fn check_message(body: Vec<u8>) -> Frame {
    if well_formed(&body) {
        return Frame::Message(body);
    }
    // Only for a message that is not: the reason, read from the whole value.
    let value: Value = match serde_json::from_slice(&body) {
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
        Some(Value::Number(n)) => n.is_i64() || n.is_u64(),
        Some(_) => false,
    };
    if !id_ok {
        return bad(
            Value::Null,
            INVALID_REQUEST,
            "an id must be a string or an integer".into(),
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
    let is_call = match map.get("method") {
        Some(Value::String(_)) => true,
        Some(_) => {
            return bad(
                reply_to,
                INVALID_REQUEST,
                "the method must be a string".into(),
            )
        }
        None => false,
    };
    if !is_call && !map.contains_key("result") && !map.contains_key("error") {
        return bad(
            reply_to,
            INVALID_REQUEST,
            "neither a request, a notification nor a response".into(),
        );
    }
    Frame::Message(body)
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

/// Serves the LSP `service` on `input`/`output` through the checks above. Returns when the
/// service ends (the `exit` notification, or the input closed).
pub async fn serve<I, O, F>(input: I, output: O, run_service: F)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    F: AsyncFnOnce(tokio::io::DuplexStream, tokio::io::DuplexStream),
{
    let (mut to_service, service_in) = tokio::io::duplex(1 << 16);
    let (service_out, from_service) = tokio::io::duplex(1 << 16);
    let (errors, mut error_rx) = mpsc::unbounded_channel::<Vec<u8>>();

    let reader = tokio::spawn(async move {
        let mut frames = FrameReader::new(input);
        loop {
            match frames.next().await {
                Ok(Frame::Message(body)) => {
                    if write_frame(&mut to_service, &body).await.is_err() {
                        break; // the service has ended
                    }
                }
                Ok(Frame::Bad { id, code, why }) => {
                    tracing::warn!("unreadable message from the client ({why}); answered with an error, reading on");
                    let reply = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": format!("qcls: {why}")}});
                    if errors.send(framed(reply.to_string().as_bytes())).is_err() {
                        break;
                    }
                }
                Ok(Frame::End) | Err(_) => break,
            }
        }
        // Dropping `to_service` ends the service's input: it stops.
    });

    let writer = tokio::spawn(async move {
        let mut output = output;
        let mut replies = FrameReader::trusted(from_service);
        let mut service_done = false;
        loop {
            tokio::select! {
                frame = replies.next(), if !service_done => match frame {
                    Ok(Frame::Message(body)) => {
                        if write_frame(&mut output, &body).await.is_err() { break; }
                    }
                    // The service writes what it writes: never judged, passed on.
                    Ok(Frame::Bad { .. }) => {}
                    Ok(Frame::End) | Err(_) => service_done = true,
                },
                Some(error) = error_rx.recv() => {
                    if output.write_all(&error).await.is_err() { break; }
                }
                else => break,
            }
            if output.flush().await.is_err() {
                break;
            }
            if service_done {
                break;
            }
        }
        let _ = output.flush().await;
    });

    run_service(service_in, service_out).await;
    // After `exit` the client may keep stdin open: stop reading it. What the service wrote
    // last is passed on; its output never closes while background tasks hold the client.
    reader.abort();
    let flushed = tokio::time::timeout(std::time::Duration::from_millis(200), writer).await;
    if let Err(_elapsed) = flushed {
        tracing::debug!("the last messages were not all written before exit");
    }
}

#[cfg(test)]
mod tests;
