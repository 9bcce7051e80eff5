//! The link graph: for every link end, the links it takes part in, held in both directions so
//! that listing an object's links costs time in proportion to its own links, never a scan.
//!
//! This is the only code that touches the adjacency map's guards. Each edge is stored from
//! its owner's point of view ([`Side`]) and kept in Zammad's list order: rows where the owner
//! is the source first, then rows where it is the target, each by link id
//! (`Link.list` in `app/models/link.rb` queries the two sides one after the other). Link
//! timestamps are not kept here; `store` has the full rows.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use dashmap::DashMap;
use rustc_hash::FxBuildHasher;

use crate::model::{LinkObjectId, LinkRow, LinkTypeId, ObjectRef};

/// Which end of the stored row the edge's owner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The owner is the row's source; Zammad shows the *inverse* type for it.
    Source,
    /// The owner is the row's target; Zammad shows the raw type.
    Target,
}

/// One link as seen from one of its ends. Fields are flat (not an [`ObjectRef`]) so the edge
/// packs into 24 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// `links.id`.
    pub link_id: u64,
    /// The other end's record id.
    pub other_value: i64,
    /// The other end's link object.
    pub other_object: LinkObjectId,
    /// The row's raw link type (the name shown depends on [`Edge::side`]).
    pub link_type: LinkTypeId,
    /// Which end of the row the owner is.
    pub side: Side,
}

impl Edge {
    /// The other end of the link.
    pub fn other(&self) -> ObjectRef {
        ObjectRef::new(self.other_object, self.other_value)
    }

    fn order_key(&self) -> (Side, u64) {
        (self.side, self.link_id)
    }
}

/// The adjacency map of all links.
#[derive(Debug, Default)]
pub struct LinkGraph {
    nodes: DashMap<ObjectRef, Vec<Edge>, FxBuildHasher>,
    links: AtomicUsize,
}

