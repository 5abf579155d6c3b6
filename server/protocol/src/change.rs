//! The feed's compact `change` frame: what changed in the office's snapshot since the frame
//! before, so that a staff command puts a few hundred bytes on each of thousands of sockets
//! instead of the whole snapshot (a few KB). A client applies it to its last snapshot and has
//! exactly the next one.
//!
//! The patch is a JSON Merge Patch (RFC 7396) of the snapshot's fields, extended to lists so
//! that a list is not resent whole when one item changed or one was added:
//! - an object lists only the keys that changed: a new or changed value, or `null` for a key
//!   that is gone (a snapshot never holds `null`);
//! - a list becomes either the new list itself (a JSON array), or an object that edits the old
//!   one: `{"keep": [i, j], "before": [..], "after": [..]}` is `before` + old items `i..j` +
//!   `after` (a ticket issued: `after` is the new ticket; a call: `keep` drops the head),
//!   while `{"0": patch, "3": patch}` patches the items at those positions of a list of the
//!   same length (one service's waiting count, a counter's state). The smallest form is sent;
//! - anything else is the new value.
//!
//! RFC 6902 JSON Patch was weighed and not taken: its diffs address list items by position, so
//! removing the head of the queue rewrites every item after it, and each operation spells out
//! its path (`{"op":"replace","path":"/services/0/waiting","value":3}`).

use std::ops::Range;

use imbl::Vector;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::snapshot::{QueuedTicket, Snapshot};

/// A `change` frame's body (its `v`, `seq` and `generated_at` are the envelope's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The `seq` of the snapshot this change applies to: the previous frame's state.
    pub base: u64,
    /// What changed in the snapshot's fields (see the module's documentation).
    pub patch: Value,
}

/// Why a change could not be applied: the client's last snapshot is not the one the change was
/// made from. It waits for the next full snapshot (at most [`crate::feed::REFRESH_INTERVAL`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeError {
    /// No snapshot yet to apply it to.
    NoSnapshot,
    /// The change was made from another `seq` than the client's snapshot.
    OtherBase {
        /// The change's `base`.
        base: u64,
        /// The `seq` of the client's snapshot.
        have: u64,
    },
    /// A list edit that does not fit the list it is applied to.
    BadListEdit(String),
}

impl std::fmt::Display for ChangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoSnapshot => write!(f, "a change before any snapshot"),
            Self::OtherBase { base, have } => {
                write!(f, "a change from seq {base} to a snapshot of seq {have}")
            }
            Self::BadListEdit(why) => write!(f, "a list edit that does not fit: {why}"),
        }
    }
}

impl std::error::Error for ChangeError {}

/// The envelope's fields, which are not part of a snapshot's patch.
pub const ENVELOPE: [&str; 4] = ["v", "type", "seq", "generated_at"];

/// The patch that turns `old` into `new` (two snapshots as JSON, envelopes ignored), or `None`
/// when it cannot be said as a patch (a `null` in `new`, a list that became an object): then the
/// whole snapshot is sent.
pub fn diff(old: &Value, new: &Value) -> Option<Value> {
    let (Value::Object(old), Value::Object(new)) = (old, new) else {
        return None;
    };
    match object_patch(old, new, &ENVELOPE) {
        Patched::Same => Some(Value::Object(Map::new())),
        Patched::Changed(patch) => Some(patch),
        Patched::Unsayable => None,
    }
}

/// The patch that turns snapshot `old` into `new`: the patch [`diff`] makes from their JSON,
/// made from the typed snapshots (see [`ChangeBase`]). `None` as for [`diff`].
pub fn diff_snapshots(old: &Snapshot, new: &Snapshot) -> Option<Value> {
    ChangeBase::of(old)?.patch_to(&ChangeBase::of(new)?)
}

/// A snapshot as changes are made from and to it: its fields but the waiting line as JSON (a
/// few KB), and the line as it is, the part that grows with the office's day, compared item by
/// item and written as JSON only where it goes into a patch. The feed's relay makes each
/// state's base once, when the state is new, and keeps it for the change to the next.
#[derive(Clone, Debug)]
pub struct ChangeBase {
    rest: Value,
    queue: Option<Vector<QueuedTicket>>,
}

impl ChangeBase {
    /// The base of `snapshot` (`None` if its fields cannot be JSON, which plain data always
    /// can).
    pub fn of(snapshot: &Snapshot) -> Option<Self> {
        Some(Self {
            rest: serde_json::to_value(without_queue(snapshot)).ok()?,
            queue: snapshot.queue.clone(),
        })
    }

