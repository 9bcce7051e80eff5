//! The neighbourhood of a ticket: the tickets and links around it to a depth, in one answer
//! (`GET /__mock/graph`, which the page at `/__mock/ui` draws). The walk is breadth first and
//! bounded (depth, tickets, links per ticket), so one call's work and answer stay small
//! whatever the data set. HTTP is `api::ui`'s; the layout is the page's.

use std::collections::{HashMap, HashSet, VecDeque};

use serde::Serialize;

use crate::graph::{Edge, Side};
use crate::model::{LinkObjectId, ModelKind, ObjectRef, TICKET_OBJECT};
use crate::state::View;

/// The deepest walk `GET /__mock/graph` makes: past a few steps a linked set is most of the
/// data set, and the page could not draw it readably anyway.
pub const MAX_DEPTH: u32 = 5;
/// The depth the page and `GET /__mock/graph` use when none is given (issue 15 asks for 2).
pub const DEFAULT_DEPTH: u32 = 2;
/// Tickets a graph answer holds when no `limit` is given.
pub const DEFAULT_NODE_LIMIT: usize = 500;
/// The largest `limit`: bounds the work and the answer of one call, whatever the data set.
pub const MAX_NODE_LIMIT: usize = 2000;

/// Links a graph answer holds per ticket of its `limit`: among a few hundred densely linked
/// tickets the links, not the tickets, would make the answer (and the picture) huge.
pub const LINKS_PER_TICKET: usize = 10;

/// Which ticket a graph call starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// By id.
    Id(i64),
    /// By number.
    Number(String),
}

/// The parameters of `GET /__mock/graph`, read and bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphQuery {
    /// The start ticket.
    pub start: Start,
    /// How many links away to go.
    pub depth: u32,
    /// The most tickets in the answer.
    pub limit: usize,
}

impl GraphQuery {
    /// Reads `ticket` or `number`, `depth` and `limit`; the message names the parameter.
    pub fn parse(query: &str) -> Result<Self, String> {
        let (mut ticket, mut number, mut depth, mut limit) = (None, None, None, None);
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match &*key {
                "ticket" => &mut ticket,
                "number" => &mut number,
                "depth" => &mut depth,
                "limit" => &mut limit,
                // Unknown parameters are left alone, as Zammad's controllers leave them.
                _ => continue,
            };
            if slot.is_some() {
                return Err(format!("{key}: given more than once"));
            }
            *slot = Some(value.trim().to_owned());
        }
        let start = match (ticket, number) {
            (Some(id), None) => {
                Start::Id(id.parse().map_err(|_| {
                    format!("ticket: expected a ticket id (an integer), got {id:?}")
                })?)
            }
            (None, Some(number)) if !number.is_empty() => Start::Number(number),
            (None, Some(_)) => return Err("number: expected a ticket number, got nothing".into()),
            (None, None) => return Err("ticket or number: one of them is required".into()),
            (Some(_), Some(_)) => return Err("ticket and number: give only one of them".into()),
        };
        let depth = match depth {
            None => DEFAULT_DEPTH,
            Some(text) => match text.parse::<u32>() {
                Ok(depth) if depth <= MAX_DEPTH => depth,
                _ => return Err(format!("depth: expected 0 to {MAX_DEPTH}, got {text:?}")),
            },
        };
        let limit = match limit {
            None => DEFAULT_NODE_LIMIT,
            Some(text) => match text.parse::<usize>() {
                Ok(limit) if (1..=MAX_NODE_LIMIT).contains(&limit) => limit,
                _ => {
                    return Err(format!(
                        "limit: expected 1 to {MAX_NODE_LIMIT}, got {text:?}"
                    ))
                }
            },
        };
        Ok(Self {
            start,
            depth,
            limit,
        })
    }
}

/// A ticket in a graph answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketNode {
    /// The ticket id.
    pub id: i64,
    /// Its number, when the ticket record exists.
    pub number: Option<String>,
    /// Its title, when the record has a text title.
    pub title: Option<String>,
    /// Whether a ticket record exists (a link may point at a missing one).
    pub exists: bool,
    /// Whether the ticket is merged into another (its state is `merged`, spec §6); only
    /// shown when it is.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub merged: bool,
    /// Links between here and the start ticket.
    pub distance: u32,
    /// Whether the ticket has links the answer leaves out (at the depth edge, or the limit).
    pub cut_off: bool,
    /// Its links to objects other than tickets (knowledge-base answers…), not drawn.
    pub other_links: usize,
}

/// A link in a graph answer, as stored: `parent` from `source` to `target` means the source
/// is the target's parent (`links_controller.rb#add`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkEdge {
    /// `links.id`.
    pub id: u64,
    /// The link type's name (`normal`, `parent`, `child` or a custom one).
    #[serde(rename = "type")]
    pub link_type: Option<String>,
    /// The source ticket id.
    pub source: i64,
    /// The target ticket id.
    pub target: i64,
}

