//! A model-based property test: random sequences of add, remove, list, merge, ticket create
//! (with `links`), delete and merge (`PUT /api/v1/ticket_merge`), reset and restart (graceful and `kill -9`) against the real
//! binary on a real sled folder, each answer and the state after each step compared with a
//! small reference model of Zammad's link and ticket rules written here, per behaviour line
//! (the seed's 5.0, 6.5, and the newest, 7.3). proptest shrinks a failure to a minimal
//! sequence.
//!
//! Bounded for CI: [`CASES`] sequences of at most [`MAX_STEPS`] steps per line (about 10 s
//! each in a debug build), over the default data set's three tickets, the tickets the
//! sequence creates (a deleted one's id stays in play: its links may dangle) and one id no
//! record has.
//!
//! See: issues 13 ("a model-based property test"), 21 (every line's rules), 22 (creates
//! and deletes) and 23 (ticket merges).

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::blocking::Client;
use serde_json::{json, Value};

use crate::helpers::{RunningBinary, AGENT};

/// Sequences tried per run (`PROPTEST_CASES` sets another number for a longer run).
const CASES: u32 = 16;
/// The longest sequence.
const MAX_STEPS: usize = 18;

/// The default data set's tickets (id, number), and an id without a record.
const TICKETS: [(i64, &str); 3] = [
    (147469, "34147469"),
    (147470, "34147470"),
    (147471, "34147471"),
];
const NO_RECORD: i64 = 999;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Type {
    Normal,
    Parent,
    Child,
}

impl Type {
    fn name(self) -> &'static str {
        match self {
            Type::Normal => "normal",
            Type::Parent => "parent",
            Type::Child => "child",
        }
    }

    /// `Link.list`'s `@map`: the name a row's source sees.
    fn inverse(self) -> Type {
        match self {
            Type::Normal => Type::Normal,
            Type::Parent => Type::Child,
            Type::Child => Type::Parent,
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    /// Add (type, source ticket index, target id).
    Add(Type, usize, i64),
    /// Remove (type, source id, target id).
    Remove(Type, i64, i64),
    /// Merge one link (type, source id, target id) through `POST /__mock/fixtures`.
    Merge(Type, i64, i64),
    Reset,
    /// Stop the binary (`kill -9` when true, else SIGTERM) and start it again.
    Restart(bool),
    /// `POST /api/v1/tickets` with `links` (type, index into the tickets known so far).
    Create(Vec<(Type, usize)>),
    /// `DELETE /api/v1/tickets/:id` of the ticket at this index of those known so far.
    Delete(usize),
    /// `PUT /api/v1/ticket_merge/:source/:target_number` of the tickets at these indexes of
    /// those known so far.
    TicketMerge(usize, usize),
}

fn any_type() -> impl Strategy<Value = Type> {
    prop_oneof![Just(Type::Normal), Just(Type::Parent), Just(Type::Child)]
}

fn any_end() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => (0..3usize).prop_map(|i| TICKETS[i].0),
        1 => Just(NO_RECORD),
    ]
}

fn any_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (any_type(), 0..3usize, any_end()).prop_map(|(t, s, o)| Step::Add(t, s, o)),
        5 => (any_type(), any_end(), any_end()).prop_map(|(t, s, o)| Step::Remove(t, s, o)),
        2 => (any_type(), any_end(), any_end()).prop_map(|(t, s, o)| Step::Merge(t, s, o)),
        1 => Just(Step::Reset),
        1 => any::<bool>().prop_map(Step::Restart),
        3 => proptest::collection::vec((any_type(), 0..8usize), 0..4).prop_map(Step::Create),
        2 => (0..8usize).prop_map(Step::Delete),
        3 => (0..8usize, 0..8usize).prop_map(|(s, t)| Step::TicketMerge(s, t)),
    ]
}

/// The behaviour lines the model knows, as their link rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// No policy; the unique index refuses a duplicate after the id was drawn.
    V50,
    /// The policy finds the target (a missing one is 404); the validator refuses a duplicate
    /// before any id, and the controller answers the unsaved row; self links stored.
    V65,
    /// As 6.5, but a duplicate and a self link are 422, and the list of a ticket the caller
    /// cannot read as an agent (a missing one) is 403.
    V73,
}

impl Line {
    fn flag(self) -> &'static str {
        match self {
            Line::V50 => "5.0",
            Line::V65 => "6.5",
            Line::V73 => "7.3",
        }
    }
}

