//! Re-parsing after an edit without parsing the whole document again. An edit inside one
//! member of a section (a node_config entry, a model_config key, …) re-parses that member
//! alone and moves everything after it: parsing a 6.6 MB node_config takes about 27 ms, one
//! entry a few microseconds. Anything the member alone cannot decide (a document with errors,
//! an edit that touches a member's boundary, a new error) is left to a full parse.

use super::parser::parse_member;
use super::{Parse, ValueKind};
use crate::text::TextRange;

/// The depth at which the full parser reads the members of a section: inside the root object
/// and the section's object.
const SECTION_MEMBER_DEPTH: usize = 2;

/// What [`Parse::reparse_member`] replaced: one member of one section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    /// The index of the top-level member whose object holds the member (`node_config`, …).
    pub section: usize,
    /// The index of the re-parsed member in that object.
    pub member: usize,
    /// The member's range (key start to value end) before the edit.
    pub old: TextRange,
    /// The member's range after it.
    pub new: TextRange,
    /// The member's key before the edit.
    pub old_key: String,
}

impl Splice {
    /// How far everything after the member moved.
    pub fn delta(&self) -> isize {
        self.new.len() as isize - self.old.len() as isize
    }

    /// This splice followed by `next`, as one, when both replaced the same member.
    pub fn then(&self, next: &Splice) -> Option<Splice> {
        let same = self.section == next.section && self.member == next.member;
        (same && self.new == next.old).then(|| Splice {
            section: self.section,
            member: self.member,
            old: self.old,
            new: next.new,
            old_key: self.old_key.clone(),
        })
    }

    /// Where an offset of the text before the splice lies after it; `None` inside the member.
    pub fn map_offset(&self, offset: usize) -> Option<usize> {
        if offset <= self.old.start {
            Some(offset)
        } else if offset >= self.old.end {
            Some(shift(offset, self.delta()))
        } else {
            None
        }
    }
}

impl Parse {
    /// Brings the tree up to date with one edit: the bytes `edit` of the old text were replaced
    /// by `inserted` bytes, and `new_text` is the whole text after the edit. Re-parses only the
    /// section member that strictly contains the edit and gives what it replaced; gives `None`
    /// and leaves the tree untouched when that is not enough (then parse `new_text` anew).
    pub fn reparse_member(
        &mut self,
        new_text: &str,
        edit: TextRange,
        inserted: usize,
    ) -> Option<Splice> {
        if !self.errors.is_empty() {
            return None;
        }
        let root = self.root.as_mut()?;
        let ValueKind::Object(top) = &mut root.kind else {
            return None;
        };
        let section = top.members.iter().position(|m| {
            m.value
                .as_ref()
                .is_some_and(|v| v.range.start < edit.start && edit.end < v.range.end)
        })?;
        let obj = top.members[section].value.as_ref()?.as_object()?;
        let index = obj
            .members
            .partition_point(|m| m.key.range.start < edit.start)
            .checked_sub(1)?;
        let current = &obj.members[index];
        current.colon?;
        let old = TextRange::new(current.key.range.start, current.value.as_ref()?.range.end);
        if edit.end >= old.end {
            return None;
        }
        let new_end = (old.end + inserted).checked_sub(edit.len())?;
        let (member, comments) = parse_member(new_text, old.start, new_end, SECTION_MEMBER_DEPTH)?;

        // The member parses on its own exactly as it would in place: splice it in.
        let delta = new_end as isize - old.end as isize;
        let splice = Splice {
            section,
            member: index,
            old,
            new: TextRange::new(old.start, new_end),
            old_key: current.key.text.to_string(),
        };
        // Take every handle first, so that nothing is changed unless everything is.
        let root_end = &mut root.range.end;
        let ValueKind::Object(top) = &mut root.kind else {
            return None;
        };
        let (before, later_sections) = top.members.split_at_mut(section + 1);
        let section_value = before[section].value.as_mut()?;
        let ValueKind::Object(obj) = &mut section_value.kind else {
            return None;
        };
        *root_end = shift(*root_end, delta);
        for later in later_sections {
            later.map_offsets(|o| shift(o, delta));
        }
        section_value.range.end = shift(section_value.range.end, delta);
        for later in &mut obj.members[index + 1..] {
            later.map_offsets(|o| shift(o, delta));
        }
        obj.members[index] = member;

        let first = self.comments.partition_point(|c| c.range.start < old.start);
        let after = self.comments.partition_point(|c| c.range.start < old.end);
        for c in &mut self.comments[after..] {
            shift_range(&mut c.range, delta);
        }
        self.comments.splice(first..after, comments);
        Some(splice)
    }
}

fn shift(offset: usize, delta: isize) -> usize {
    offset.saturating_add_signed(delta)
}

fn shift_range(range: &mut TextRange, delta: isize) {
    range.start = shift(range.start, delta);
    range.end = shift(range.end, delta);
}