/// The answer of `GET /__mock/graph`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphView {
    /// The start ticket's id.
    pub center: i64,
    /// The depth walked.
    pub depth: u32,
    /// Whether the node limit stopped the walk early.
    pub truncated: bool,
    /// The tickets, nearest first (breadth-first order).
    pub tickets: Vec<TicketNode>,
    /// The links found, each once, in the order the walk met them.
    pub links: Vec<LinkEdge>,
}

/// A ticket the walk reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Walked {
    id: i64,
    distance: u32,
    cut_off: bool,
    other_links: usize,
}

/// What [`walk`] found: tickets nearest first, and each link with the ticket it was met from.
#[derive(Debug)]
struct Walk {
    nodes: Vec<Walked>,
    links: Vec<(Edge, i64)>,
    truncated: bool,
}

/// Walks the ticket links breadth first from `center`: every link of a ticket nearer than
/// `depth` is in the answer, with the ticket at its other end; links of the tickets *at* the
/// depth are not followed (not even among themselves: in a dense data set they would turn the
/// picture into a hairball), and such a ticket is marked `cut_off` when it has any. At most
/// `limit` tickets and [`LINKS_PER_TICKET`] times as many links: past either, links are left
/// out (their tickets marked `cut_off`) and `truncated` is set.
/// `edges` gives a ticket's edges; links to other objects are only counted.
fn walk(
    center: i64,
    depth: u32,
    limit: usize,
    ticket_object: LinkObjectId,
    edges: impl Fn(i64) -> Vec<Edge>,
) -> Walk {
    let mut distance: HashMap<i64, u32> = HashMap::from([(center, 0)]);
    let mut queue = VecDeque::from([center]);
    let mut seen_links = HashSet::new();
    let mut links = Vec::new();
    let mut truncated = false;
    let mut nodes = Vec::new();
    while let Some(owner) = queue.pop_front() {
        let here = distance[&owner];
        let (mut cut_off, mut other_links) = (false, 0);
        for edge in edges(owner) {
            if edge.other_object != ticket_object {
                other_links += 1;
                continue;
            }
            if here >= depth {
                // Every nearer ticket was walked already (breadth first), so a link not taken
                // by now leads past the depth (or was left out at the limit).
                cut_off |= !seen_links.contains(&edge.link_id);
                continue;
            }
            // Each link is met from both of its ends (twice from a self link): keep it once.
            if seen_links.contains(&edge.link_id) {
                continue;
            }
            let other = edge.other_value;
            let is_new = !distance.contains_key(&other);
            if links.len() >= limit * LINKS_PER_TICKET || (is_new && distance.len() >= limit) {
                cut_off = true;
                truncated = true;
                continue;
            }
            if is_new {
                distance.insert(other, here + 1);
                queue.push_back(other);
            }
            seen_links.insert(edge.link_id);
            links.push((edge, owner));
        }
        nodes.push(Walked {
            id: owner,
            distance: here,
            cut_off,
            other_links,
        });
    }
    Walk {
        nodes,
        links,
        truncated,
    }
}

/// The graph around `center` as `view` shows it; `merged` says whether a ticket record is
/// a merged ticket (the running release knows the state's name).
pub fn graph_view(
    view: &View<'_>,
    center: i64,
    depth: u32,
    limit: usize,
    merged: impl Fn(&crate::records::Record) -> bool,
) -> GraphView {
    let names = view.names();
    let ticket_object = names.object_id("Ticket").unwrap_or(TICKET_OBJECT);
    let walked = walk(center, depth, limit, ticket_object, |id| {
        view.graph().edges(ObjectRef::new(ticket_object, id))
    });
    let tickets = walked
        .nodes
        .into_iter()
        .map(|node| {
            let record = view.records().get(ModelKind::Ticket, node.id);
            TicketNode {
                id: node.id,
                number: record.as_ref().and_then(|r| r.fields.number.clone()),
                title: record.as_ref().and_then(|r| title_of(r.json())),
                exists: record.is_some(),
                merged: record.as_deref().is_some_and(|r| merged(r)),
                distance: node.distance,
                cut_off: node.cut_off,
                other_links: node.other_links,
            }
        })
        .collect();
    let links = walked
        .links
        .into_iter()
        .map(|(edge, owner)| {
            let (source, target) = match edge.side {
                Side::Source => (owner, edge.other_value),
                Side::Target => (edge.other_value, owner),
            };
            LinkEdge {
                id: edge.link_id,
                link_type: names.type_name(edge.link_type).map(str::to_owned),
                source,
                target,
            }
        })
        .collect();
    GraphView {
        center,
        depth,
        truncated: walked.truncated,
        tickets,
        links,
    }
}