/// What an add answers, as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Added {
    Stored(u64),
    /// 201 with the unsaved row (6.5, 7.0).
    Unsaved,
    Refused(u16, &'static str),
}

/// A line's links table as far as the calls show it: rows by id, and the id sequence;
/// the tickets that exist, and the ticket id sequence.
#[derive(Debug, Clone, PartialEq)]
struct Model {
    line: Line,
    rows: BTreeMap<u64, (Type, i64, i64)>,
    next: u64,
    tickets: BTreeSet<i64>,
    next_ticket: i64,
    /// The tickets merged into another.
    merged: BTreeSet<i64>,
}

/// What a ticket merge answers, as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Merged {
    Success,
    /// 200 `{"result": "failed", "message": …}`.
    Failed(&'static str),
    Refused(u16, &'static str),
}

impl Model {
    /// The default data set: links 3 and 4, the next id 5.
    fn start(line: Line) -> Self {
        let rows = [
            (3, (Type::Normal, 147469, 147470)),
            (4, (Type::Normal, 147469, 147471)),
        ];
        Self {
            line,
            rows: rows.into_iter().collect(),
            next: 5,
            tickets: TICKETS.iter().map(|(id, _)| *id).collect(),
            next_ticket: 147_472,
            merged: BTreeSet::new(),
        }
    }

    /// `PUT /api/v1/ticket_merge/:source/:target_number` by the default agent (who may update
    /// every ticket here), spec workflow §6: the target by number, the source by id, a merged
    /// target and the ticket itself refused; then the source's rows with a twin at the
    /// target deleted, every other row naming the source re-pointed to the target (keeping
    /// its id), and the parent row (target → source) added with the next id.
    fn ticket_merge(&mut self, source: i64, target: i64) -> Merged {
        let v50 = self.line == Line::V50;
        if !self.tickets.contains(&target) {
            return Merged::Failed(if v50 {
                "No such target ticket number!"
            } else {
                "The target ticket number could not be found."
            });
        }
        if !self.tickets.contains(&source) {
            return Merged::Failed(if v50 {
                "No such source ticket!"
            } else {
                "The source ticket could not be found."
            });
        }
        if self.merged.contains(&target) {
            return Merged::Refused(
                422,
                if v50 {
                    "ticket already merged, no merge into merged ticket possible"
                } else {
                    "It is not possible to merge into an already merged ticket."
                },
            );
        }
        if source == target {
            return Merged::Refused(
                422,
                if v50 {
                    "Can't merge ticket with it self!"
                } else {
                    "A ticket cannot be merged into itself."
                },
            );
        }
        let before: Vec<(Type, i64, i64)> = self.rows.values().copied().collect();
        let has = |row: (Type, i64, i64)| before.contains(&row);
        self.rows.retain(|_, &mut (t, s, o)| {
            let twin = (o == source && has((t, s, target))) || (s == source && has((t, target, o)));
            !twin
        });
        let repoint = |end: i64| if end == source { target } else { end };
        for (_, s, o) in self.rows.values_mut() {
            (*s, *o) = (repoint(*s), repoint(*o));
        }
        self.rows.insert(self.next, (Type::Parent, target, source));
        self.next += 1;
        self.merged.insert(source);
        Merged::Success
    }

    /// `POST /api/v1/tickets` with `links` (each row the new ticket → target, in order): the
    /// new ticket's id, or the refusal. 5.0 has no transaction, so a duplicate answers 422
    /// after its id was drawn and the ticket and the rows before it stay; from 6.5 a duplicate
    /// is skipped, and in 7.3 every target must be a ticket (404, nothing written, no id used:
    /// spec workflow §11.1, §11.5).
    fn create(&mut self, links: &[(Type, i64)]) -> Result<i64, (u16, String)> {
        let id = self.next_ticket;
        if self.line == Line::V73 {
            if let Some((_, missing)) = links.iter().find(|(_, t)| !self.tickets.contains(t)) {
                return Err((404, format!("Couldn't find Ticket with 'id'={missing}")));
            }
        }
        self.next_ticket += 1;
        self.tickets.insert(id);
        for &(t, target) in links {
            let row = (t, id, target);
            if self.line != Line::V50 {
                if self.find(row).is_empty() {
                    self.rows.insert(self.next, row);
                    self.next += 1;
                }
            } else if let Added::Refused(code, text) = self.add(row) {
                return Err((code, text.to_owned()));
            }
        }
        Ok(id)
    }

    /// `DELETE /api/v1/tickets/:id`: every row naming the ticket goes with it.
    fn delete(&mut self, id: i64) -> bool {
        if !self.tickets.remove(&id) {
            return false;
        }
        self.merged.remove(&id);
        self.rows.retain(|_, (_, s, o)| *s != id && *o != id);
        true
    }

    /// Every id the sequence handed out or the data set has, and one without a record.
    fn known(&self) -> Vec<i64> {
        let mut known: Vec<i64> = TICKETS.iter().map(|(id, _)| *id).collect();
        known.extend(147_472..self.next_ticket);
        known.push(NO_RECORD);
        known
    }

    fn find(&self, row: (Type, i64, i64)) -> Vec<u64> {
        self.rows
            .iter()
            .filter(|(_, r)| **r == row)
            .map(|(id, _)| *id)
            .collect()
    }

    /// `Link.add` as the line does it: the source is found by its number (5.0: "No such
    /// object!"); 5.0 draws the id before the unique index refuses a duplicate; from 6.5 the
    /// policy refuses a missing target, then a missing source, and the validators refuse
    /// before any id is drawn.
    fn add(&mut self, row @ (_, source, target): (Type, i64, i64)) -> Added {
        if self.line != Line::V50 && !self.tickets.contains(&target) {
            return Added::Refused(
                404,
                r#"Couldn't find Ticket with [WHERE "tickets"."id" = $1]"#,
            );
        }
        if !self.tickets.contains(&source) {
            return match self.line {
                Line::V50 => Added::Refused(422, "No such object!"),
                _ => Added::Refused(
                    404,
                    r#"Couldn't find Ticket with [WHERE "tickets"."number" = $1]"#,
                ),
            };
        }
        let duplicate = !self.find(row).is_empty();
        if self.line == Line::V50 {
            let id = self.next;
            self.next += 1;
            if duplicate {
                return Added::Refused(422, "Object already exists!");
            }
            self.rows.insert(id, row);
            return Added::Stored(id);
        }
        match (self.line, duplicate, source == target) {
            (Line::V65, true, _) => return Added::Unsaved,
            (Line::V73, true, _) => return Added::Refused(422, "Link already exists"),
            (Line::V73, false, true) => {
                return Added::Refused(422, "An object cannot be linked to itself.")
            }
            _ => {}
        }
        let id = self.next;
        self.next += 1;
        self.rows.insert(id, row);
        Added::Stored(id)
    }

    /// `Link.remove`: the rows as passed, then the reverse rows with the inverse type; the
    /// answer is the second set. From 6.5 the policy refuses a missing (or deleted) target
    /// first.
    fn remove(&mut self, (t, source, target): (Type, i64, i64)) -> Result<Vec<u64>, u16> {
        if self.line != Line::V50 && !self.tickets.contains(&target) {
            return Err(404);
        }
        let first = self.find((t, source, target));
        let second: Vec<u64> = self
            .find((t.inverse(), target, source))
            .into_iter()
            .filter(|id| !first.contains(id))
            .collect();
        for id in first.iter().chain(&second) {
            self.rows.remove(id);
        }
        Ok(second)
    }

    /// A merge: a link already there is left alone, a new one takes the next id.
    fn merge(&mut self, row: (Type, i64, i64)) {
        if self.find(row).is_empty() {
            self.rows.insert(self.next, row);
            self.next += 1;
        }
    }

    /// `GET /api/v1/links` of ticket `id`: rows where it is the source (the inverse type
    /// shown), then rows where it is the target, each by id; in 7.3 a 403 for a ticket the
    /// caller cannot read (a missing or deleted one).
    fn list(&self, id: i64) -> Result<Vec<(String, i64)>, u16> {
        if self.line == Line::V73 && !self.tickets.contains(&id) {
            return Err(403);
        }
        let from_source = self
            .rows
            .values()
            .filter(|(_, s, _)| *s == id)
            .map(|(t, _, o)| (t.inverse().name().to_owned(), *o));
        let from_target = self
            .rows
            .values()
            .filter(|(_, _, o)| *o == id)
            .map(|(t, s, _)| (t.name().to_owned(), *s));
        Ok(from_source.chain(from_target).collect())
    }
}

/// The binary on one folder, restartable.
struct Mock {
    line: Line,
    folder: tempfile::TempDir,
    running: Option<RunningBinary>,
    client: Client,
}

impl Mock {
    fn start(line: Line) -> Self {
        let mut mock = Self {
            line,
            folder: tempfile::TempDir::new().unwrap(),
            running: None,
            client: Client::new(),
        };
        mock.running = Some(mock.spawn());
        mock
    }

    fn spawn(&self) -> RunningBinary {
        let db = self.folder.path().join("db");
        RunningBinary::start(&[
            OsStr::new("--db"),
            db.as_os_str(),
            OsStr::new("--zammad-version"),
            OsStr::new(self.line.flag()),
        ])
    }

    fn restart(&mut self, kill: bool) {
        let running = self.running.take().unwrap();
        running.signal(if kill { "-KILL" } else { "-TERM" });
        self.running = Some(self.spawn());
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.as_ref().unwrap().base)
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, self.url(path))
            .basic_auth(AGENT.0, Some(AGENT.1));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let text = response.text().unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn list(&self, id: i64) -> Result<Vec<(String, i64)>, u16> {
        let path = format!("/api/v1/links?link_object=Ticket&link_object_value={id}");
        let (status, body) = self.send(reqwest::Method::GET, &path, None);
        if status != 200 {
            return Err(status);
        }
        Ok(body["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                assert_eq!(l["link_object"], "Ticket");
                let t = l["link_type"].as_str().unwrap_or("null").to_owned();
                (t, l["link_object_value"].as_i64().unwrap())
            })
            .collect())
    }
}