    /// The patch that turns this snapshot into `new`'s ([`diff_snapshots`]).
    pub fn patch_to(&self, new: &ChangeBase) -> Option<Value> {
        let mut patch = diff(&self.rest, &new.rest)?;
        let queue = match (&self.queue, &new.queue) {
            (None, None) => Patched::Same,
            (Some(_), None) => Patched::Changed(Value::Null),
            (None, Some(new)) => whole_list(new),
            (Some(old), Some(new)) => line_patch(old, new),
        };
        match queue {
            Patched::Same => {}
            Patched::Changed(edit) => {
                patch.as_object_mut()?.insert("queue".into(), edit);
            }
            Patched::Unsayable => return None,
        }
        Some(patch)
    }
}

/// `snapshot` but its waiting line. Every field is named, so that a new one cannot be missed.
fn without_queue(snapshot: &Snapshot) -> Snapshot {
    let Snapshot {
        office,
        calendar,
        reception,
        waiting_total,
        shared_estimate,
        services,
        queue: _,
        now_called,
        recent_calls,
        counters,
        congestion,
        demo,
        clock_speed,
    } = snapshot;
    Snapshot {
        office: office.clone(),
        calendar: calendar.clone(),
        reception: reception.clone(),
        waiting_total: *waiting_total,
        shared_estimate: shared_estimate.clone(),
        services: services.clone(),
        queue: None,
        now_called: now_called.clone(),
        recent_calls: recent_calls.clone(),
        counters: counters.clone(),
        congestion: congestion.clone(),
        demo: *demo,
        clock_speed: *clock_speed,
    }
}

/// Applies `patch` to `snapshot` (a whole snapshot message as JSON) and sets the envelope to
/// `seq` and `generated_at`: the next snapshot message. Checks `base` against the snapshot's
/// `seq`.
pub fn apply(
    snapshot: &Value,
    change: &Change,
    seq: u64,
    generated_at: &Value,
) -> Result<Value, ChangeError> {
    let have = snapshot
        .get("seq")
        .and_then(Value::as_u64)
        .ok_or(ChangeError::NoSnapshot)?;
    if have != change.base {
        return Err(ChangeError::OtherBase {
            base: change.base,
            have,
        });
    }
    let mut next = patched(snapshot, &change.patch)?;
    if let Value::Object(fields) = &mut next {
        fields.insert("type".into(), Value::from("snapshot"));
        fields.insert("seq".into(), Value::from(seq));
        fields.insert("generated_at".into(), generated_at.clone());
    }
    Ok(next)
}

/// `target` with `patch` applied (the rules of the module's documentation).
pub fn patched(target: &Value, patch: &Value) -> Result<Value, ChangeError> {
    let Value::Object(edits) = patch else {
        return Ok(patch.clone());
    };
    match target {
        Value::Array(items) => list_patched(items, edits).map(Value::Array),
        Value::Object(fields) => object_patched(fields.clone(), edits),
        _ => object_patched(Map::new(), edits),
    }
}

fn object_patched(
    mut fields: Map<String, Value>,
    edits: &Map<String, Value>,
) -> Result<Value, ChangeError> {
    for (key, edit) in edits {
        if edit.is_null() {
            fields.remove(key);
        } else {
            let value = patched(fields.get(key).unwrap_or(&Value::Null), edit)?;
            fields.insert(key.clone(), value);
        }
    }
    Ok(Value::Object(fields))
}

fn list_patched(items: &[Value], edits: &Map<String, Value>) -> Result<Vec<Value>, ChangeError> {
    if let Some(keep) = edits.get("keep") {
        let bound = |at: usize| keep.get(at).and_then(Value::as_u64).map(|n| n as usize);
        let (Some(from), Some(to)) = (bound(0), bound(1)) else {
            return Err(ChangeError::BadListEdit(format!("keep {keep}")));
        };
        if from > to || to > items.len() {
            return Err(ChangeError::BadListEdit(format!(
                "keep {from}..{to} of {} items",
                items.len()
            )));
        }
        let part = |key: &str| -> Result<Vec<Value>, ChangeError> {
            match edits.get(key) {
                None => Ok(Vec::new()),
                Some(Value::Array(values)) => Ok(values.clone()),
                Some(other) => Err(ChangeError::BadListEdit(format!("{key} {other}"))),
            }
        };
        let mut list = part("before")?;
        list.extend_from_slice(&items[from..to]);
        list.extend(part("after")?);
        return Ok(list);
    }
    let mut list = items.to_vec();
    for (key, edit) in edits {
        let slot = key
            .parse::<usize>()
            .ok()
            .and_then(|at| list.get_mut(at))
            .ok_or_else(|| {
                ChangeError::BadListEdit(format!("item {key} of {} items", items.len()))
            })?;
        *slot = patched(slot, edit)?;
    }
    Ok(list)
}

