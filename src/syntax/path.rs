//! Where an offset is in the tree: the context for completion and hover.

use super::{Member, Value, ValueKind};

/// One step from a container down to a child.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step<'a> {
    /// Into an object member (its key and, if present, its value).
    Member(&'a Member),
    /// Into the array element at this index.
    Element(usize, &'a Value),
}

impl<'a> Step<'a> {
    /// The member's key text; `None` for an array element.
    pub fn key(&self) -> Option<&'a str> {
        match self {
            Step::Member(m) => Some(&m.key.text),
            Step::Element(..) => None,
        }
    }
}

/// What kind of position the offset is at, relative to the last step of the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// On the key of the last step's member (quotes included, end inclusive).
    Key,
    /// On the value of the last step (a member's value, or an array element), or where that
    /// value belongs but is missing (`{"a": |}`). With an empty path: on the root value.
    Value,
    /// Inside the braces of the object the path leads to, between members: a new key goes here.
    ObjectBody,
    /// Inside the brackets of the array the path leads to, between elements.
    ArrayBody,
    /// Not inside the root value at all.
    Outside,
}

/// The result of [`path_at`].
#[derive(Clone, Debug, PartialEq)]
pub struct Location<'a> {
    /// From the root down; empty when the offset is on the root itself (or outside it).
    pub path: Vec<Step<'a>>,
    pub slot: Slot,
    /// The innermost value at the offset: for `Value` the value under the cursor (`None` when
    /// it is missing), for `ObjectBody`/`ArrayBody` the container, for `Key` and `Outside`
    /// `None`.
    pub node: Option<&'a Value>,
}

impl<'a> Location<'a> {
    /// The keys along the path (array elements skipped), e.g. `["model_config", "activation"]`.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.path.iter().filter_map(Step::key)
    }

    /// The member of the last step, when the last step is a member.
    pub fn member(&self) -> Option<&'a Member> {
        match self.path.last() {
            Some(Step::Member(m)) => Some(m),
            _ => None,
        }
    }
}

/// Finds the chain of members and elements from `root` down to the innermost key or value
/// whose range contains `offset` (ranges are taken inclusive of their end, so a cursor just
/// after `"int1` still counts as inside it), and says whether that is a key, a value or the
/// inside of a container.
///
/// Ties go to the deeper node: in `{"a":1}` offset 5 (between `:` and `1`) is the value of
/// `a`. An offset on the opening brace position of a container, or just after its closing
/// brace, is the container as a value (`Slot::Value`); strictly between the braces it is
/// `Slot::ObjectBody`/`ArrayBody` unless a member or element claims it. An unclosed container
/// extends to where parsing of it stopped (end of file for a user who is still typing).
///
/// Iterative, so it is safe on any depth of tree.
pub fn path_at(root: &Value, offset: usize) -> Location<'_> {
    let mut path = Vec::new();
    if !root.range.contains_inclusive(offset) {
        return Location {
            path,
            slot: Slot::Outside,
            node: None,
        };
    }
    let mut cur = root;
    loop {
        let on_edge = offset == cur.range.start || (is_closed(cur) && offset == cur.range.end);
        match &cur.kind {
            ValueKind::Object(o) if !on_edge => {
                let mut next = None;
                for (i, m) in o.members.iter().enumerate() {
                    if m.key.range.contains_inclusive(offset) {
                        path.push(Step::Member(m));
                        return Location {
                            path,
                            slot: Slot::Key,
                            node: None,
                        };
                    }
                    if let Some(v) = &m.value {
                        if v.range.contains_inclusive(offset) {
                            path.push(Step::Member(m));
                            next = Some(v);
                            break;
                        }
                    } else if let Some(colon) = m.colon {
                        // A missing value owns the gap up to the next member or the closer.
                        let limit = o
                            .members
                            .get(i + 1)
                            .map_or(cur.range.end, |n| n.key.range.start);
                        if colon.end <= offset && offset <= limit {
                            path.push(Step::Member(m));
                            return Location {
                                path,
                                slot: Slot::Value,
                                node: None,
                            };
                        }
                    }
                }
                match next {
                    Some(v) => cur = v,
                    None => {
                        return Location {
                            path,
                            slot: Slot::ObjectBody,
                            node: Some(cur),
                        }
                    }
                }
            }
            ValueKind::Array(a) if !on_edge => {
                match a
                    .elements
                    .iter()
                    .enumerate()
                    .find(|(_, e)| e.range.contains_inclusive(offset))
                {
                    Some((i, e)) => {
                        path.push(Step::Element(i, e));
                        cur = e;
                    }
                    None => {
                        return Location {
                            path,
                            slot: Slot::ArrayBody,
                            node: Some(cur),
                        }
                    }
                }
            }
            _ => {
                return Location {
                    path,
                    slot: Slot::Value,
                    node: Some(cur),
                }
            }
        }
    }
}

fn is_closed(v: &Value) -> bool {
    match &v.kind {
        ValueKind::Object(o) => o.closed,
        ValueKind::Array(a) => a.closed,
        _ => true,
    }
}
