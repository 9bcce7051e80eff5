//! A merge's links (`app/models/ticket.rb#merge_to`, spec §6.2.3): the source's rows that
//! have a twin at the target are deleted (`Link.duplicates(…).destroy_all`, each touching
//! both ends), every other row naming the source is re-pointed to the target
//! (`update_all`: no touch, no validation, the row keeps its id, a row between the two
//! becomes a self link of the target), and the new `parent` row (target → merged ticket)
//! is added as `Link.add` adds it. The work is proportional to the two tickets' own links
//! (their adjacency lists), never a scan.

use std::collections::HashSet;

use rustc_hash::FxBuildHasher;

use crate::graph::Side;
use crate::model::{LinkRow, LinkTypeId, Millis, ObjectRef};
use crate::refusal::{DomainError, Refusal};
use crate::state::WriteTx;

/// Moves the links of ticket `source` to ticket `target` in `tx` and adds the parent row.
/// The two tickets themselves are not touched here: the merge writes both with `now`.
///
/// # Errors
/// When the database fails, or the catalog refuses the name `parent` or `Ticket`.
pub(super) fn merge(
    tx: &mut WriteTx<'_>,
    source: i64,
    target: i64,
    now: Millis,
) -> Result<(), DomainError> {
    let ticket = tx
        .ensure_object("Ticket")?
        .ok_or(Refusal::ColumnMissing("link_object_source_id"))?;
    let (s, t) = (
        ObjectRef::new(ticket, source),
        ObjectRef::new(ticket, target),
    );
    let graph = tx.graph();
    // The target's rows, by what a twin must match: (type, other end) of T→X and of X→T.
    let (mut from_target, mut to_target): (Twins, Twins) = Default::default();
    graph.read_edges(t, |edges| {
        for edge in edges {
            match edge.side {
                Side::Source => from_target.insert((edge.link_type, edge.other())),
                Side::Target => to_target.insert((edge.link_type, edge.other())),
            };
        }
    });
    let rows: Vec<LinkRow> = graph.read_edges(s, |edges| {
        edges
            .iter()
            // A self link is listed from both of its sides: one row.
            .filter(|e| !(e.side == Side::Target && e.other() == s))
            .map(|e| {
                let (from, to) = match e.side {
                    Side::Source => (s, e.other()),
                    Side::Target => (e.other(), s),
                };
                LinkRow {
                    id: e.link_id,
                    link_type: e.link_type,
                    source: from,
                    target: to,
                    created_at: now,
                    updated_at: now,
                }
            })
            .collect()
    });
    let (twins, moving): (Vec<LinkRow>, Vec<LinkRow>) = rows.into_iter().partition(|row| {
        // `Link.duplicates(object1_value: source, object2_value: target)`: X→S beside X→T,
        // or S→X beside T→X, of the same type.
        (row.target == s && to_target.contains(&(row.link_type, row.source)))
            || (row.source == s && from_target.contains(&(row.link_type, row.target)))
    });
    let names = tx.names();
    let mut touched: HashSet<ObjectRef, FxBuildHasher> = HashSet::default();
    for row in twins {
        tx.remove_link(row);
        // `after_destroy :touch_link_references`: both ends, the two tickets aside.
        for end in [row.source, row.target] {
            if end != s && end != t && touched.insert(end) {
                if let Some(kind) = names.object_model(end.object) {
                    tx.touch(kind, end.value, now);
                }
            }
        }
    }
    // `update_all` changes the ends only: the stored rows keep their timestamps.
    let ids: Vec<u64> = moving.iter().map(|row| row.id).collect();
    let stored = tx.stored_links(&ids)?;
    let repoint = |end: ObjectRef| if end == s { t } else { end };
    for row in moving {
        let from = stored
            .binary_search_by_key(&row.id, |r| r.id)
            .map_or(row, |at| stored[at]);
        let to = LinkRow {
            source: repoint(from.source),
            target: repoint(from.target),
            ..from
        };
        tx.move_link(row, to);
    }
    // `Link.add(link_type: 'parent', source: target, target: source)`; both ends are
    // written by the merge with `now`. No row names the source any more, so the row is
    // never a duplicate (the 6.5+ validator would drop one silently).
    let parent = tx
        .ensure_type("parent")?
        .ok_or(Refusal::ColumnMissing("link_type_id"))?;
    let id = tx.link_id(None);
    tx.add_link(LinkRow {
        id,
        link_type: parent,
        source: t,
        target: s,
        created_at: now,
        updated_at: now,
    });
    Ok(())
}

/// (link type, other end) pairs of one side of a ticket's rows.
type Twins = HashSet<(LinkTypeId, ObjectRef), FxBuildHasher>;