fn link(t: Type, source: i64, target: i64) -> Value {
    json!({"link_type": t.name(), "link_object_source": "Ticket", "link_object_source_value": source,
           "link_object_target": "Ticket", "link_object_target_value": target})
}

/// Runs `steps` on a fresh binary and on the model, comparing every answer and, after every
/// step, the links of every ticket.
fn run(line: Line, steps: &[Step]) -> Result<(), TestCaseError> {
    let mut mock = Mock::start(line);
    let mut model = Model::start(line);
    for (n, step) in steps.iter().enumerate() {
        match *step {
            Step::Add(t, source, target) => {
                let body = json!({"link_type": t.name(), "link_object_source": "Ticket",
                    "link_object_source_number": TICKETS[source].1,
                    "link_object_target": "Ticket", "link_object_target_value": target});
                let (status, answer) =
                    mock.send(reqwest::Method::POST, "/api/v1/links/add", Some(body));
                match model.add((t, TICKETS[source].0, target)) {
                    Added::Stored(id) => {
                        prop_assert_eq!(status, 201, "step {}: {:?} → {}", n, step, answer);
                        prop_assert_eq!(answer["id"].as_u64(), Some(id), "step {}", n);
                    }
                    Added::Unsaved => {
                        prop_assert_eq!(status, 201, "step {}: {:?} → {}", n, step, answer);
                        prop_assert!(answer["id"].is_null(), "step {}: {}", n, answer);
                    }
                    Added::Refused(code, text) => {
                        prop_assert_eq!(status, code, "step {}: {:?} → {}", n, step, answer);
                        prop_assert_eq!(&answer["error"], text);
                    }
                }
            }
            Step::Remove(t, source, target) => {
                let body = json!({"link_type": t.name(), "link_object_source": "Ticket",
                    "link_object_source_value": source, "link_object_target": "Ticket",
                    "link_object_target_value": target});
                let (status, answer) =
                    mock.send(reqwest::Method::DELETE, "/api/v1/links/remove", Some(body));
                match model.remove((t, source, target)) {
                    Err(code) => prop_assert_eq!(status, code, "step {}: {:?}", n, step),
                    Ok(expected) => {
                        prop_assert_eq!(status, 201, "step {}: {:?}", n, step);
                        let ids: Vec<u64> = answer
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|row| row["id"].as_u64().unwrap())
                            .collect();
                        prop_assert_eq!(ids, expected, "step {}: {:?}", n, step);
                    }
                }
            }
            Step::Merge(t, source, target) => {
                let body = json!({"Link": [link(t, source, target)]});
                let (status, _) = mock.send(reqwest::Method::POST, "/__mock/fixtures", Some(body));
                prop_assert_eq!(status, 204, "step {}", n);
                model.merge((t, source, target));
            }
            Step::Reset => {
                let (status, _) = mock.send(reqwest::Method::POST, "/__mock/reset", None);
                prop_assert_eq!(status, 204, "step {}", n);
                model = Model::start(line);
            }
            Step::Restart(kill) => mock.restart(kill),
            Step::Create(ref links) => {
                let known = model.known();
                // Grouped by type in first appearance, as the request's object orders them.
                let mut grouped: Vec<(Type, Vec<i64>)> = Vec::new();
                for (t, at) in links {
                    let target = known[at % known.len()];
                    match grouped.iter_mut().find(|(g, _)| g == t) {
                        Some((_, ids)) => ids.push(target),
                        None => grouped.push((*t, vec![target])),
                    }
                }
                let ordered: Vec<(Type, i64)> = grouped
                    .iter()
                    .flat_map(|(t, ids)| ids.iter().map(move |id| (*t, *id)))
                    .collect();
                let by_type: serde_json::Map<String, Value> = grouped
                    .iter()
                    .map(|(t, ids)| (t.name().to_owned(), json!(ids)))
                    .collect();
                let body = json!({"title": "model", "group_id": 1, "customer_id": 3,
                                  "article": {"body": "b"}, "links": {"Ticket": by_type}});
                let (status, answer) =
                    mock.send(reqwest::Method::POST, "/api/v1/tickets", Some(body));
                match model.create(&ordered) {
                    Err((code, text)) => {
                        prop_assert_eq!(status, code, "step {}: {:?} → {}", n, step, answer);
                        prop_assert_eq!(&answer["error"], text.as_str());
                    }
                    Ok(id) => {
                        prop_assert_eq!(status, 201, "step {}: {:?} → {}", n, step, answer);
                        prop_assert_eq!(answer["id"].as_i64(), Some(id), "step {}", n);
                        // The number counter moves with the ticket ids here: both start past
                        // the data set's 147471 and every create takes one of each.
                        let number = format!("34{id}");
                        prop_assert_eq!(
                            answer["number"].as_str(),
                            Some(number.as_str()),
                            "step {}",
                            n
                        );
                    }
                }
            }
            Step::Delete(at) => {
                let known = model.known();
                let id = known[at % known.len()];
                let path = format!("/api/v1/tickets/{id}");
                let (status, answer) = mock.send(reqwest::Method::DELETE, &path, None);
                let expected = if model.delete(id) { 200 } else { 404 };
                prop_assert_eq!(status, expected, "step {}: {:?} → {}", n, step, answer);
            }
            Step::TicketMerge(from, into) => {
                let known = model.known();
                let (source, target) = (known[from % known.len()], known[into % known.len()]);
                // Every ticket's number is "34" and its id, here.
                let path = format!("/api/v1/ticket_merge/{source}/34{target}");
                let (status, answer) = mock.send(reqwest::Method::PUT, &path, None);
                match model.ticket_merge(source, target) {
                    Merged::Success => {
                        prop_assert_eq!(status, 200, "step {}: {:?} → {}", n, step, answer);
                        prop_assert_eq!(&answer["result"], "success", "step {}", n);
                        prop_assert_eq!(&answer["source_ticket"]["state_id"], 5);
                        prop_assert_eq!(answer["target_ticket"]["id"].as_i64(), Some(target));
                    }
                    Merged::Failed(message) => {
                        let failed = json!({"result": "failed", "message": message});
                        prop_assert_eq!((status, &answer), (200, &failed), "step {}", n);
                    }
                    Merged::Refused(code, text) => {
                        prop_assert_eq!(status, code, "step {}: {:?} → {}", n, step, answer);
                        prop_assert_eq!(&answer["error"], text, "step {}", n);
                    }
                }
            }
        }
        for id in model.known() {
            let path = format!("/api/v1/tickets/{id}");
            let (status, _) = mock.send(reqwest::Method::GET, &path, None);
            let expected = if model.tickets.contains(&id) {
                200
            } else {
                404
            };
            prop_assert_eq!(
                status,
                expected,
                "after step {}: {:?}, ticket {}",
                n,
                step,
                id
            );
        }
        for id in model.known() {
            prop_assert_eq!(
                mock.list(id),
                model.list(id),
                "after step {}: {:?}, ticket {}",
                n,
                step,
                id
            );
        }
    }
    Ok(())
}

/// Runs [`CASES`] random sequences against `line`.
fn agree(line: Line) {
    let config = Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(CASES),
        // No files beside the tests: a failure is shown shrunk, not kept for later runs.
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let steps = proptest::collection::vec(any_step(), 1..=MAX_STEPS);
    if let Err(failure) = runner.run(&steps, |steps| run(line, &steps)) {
        panic!("{line:?}: {failure}");
    }
}

#[test]
fn random_sequences_agree_with_a_model_of_zammads_link_rules() {
    agree(Line::V50);
}

#[test]
fn random_sequences_agree_with_a_model_of_the_6_5_link_rules() {
    agree(Line::V65);
}

#[test]
fn random_sequences_agree_with_a_model_of_the_7_3_link_rules() {
    agree(Line::V73);
}