/// What a value's patch is.
enum Patched {
    /// Nothing changed.
    Same,
    /// This patch.
    Changed(Value),
    /// A change a patch cannot say.
    Unsayable,
}

fn patch(old: &Value, new: &Value) -> Patched {
    if old == new {
        return Patched::Same;
    }
    match (old, new) {
        (_, Value::Null) => Patched::Unsayable,
        (Value::Object(old), Value::Object(new)) => object_patch(old, new, &[]),
        (Value::Array(old), Value::Array(new)) => list_patch(old.as_slice(), new.as_slice()),
        // A list patch is an object: a list cannot become an object in one.
        (Value::Array(_), Value::Object(_)) => Patched::Unsayable,
        (_, new) if has_null(new) => Patched::Unsayable,
        (_, new) => Patched::Changed(new.clone()),
    }
}

fn has_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.iter().any(has_null),
        Value::Object(fields) => fields.values().any(has_null),
        _ => false,
    }
}

/// The patch of two objects' fields, but for the keys in `ignored`.
fn object_patch(old: &Map<String, Value>, new: &Map<String, Value>, ignored: &[&str]) -> Patched {
    let mut edits = Map::new();
    for (key, value) in new {
        if ignored.contains(&key.as_str()) {
            continue;
        }
        let edit = match old.get(key) {
            Some(before) => patch(before, value),
            None if has_null(value) => Patched::Unsayable,
            None => Patched::Changed(value.clone()),
        };
        match edit {
            Patched::Same => {}
            Patched::Changed(edit) => {
                edits.insert(key.clone(), edit);
            }
            Patched::Unsayable => return Patched::Unsayable,
        }
    }
    for key in old.keys() {
        if !new.contains_key(key) && !ignored.contains(&key.as_str()) {
            edits.insert(key.clone(), Value::Null);
        }
    }
    if edits.is_empty() {
        Patched::Same
    } else {
        Patched::Changed(Value::Object(edits))
    }
}

/// An item of a list a patch edits: compared as it is, written as JSON only when it goes into
/// the patch (a snapshot's JSON tree, or the typed waiting line of [`ChangeBase`]).
trait ListItem: PartialEq + Serialize {
    /// Fewer bytes than any item takes as JSON.
    const JSON_LEN_FLOOR: usize;

    /// The item as JSON.
    fn json(&self) -> Value;

    /// The patch of this item to `new`, at the same place of the list.
    fn patch_to(&self, new: &Self) -> Patched;

    /// Fewer bytes than the item takes as JSON, known without writing it.
    fn json_len_at_least(&self) -> usize;
}

impl ListItem for Value {
    const JSON_LEN_FLOOR: usize = 1;

    fn json(&self) -> Value {
        self.clone()
    }

    fn patch_to(&self, new: &Self) -> Patched {
        patch(self, new)
    }

    fn json_len_at_least(&self) -> usize {
        Self::JSON_LEN_FLOOR
    }
}

impl<T: ListItem> ListItem for &T {
    const JSON_LEN_FLOOR: usize = T::JSON_LEN_FLOOR;

    fn json(&self) -> Value {
        T::json(self)
    }

    fn patch_to(&self, new: &Self) -> Patched {
        T::patch_to(self, new)
    }

    fn json_len_at_least(&self) -> usize {
        T::json_len_at_least(self)
    }
}

impl ListItem for QueuedTicket {
    const JSON_LEN_FLOOR: usize = QueuedTicket::JSON_LEN_FLOOR;

    fn json(&self) -> Value {
        // A struct of strings always converts; `null` would make the patch unsayable.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    fn patch_to(&self, new: &Self) -> Patched {
        if self == new {
            Patched::Same
        } else {
            patch(&self.json(), &new.json())
        }
    }

    fn json_len_at_least(&self) -> usize {
        QueuedTicket::json_len_at_least(self)
    }
}

/// The new list of a patch, read by range: a slice, or the persistent vector of the waiting
/// line (read in place, not copied).
trait NewList {
    type Item: ListItem;

    fn len(&self) -> usize;

    fn items(&self, range: Range<usize>) -> impl DoubleEndedIterator<Item = &Self::Item>;
}

impl<T: ListItem> NewList for [T] {
    type Item = T;

