//! A big text parsed on two threads ([`parse_on_two_cores`]): a second thread parses the
//! members of the big object that follow the middle of the text, and the first takes them when
//! its own parse gets there and they are what it would have built.

use super::{parse, Lexer, Parser, TokenKind, MAX_DEPTH};
use crate::syntax::{Comment, Member, Parse};

/// From this size on, [`parse_on_two_cores`] parses the second half of a text on another
/// thread (about 6 ms a megabyte on one core).
const SPLIT_BYTES: usize = 512 << 10;

/// How far past the middle of the text a place to split is looked for.
const SPLIT_SEARCH: usize = 64 << 10;

/// [`parse`], with the members of a big object that follow the middle of a big text parsed on
/// a second thread meanwhile. The tree and the errors are the same as [`parse`]'s.
///
/// Where the second thread starts is a guess (`split_point`: a `"` after a `,`), since
/// nothing tells whether the middle of a JSON text is inside a string without reading it from
/// the start. The first thread takes the second's members only if its own parse reaches that
/// very key as the next member of an object, and only if the second thread found no error of
/// any kind before the `}` that ends the object (see `Tail`): from the same place in the same
/// state, the same code then builds the same members. Otherwise the first thread parses on
/// alone, as [`parse`] would.
pub fn parse_on_two_cores(text: &str) -> Parse {
    if text.len() < SPLIT_BYTES {
        return parse(text);
    }
    match split_point(text) {
        Some(at) => parse_split_at(text, at).0,
        None => parse(text),
    }
}

/// [`parse`] with the members from byte `at` on parsed on a second thread, and whether the
/// first thread took them. Public for the fuzz target, which compares it with [`parse`].
#[doc(hidden)]
pub fn parse_split_at(text: &str, at: usize) -> (Parse, bool) {
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("qcls-parse".into())
            .spawn_scoped(scope, move || {
                // The first thread may have finished without asking.
                let _ = send.send(parse_tail(text, at));
            });
        let mut p = Parser::new(Lexer::new(text), 0);
        if spawned.is_ok() {
            p.split = Some(Split { at, receive });
        }
        let parse = p.document_parse();
        (parse, p.taken)
    })
}

/// A place to start the second thread: the first `"` after the middle of the text that
/// follows a `,` and blanks, most likely the key of the next member of a big object.
pub(in crate::syntax) fn split_point(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let from = bytes.len() / 2;
    let to = bytes.len().min(from + SPLIT_SEARCH);
    let mut i = from;
    while i < to {
        if bytes[i] == b',' {
            let mut j = i + 1;
            while j < to && matches!(bytes[j], b' ' | b'\t' | b'\r' | b'\n') {
                j += 1;
            }
            // ASCII, so a char boundary.
            if j < to && bytes[j] == b'"' {
                return Some(j);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    None
}

/// What the second thread of [`parse_split_at`] found: the members of an object from its
/// starting key up to the `}` that closes the object (not taken), with no error of any kind on
/// the way. With no error, no recovery path was taken, so the members do not depend on what
/// came before; only the depth does ([`MAX_DEPTH`]), hence `deepest`.
pub(super) struct Tail {
    pub(super) members: Vec<Member>,
    pub(super) comments: Vec<Comment>,
    /// Where the closing `}` starts.
    pub(super) end: usize,
    /// The deepest nesting inside the members (0 when no value is a container).
    deepest: usize,
}

/// The second thread's part: the members from `at` on, or `None` at the first error.
fn parse_tail(text: &str, at: usize) -> Option<Tail> {
    let mut p = Parser::new(Lexer::starting_at(text, at), 0);
    p.open_objects = 1;
    p.bump();
    let mut members = Vec::new();
    loop {
        if p.tok.kind != TokenKind::Str {
            return None;
        }
        members.push(p.member()?);
        if !p.lexer.errors.is_empty() {
            return None;
        }
        match p.tok.kind {
            TokenKind::Comma => p.bump(),
            TokenKind::RBrace => break,
            _ => return None,
        }
    }
    if !p.lexer.errors.is_empty() {
        return None;
    }
    Some(Tail {
        members,
        comments: p.lexer.comments,
        end: p.tok.start,
        deepest: p.deepest,
    })
}

/// The second thread's place and its answer, for the first thread.
pub(super) struct Split {
    pub(super) at: usize,
    receive: std::sync::mpsc::Receiver<Option<Tail>>,
}

impl Parser<'_> {
    /// At the key where the second thread started: its members, when they hold here (the
    /// nesting they reach, added to this depth, within [`MAX_DEPTH`]). Asked once.
    pub(super) fn take_tail(&mut self) -> Option<Tail> {
        let split = self.split.take()?;
        let tail = split.receive.recv().ok()??;
        (self.depth + tail.deepest <= MAX_DEPTH).then_some(tail)
    }
}