impl LinkGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of links.
    pub fn len(&self) -> usize {
        self.links.load(Ordering::Relaxed)
    }

    /// Whether there are no links.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The links of `owner`, in Zammad's list order, copied out.
    ///
    /// Locking: a shard read lock for the copy; no other guard is held meanwhile.
    pub fn edges(&self, owner: ObjectRef) -> Vec<Edge> {
        self.nodes
            .get(&owner)
            .map(|edges| edges.clone())
            .unwrap_or_default()
    }

    /// `read` applied to the links of `owner` in Zammad's list order (none when it has none),
    /// without copying them out.
    ///
    /// Locking: a shard read lock while `read` runs; `read` must not write to the graph.
    #[inline]
    pub fn read_edges<T>(&self, owner: ObjectRef, read: impl FnOnce(&[Edge]) -> T) -> T {
        match self.nodes.get(&owner) {
            Some(edges) => read(&edges),
            None => read(&[]),
        }
    }

    /// The ids of links stored exactly as (`link_type`, `source` → `target`), in id order.
    ///
    /// Searched from whichever end has fewer links, so that checking for a duplicate next
    /// to a ticket with thousands of links costs no more than its partner's list.
    ///
    /// Locking: a shard read lock on one node at a time.
    pub fn find(&self, link_type: LinkTypeId, source: ObjectRef, target: ObjectRef) -> Vec<u64> {
        let degree = |node: &ObjectRef| self.nodes.get(node).map_or(0, |edges| edges.len());
        let (owner, side, other) = if degree(&target) < degree(&source) {
            (target, Side::Target, source)
        } else {
            (source, Side::Source, target)
        };
        self.nodes
            .get(&owner)
            .map(|edges| {
                edges
                    .iter()
                    .filter(|e| e.side == side && e.link_type == link_type && e.other() == other)
                    .map(|e| e.link_id)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Adds `row` at both of its ends.
    ///
    /// Locking: a shard write lock on the source node, released, then one on the target node.
    /// Holding both at once could deadlock when both ends live in the same shard. Callers
    /// serialise writes with the state's writer lock, so readers may briefly see one end only.
    pub fn insert(&self, row: &LinkRow) {
        for (owner, edge) in Self::ends(row) {
            Self::insert_ordered(&mut self.nodes.entry(owner).or_default(), edge);
        }
        self.links.fetch_add(1, Ordering::Relaxed);
    }

    /// `row` as seen from its source and from its target.
    fn ends(row: &LinkRow) -> [(ObjectRef, Edge); 2] {
        let edge = |other: ObjectRef, side| Edge {
            link_id: row.id,
            other_value: other.value,
            other_object: other.object,
            link_type: row.link_type,
            side,
        };
        [
            (row.source, edge(row.target, Side::Source)),
            (row.target, edge(row.source, Side::Target)),
        ]
    }

    /// Adds many rows at once, as at start-up: the machine's threads each push the edges of
    /// the nodes in their share of the map's shards (so they never wait for one another),
    /// then every list is put in order and trimmed to its length. Gives the same graph as
    /// [`LinkGraph::insert`] row by row, in less time and memory.
    ///
    /// Locking: shard write locks, each thread only its own shards; call it while nothing
    /// else reads or writes the graph.
    pub fn insert_all(&self, rows: &[LinkRow]) {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(self.nodes.shards().len());
        let owned_by = |owner: &ObjectRef| self.nodes.determine_map(owner) % threads;
        std::thread::scope(|scope| {
            for thread in 0..threads {
                scope.spawn(move || {
                    let ends = || rows.iter().flat_map(Self::ends);
                    // Counted first, so that every list is allocated once at its final
                    // size: growing lists by doubling left a third of the memory unused.
                    let mut degrees: HashMap<ObjectRef, usize, FxBuildHasher> = HashMap::default();
                    for (owner, ..) in ends().filter(|(owner, ..)| owned_by(owner) == thread) {
                        *degrees.entry(owner).or_default() += 1;
                    }
                    for (owner, degree) in degrees {
                        self.nodes.entry(owner).or_default().reserve_exact(degree);
                    }
                    for (owner, edge) in ends().filter(|(owner, _)| owned_by(owner) == thread) {
                        if let Some(mut edges) = self.nodes.get_mut(&owner) {
                            edges.push(edge);
                        }
                    }
                });
            }
        });
        for mut node in self.nodes.iter_mut() {
            let edges = node.value_mut();
            edges.sort_unstable_by_key(Edge::order_key);
            edges.shrink_to_fit();
        }
        self.links.fetch_add(rows.len(), Ordering::Relaxed);
    }

    fn insert_ordered(edges: &mut Vec<Edge>, edge: Edge) {
        // New links carry the highest id, so this is almost always a push at the end of
        // the edge's side.
        let at = edges.partition_point(|e| e.order_key() < edge.order_key());
        edges.insert(at, edge);
    }

    /// Removes link `row` from both of its ends; an absent link is a no-op.
    ///
    /// Locking: as [`LinkGraph::insert`], one node at a time.
    pub fn remove(&self, row: &LinkRow) {
        let mut removed = false;
        for (owner, side) in [(row.source, Side::Source), (row.target, Side::Target)] {
            if let Some(mut edges) = self.nodes.get_mut(&owner) {
                let before = edges.len();
                edges.retain(|e| !(e.link_id == row.id && e.side == side));
                removed |= edges.len() != before;
            }
            self.nodes.remove_if(&owner, |_, edges| edges.is_empty());
        }
        if removed {
            self.links.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Removes the links `rows` from both of their ends, each node's list filtered once: a
    /// ticket's thousand links go in time proportional to them, not to their square.
    ///
    /// Locking: as [`LinkGraph::insert`], one node at a time.
    pub fn remove_all(&self, rows: &[LinkRow]) {
        match rows {
            [] => return,
            [row] => return self.remove(row),
            _ => {}
        }
        let mut by_owner: HashMap<ObjectRef, Vec<(u64, Side)>, FxBuildHasher> = HashMap::default();
        for row in rows {
            by_owner
                .entry(row.source)
                .or_default()
                .push((row.id, Side::Source));
            by_owner
                .entry(row.target)
                .or_default()
                .push((row.id, Side::Target));
        }
        let mut removed = 0;
        for (owner, mut gone) in by_owner {
            gone.sort_unstable();
            if let Some(mut edges) = self.nodes.get_mut(&owner) {
                edges.retain(|e| {
                    let keep = gone.binary_search(&(e.link_id, e.side)).is_err();
                    // Each link is counted once, at its source end.
                    if !keep && e.side == Side::Source {
                        removed += 1;
                    }
                    keep
                });
            }
            self.nodes.remove_if(&owner, |_, edges| edges.is_empty());
        }
        self.links.fetch_sub(removed, Ordering::Relaxed);
    }

    /// Moves each link `(from, to)` to new ends under its own id (a merge re-points a
    /// ticket's rows): every `from` leaves its ends first, then every `to` joins its ends,
    /// so a node that is an end of both (the other end of a re-pointed row) ends up with
    /// the new edge only, in both directions. The number of links does not change. Time is
    /// proportional to the rows and the lists they touch.
    ///
    /// Locking: as [`LinkGraph::insert`], one node at a time.
    pub fn move_all(&self, moves: &[(LinkRow, LinkRow)]) {
        if moves.is_empty() {
            return;
        }
        let from: Vec<LinkRow> = moves.iter().map(|(from, _)| *from).collect();
        self.remove_all(&from);
        let mut by_owner: HashMap<ObjectRef, Vec<Edge>, FxBuildHasher> = HashMap::default();
        for (_, to) in moves {
            for (owner, edge) in Self::ends(to) {
                by_owner.entry(owner).or_default().push(edge);
            }
        }
        for (owner, edges) in by_owner {
            let mut list = self.nodes.entry(owner).or_default();
            // A few edges go to their places; many are appended and the list sorted once.
            if edges.len() <= 8 {
                for edge in edges {
                    Self::insert_ordered(&mut list, edge);
                }
            } else {
                list.extend(edges);
                list.sort_unstable_by_key(Edge::order_key);
            }
        }
        self.links.fetch_add(moves.len(), Ordering::Relaxed);
    }

    /// Removes every link.
    pub fn clear(&self) {
        self.nodes.clear();
        self.links.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Millis;

    fn row(id: u64, link_type: u16, source: i64, target: i64) -> LinkRow {
        LinkRow {
            id,
            link_type: LinkTypeId(link_type),
            source: ObjectRef::ticket(source),
            target: ObjectRef::ticket(target),
            created_at: Millis(0),
            updated_at: Millis(0),
        }
    }

    #[test]
    fn a_link_is_seen_from_both_ends() {
        let graph = LinkGraph::new();
        graph.insert(&row(3, 1, 10, 20));
        let from_source = graph.edges(ObjectRef::ticket(10));
        let from_target = graph.edges(ObjectRef::ticket(20));
        assert_eq!(from_source.len(), 1);
        assert_eq!(from_source[0].side, Side::Source);
        assert_eq!(from_source[0].other(), ObjectRef::ticket(20));
        assert_eq!(from_target[0].side, Side::Target);
        assert_eq!(from_target[0].other(), ObjectRef::ticket(10));
    }

    #[test]
    fn source_rows_come_first_then_target_rows_each_by_id() {
        let graph = LinkGraph::new();
        graph.insert(&row(1, 1, 30, 10)); // 10 is target
        graph.insert(&row(2, 1, 10, 40)); // 10 is source
        graph.insert(&row(3, 1, 50, 10)); // 10 is target
        graph.insert(&row(4, 1, 10, 60)); // 10 is source
        let ids: Vec<u64> = graph
            .edges(ObjectRef::ticket(10))
            .iter()
            .map(|e| e.link_id)
            .collect();
        assert_eq!(ids, vec![2, 4, 1, 3]);
    }

    #[test]
    fn removal_clears_both_ends_and_empty_nodes() {
        let graph = LinkGraph::new();
        let link = row(3, 1, 10, 20);
        graph.insert(&link);
        graph.remove(&link);
        assert!(graph.edges(ObjectRef::ticket(10)).is_empty());
        assert!(graph.edges(ObjectRef::ticket(20)).is_empty());
        assert!(graph.is_empty());
        assert!(graph.nodes.is_empty());
    }

    #[test]
    fn a_self_link_appears_twice_for_its_ticket() {
        let graph = LinkGraph::new();
        let link = row(7, 1, 10, 10);
        graph.insert(&link);
        assert_eq!(graph.edges(ObjectRef::ticket(10)).len(), 2);
        graph.remove(&link);
        assert!(graph.edges(ObjectRef::ticket(10)).is_empty());
        assert_eq!(graph.len(), 0);
    }

    #[test]
    fn insert_all_builds_the_same_graph_as_inserting_one_by_one() {
        let rows: Vec<LinkRow> = (1..=500)
            .map(|id| {
                row(
                    id,
                    1 + (id % 3) as u16,
                    (id * 7 % 40) as i64,
                    (id * 13 % 40) as i64,
                )
            })
            .collect();
        let one_by_one = LinkGraph::new();
        rows.iter().for_each(|r| one_by_one.insert(r));
        let at_once = LinkGraph::new();
        at_once.insert_all(&rows);
        assert_eq!(at_once.len(), 500);
        for ticket in 0..40 {
            assert_eq!(
                at_once.edges(ObjectRef::ticket(ticket)),
                one_by_one.edges(ObjectRef::ticket(ticket))
            );
        }
    }

    #[test]
    fn find_gives_the_same_answer_from_either_end() {
        let graph = LinkGraph::new();
        for id in 1..=5 {
            graph.insert(&row(id, 1, 10, 100 + id as i64));
        }
        graph.insert(&row(6, 2, 10, 101));
        // 101 has fewer links than 10, so the search runs from 101's side.
        assert_eq!(
            graph.find(LinkTypeId(1), ObjectRef::ticket(10), ObjectRef::ticket(101)),
            vec![1]
        );
        assert!(graph
            .find(LinkTypeId(1), ObjectRef::ticket(101), ObjectRef::ticket(10))
            .is_empty());
        // A self-link: both ends are the same list.
        graph.insert(&row(7, 1, 10, 10));
        assert_eq!(
            graph.find(LinkTypeId(1), ObjectRef::ticket(10), ObjectRef::ticket(10)),
            vec![7]
        );
    }

    #[test]
    fn find_matches_type_and_direction_exactly() {
        let graph = LinkGraph::new();
        graph.insert(&row(3, 1, 10, 20));
        assert_eq!(
            graph.find(LinkTypeId(1), ObjectRef::ticket(10), ObjectRef::ticket(20)),
            vec![3]
        );
        assert!(graph
            .find(LinkTypeId(1), ObjectRef::ticket(20), ObjectRef::ticket(10))
            .is_empty());
        assert!(graph
            .find(LinkTypeId(2), ObjectRef::ticket(10), ObjectRef::ticket(20))
            .is_empty());
    }

    #[test]
    fn a_moved_row_keeps_its_id_and_both_directions_agree() {
        let graph = LinkGraph::new();
        let rows = [row(1, 1, 10, 20), row(2, 1, 30, 10), row(3, 1, 10, 40)];
        for r in &rows {
            graph.insert(r);
        }
        graph.insert(&row(4, 1, 40, 20));
        // Act: 10's rows re-pointed to 40; row 3 (10→40) becomes a self link of 40.
        graph.move_all(&[
            (rows[0], row(1, 1, 40, 20)),
            (rows[1], row(2, 1, 30, 40)),
            (rows[2], row(3, 1, 40, 40)),
        ]);
        // Assert
        assert_eq!(graph.len(), 4);
        assert!(graph.edges(ObjectRef::ticket(10)).is_empty());
        let of = |id| -> Vec<(u64, Side, i64)> {
            graph
                .edges(ObjectRef::ticket(id))
                .iter()
                .map(|e| (e.link_id, e.side, e.other_value))
                .collect()
        };
        assert_eq!(
            of(40),
            [
                (1, Side::Source, 20),
                (3, Side::Source, 40),
                (4, Side::Source, 20),
                (2, Side::Target, 30),
                (3, Side::Target, 40),
            ]
        );
        assert_eq!(of(20), [(1, Side::Target, 40), (4, Side::Target, 40)]);
        assert_eq!(of(30), [(2, Side::Source, 40)]);
    }

    #[test]
    fn removing_many_rows_at_once_leaves_what_removing_them_one_by_one_does() {
        let rows = [
            row(1, 1, 10, 20),
            row(2, 1, 30, 10),
            row(3, 1, 10, 10),
            row(4, 1, 20, 30),
        ];
        let (one_by_one, at_once) = (LinkGraph::new(), LinkGraph::new());
        for graph in [&one_by_one, &at_once] {
            for row in &rows {
                graph.insert(row);
            }
        }
        for row in &rows[..3] {
            one_by_one.remove(row);
        }
        at_once.remove_all(&rows[..3]);
        assert_eq!(at_once.len(), 1);
        assert_eq!(one_by_one.len(), 1);
        for id in [10, 20, 30] {
            let owner = ObjectRef::ticket(id);
            assert_eq!(at_once.edges(owner), one_by_one.edges(owner), "{id}");
        }
        assert!(at_once.edges(ObjectRef::ticket(10)).is_empty());
    }
}