    fn len(&self) -> usize {
        <[T]>::len(self)
    }

    fn items(&self, range: Range<usize>) -> impl DoubleEndedIterator<Item = &T> {
        self[range].iter()
    }
}

impl NewList for Vector<QueuedTicket> {
    type Item = QueuedTicket;

    fn len(&self) -> usize {
        Vector::len(self)
    }

    fn items(&self, range: Range<usize>) -> impl DoubleEndedIterator<Item = &QueuedTicket> {
        self.focus().narrow(range).into_iter()
    }
}

/// The items of `range` as a JSON list, or `None` if one holds a `null` (which a patch cannot
/// carry).
fn json_items<L: NewList + ?Sized>(list: &L, range: Range<usize>) -> Option<Vec<Value>> {
    let items: Vec<Value> = list.items(range).map(ListItem::json).collect();
    (!items.iter().any(has_null)).then_some(items)
}

/// The new list itself, when no edit says it.
fn whole_list<L: NewList + ?Sized>(new: &L) -> Patched {
    json_items(new, 0..new.len()).map_or(Patched::Unsayable, |items| {
        Patched::Changed(Value::Array(items))
    })
}

/// The smallest of: the new list itself, an edit keeping the longest run of old items, and
/// (same length) patches of the items that changed. The items both lists keep at their start
/// and at their end are found first; only the parts between are searched.
fn list_patch<T: ListItem>(old: &[T], new: &[T]) -> Patched {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let ends = Ends {
        old_len: old.len(),
        prefix,
        suffix,
    };
    ends.patch(
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
        new,
    )
}

/// [`list_patch`] of the waiting line. A line that changed at one end or two shares most of its
/// persistent vector's leaves with the line before (the same chunks in memory, so the same
/// items): those are passed over whole, so a long line costs its publish little more than
/// what changed.
fn line_patch(old: &Vector<QueuedTicket>, new: &Vector<QueuedTicket>) -> Patched {
    let shorter = old.len().min(new.len());
    let shared_leaves = |leaves: &mut dyn Iterator<Item = (&[QueuedTicket], &[QueuedTicket])>| {
        leaves
            .take_while(|(a, b)| std::ptr::eq(*a, *b))
            .map(|(a, _)| a.len())
            .sum::<usize>()
    };
    let skipped = shared_leaves(&mut old.leaves().zip(new.leaves())).min(shorter);
    let prefix = skipped
        + old
            .items(skipped..old.len())
            .zip(new.items(skipped..new.len()))
            .take_while(|(a, b)| a == b)
            .count();
    let most = shorter - prefix;
    let skipped = shared_leaves(&mut old.leaves().rev().zip(new.leaves().rev())).min(most);
    let suffix = skipped
        + old
            .items(prefix..old.len() - skipped)
            .rev()
            .zip(new.items(prefix..new.len() - skipped).rev())
            .take_while(|(a, b)| a == b)
            .count();
    let old_middle: Vec<&QueuedTicket> = old.items(prefix..old.len() - suffix).collect();
    let new_middle: Vec<&QueuedTicket> = new.items(prefix..new.len() - suffix).collect();
    let ends = Ends {
        old_len: old.len(),
        prefix,
        suffix,
    };
    ends.patch(&old_middle, &new_middle, new)
}

/// How two versions of a list agree at their ends: the first `prefix` items and the last
/// `suffix` are the same in both.
struct Ends {
    old_len: usize,
    prefix: usize,
    suffix: usize,
}