/// A record's `title` when it is text. Records are opaque JSON; only the page needs this.
fn title_of(json: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Titled {
        title: Option<serde_json::Value>,
    }
    let titled: Titled = serde_json::from_str(json).ok()?;
    match titled.title? {
        serde_json::Value::String(title) => Some(title),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LinkTypeId;

    /// A graph given as (link id, source, target) rows, answering like `LinkGraph::edges`.
    fn edges_of(rows: &[(u64, i64, i64)]) -> impl Fn(i64) -> Vec<Edge> + '_ {
        move |owner| {
            let mut edges = Vec::new();
            for &(id, source, target) in rows {
                for (end, other, side) in [
                    (source, target, Side::Source),
                    (target, source, Side::Target),
                ] {
                    if end == owner {
                        edges.push(Edge {
                            link_id: id,
                            other_value: other,
                            other_object: TICKET_OBJECT,
                            link_type: LinkTypeId(1),
                            side,
                        });
                    }
                }
            }
            edges
        }
    }

    #[test]
    fn walk_takes_each_link_once_and_marks_the_depth_edge() {
        // Arrange: a chain 1 - 2 - 3 - 4 and a triangle 1 - 5 - 2.
        let rows = [(1, 1, 2), (2, 2, 3), (3, 3, 4), (4, 1, 5), (5, 5, 2)];
        // Act
        let walk = walk(1, 2, 100, TICKET_OBJECT, edges_of(&rows));
        // Assert
        let ids: Vec<_> = walk
            .nodes
            .iter()
            .map(|n| (n.id, n.distance, n.cut_off))
            .collect();
        assert_eq!(
            ids,
            [(1, 0, false), (2, 1, false), (5, 1, false), (3, 2, true)]
        );
        let link_ids: Vec<_> = walk.links.iter().map(|(e, _)| e.link_id).collect();
        assert_eq!(link_ids, [1, 4, 2, 5]);
        assert!(!walk.truncated);
    }

    #[test]
    fn walk_stops_at_the_limit_and_says_so() {
        // Arrange: a star of 10 around ticket 1.
        let rows: Vec<_> = (2..=11).map(|i| (i as u64, 1, i)).collect();
        // Act
        let walk = walk(1, 2, 4, TICKET_OBJECT, edges_of(&rows));
        // Assert
        assert_eq!(walk.nodes.len(), 4);
        assert_eq!(walk.links.len(), 3);
        assert!(walk.nodes[0].cut_off, "the centre has links left out");
        assert!(walk.truncated);
    }

    #[test]
    fn walk_stops_at_the_link_bound_in_a_dense_graph() {
        // Arrange: 6 tickets, every pair linked (15 links).
        let mut rows = Vec::new();
        for a in 1..=6 {
            for b in a + 1..=6 {
                rows.push((rows.len() as u64 + 1, a, b));
            }
        }
        // Act
        let walk = walk(1, 2, 1, TICKET_OBJECT, edges_of(&rows));
        // Assert: the ticket bound came first here; with room for tickets, the link bound.
        assert_eq!((walk.nodes.len(), walk.links.len()), (1, 0));
        let walk = super::walk(1, 2, 6, TICKET_OBJECT, edges_of(&rows));
        assert_eq!((walk.nodes.len(), walk.links.len()), (6, 15));
        assert!(!walk.truncated);
        // 25 links between one pair; a limit of 2 tickets allows 20 links.
        let rows: Vec<_> = (1..=25).map(|id| (id, 1, 2)).collect();
        let walk = super::walk(1, 2, 2, TICKET_OBJECT, edges_of(&rows));
        assert_eq!((walk.nodes.len(), walk.links.len()), (2, 20));
        assert!(walk.truncated);
        assert!(walk.nodes.iter().all(|n| n.cut_off));
    }

    #[test]
    fn walk_takes_a_self_link_once() {
        let walk = walk(7, 2, 10, TICKET_OBJECT, edges_of(&[(1, 7, 7)]));
        assert_eq!(walk.nodes.len(), 1);
        assert_eq!(walk.links.len(), 1);
    }

    #[test]
    fn graph_query_bounds_and_names_each_parameter() {
        let ok = GraphQuery::parse("ticket=147469&depth=3&limit=10").unwrap();
        assert_eq!(
            ok,
            GraphQuery {
                start: Start::Id(147469),
                depth: 3,
                limit: 10
            }
        );
        assert_eq!(
            GraphQuery::parse("number=34147469").unwrap().start,
            Start::Number("34147469".into())
        );
        for (query, named) in [
            ("ticket=abc", "ticket:"),
            ("ticket=1&depth=6", "depth:"),
            ("ticket=1&depth=-1", "depth:"),
            ("ticket=1&limit=0", "limit:"),
            ("ticket=1&limit=99999999999999999999999", "limit:"),
            ("", "ticket or number"),
            ("ticket=1&number=2", "ticket and number"),
            ("ticket=1&ticket=2", "ticket:"),
            ("number=", "number:"),
        ] {
            let message = GraphQuery::parse(query).unwrap_err();
            assert!(message.starts_with(named), "{query}: {message}");
        }
    }

    #[test]
    fn title_is_read_only_when_it_is_text() {
        assert_eq!(
            title_of(r#"{"id":1,"title":"Printer"}"#).as_deref(),
            Some("Printer")
        );
        assert_eq!(title_of(r#"{"id":1,"title":5}"#), None);
        assert_eq!(title_of(r#"{"id":1}"#), None);
    }
}