impl Ends {
    /// The patch to `new`, where `old_middle` (the old items between the ends) became
    /// `new_middle`. Sizes are counted, not written out, and the new list is copied only if it
    /// is the smallest. Only what goes into the patch is checked for `null` (kept items are the
    /// old list's own).
    fn patch<M: ListItem, L: NewList + ?Sized>(
        &self,
        old_middle: &[M],
        new_middle: &[M],
        new: &L,
    ) -> Patched {
        if old_middle.is_empty() && new_middle.is_empty() {
            return Patched::Same;
        }
        let mut edits = Vec::new();
        // The longest run of kept items: the start, the end, or one between them (the first
        // of equals, as a search from the start finds it).
        let (start_old, start_new, length) = longest_run(old_middle, new_middle);
        let runs = [
            (0, 0, self.prefix),
            (self.prefix + start_old, self.prefix + start_new, length),
            (
                self.old_len - self.suffix,
                new.len() - self.suffix,
                self.suffix,
            ),
        ];
        let run = runs.into_iter().fold(
            (0, 0, 0),
            |best, run| if run.2 > best.2 { run } else { best },
        );
        if let Some(edit) = keep_edit(new, run) {
            edits.push(edit);
        }
        if self.old_len == new.len() {
            let mut items = Some(Map::new());
            for (at, (before, after)) in old_middle.iter().zip(new_middle).enumerate() {
                match before.patch_to(after) {
                    Patched::Same => {}
                    Patched::Changed(edit) => {
                        if let Some(items) = &mut items {
                            items.insert((self.prefix + at).to_string(), edit);
                        }
                    }
                    // An item's change only the whole list can say.
                    Patched::Unsayable => items = None,
                }
            }
            if let Some(items) = items {
                edits.push(Value::Object(items));
            }
        }
        let smallest_edit = edits
            .into_iter()
            .map(|edit| (json_len(&edit), edit))
            .min_by_key(|(length, _)| *length);
        // A long list's own size is counted only when the edit may not be smaller: first from
        // its length alone, then from its items' lower bounds, last exactly.
        let commas = new.len().saturating_sub(1);
        let list_len = |item_len: &dyn Fn(&L::Item) -> usize| {
            2 + commas + new.items(0..new.len()).map(item_len).sum::<usize>()
        };
        match smallest_edit {
            Some((length, edit))
                if length < 2 + commas + new.len() * L::Item::JSON_LEN_FLOOR
                    || length < list_len(&L::Item::json_len_at_least)
                    || length < list_len(&|item| json_len(item)) =>
            {
                Patched::Changed(edit)
            }
            _ => whole_list(new),
        }
    }
}

/// How many bytes `value` takes as compact JSON, counted without writing them anywhere.
fn json_len(value: &impl Serialize) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Writing JSON values to a counter cannot fail.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

/// The longest run of `old` items that is also a run of `new` items (for long lists, one
/// nearly so), as (start in old, start in new, length); length 0 when they share no item.
///
/// Runs are measured through sampled items of `old`: its first and last, then all of them
/// for short lists (exactly the longest, the first of equals), one in every stride for long
/// ones, so any run longer than a stride is found (a line changed by a few edits keeps runs
/// far longer). A sample inside the best run so far is passed over: its run is that one. With
/// a few edits to a long line the cost is a few passes over it, not its square.
fn longest_run<T: PartialEq>(old: &[T], new: &[T]) -> (usize, usize, usize) {
    /// Item pairs a search of every item may compare.
    const EVERY_ITEM_UP_TO: usize = 1 << 16;
    /// Samples of a long list (plus its first and last).
    const SAMPLES: usize = 64;
    let stride = if old.len() * new.len() <= EVERY_ITEM_UP_TO {
        1
    } else {
        old.len().div_ceil(SAMPLES)
    };
    let ends = [0, old.len().saturating_sub(1)];
    let samples = ends
        .into_iter()
        .take(old.len())
        .chain((0..old.len()).step_by(stride));
    let mut best = (0, 0, 0);
    for at in samples {
        if (best.0..best.0 + best.2).contains(&at) {
            continue;
        }
        for (start_new, item) in new.iter().enumerate() {
            if *item != old[at] {
                continue;
            }
            let back = old[..at]
                .iter()
                .rev()
                .zip(new[..start_new].iter().rev())
                .take_while(|(a, b)| a == b)
                .count();
            let forward = old[at..]
                .iter()
                .zip(&new[start_new..])
                .take_while(|(a, b)| a == b)
                .count();
            let run = (at - back, start_new - back, back + forward);
            if run.2 > best.2 || (run.2 == best.2 && (run.0, run.1) < (best.0, best.1)) {
                best = run;
            }
        }
    }
    best
}

/// `{"keep": [i, j], "before": .., "after": ..}` around `run` (start in old, start in new,
/// length), if it is not empty (and the new items around it hold no `null`).
fn keep_edit<L: NewList + ?Sized>(
    new: &L,
    (start_old, start_new, length): (usize, usize, usize),
) -> Option<Value> {
    if length == 0 {
        return None;
    }
    let mut edit = Map::new();
    edit.insert(
        "keep".into(),
        Value::from(vec![start_old as u64, (start_old + length) as u64]),
    );
    if start_new > 0 {
        edit.insert(
            "before".into(),
            Value::Array(json_items(new, 0..start_new)?),
        );
    }
    if start_new + length < new.len() {
        edit.insert(
            "after".into(),
            Value::Array(json_items(new, start_new + length..new.len())?),
        );
    }
    Some(Value::Object(edit))
}

#[cfg(test)]
mod tests;
