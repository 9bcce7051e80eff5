//! The fixture document that `capture` writes, built from what a Zammad answered: records
//! merged from `assets` (and plain ticket attributes from the index), `Link` rows
//! reconstructed from the `links` lists, the permission table and the new token. Pure data
//! work, no HTTP (that is `walk`'s and `client`'s).
//!
//! Link rows: the REST API shows a ticket's links but not the stored rows. An entry
//! `(type t, object O)` in ticket T's list comes from either the row (t, O→T) or the row
//! (m(t), T→O), where m swaps `parent` and `child` (`app/models/link.rb`, `Link.list`); both
//! give every list the same entries, so the multiset of every list is kept whichever is
//! chosen. Rows are made as (t, O→T) for the ticket whose list is read, with new ids in the
//! order the lists are read, and an entry already explained by a row made for an earlier
//! list is not made again. The first ticket read therefore keeps its exact order; later ones
//! list the rows made for earlier tickets first (the mock, like Zammad, lists rows where the
//! ticket is the source before those where it is the target).

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

/// The asset sections a fixture document takes (Zammad's model names as `assets` keys).
/// Other sections a Zammad may send (`TicketArticle`, …) are left out.
pub const RECORD_SECTIONS: [&str; 6] = [
    "Ticket",
    "User",
    "Role",
    "Group",
    "Organization",
    "KnowledgeBaseAnswerTranslation",
];

/// The object of a link end: Zammad class name and id.
pub type ObjectKey = (String, i64);

/// `m` of `Link.list`: how a row's type reads from its source's side; `None` for a type
/// Zammad does not map (it shows `null`).
pub fn inverse_type(link_type: &str) -> Option<&'static str> {
    match link_type {
        "normal" => Some("normal"),
        "parent" => Some("child"),
        "child" => Some("parent"),
        _ => None,
    }
}

/// One stored link row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    /// New id, in creation order from 1.
    pub id: u64,
    /// The stored type.
    pub link_type: String,
    /// Source object.
    pub source: ObjectKey,
    /// Target object.
    pub target: ObjectKey,
}

/// The link rows made so far, and the list entries each object gets from them.
#[derive(Debug, Default)]
pub struct LinkRows {
    rows: Vec<LinkRow>,
    /// (type, source, target) of every row: Zammad's unique index `links_uniq_total` allows
    /// each once, and so does the fixture document.
    keys: HashSet<(String, ObjectKey, ObjectKey)>,
    /// Per object: (type as that object sees it, other object) → how many rows give it.
    entries: HashMap<ObjectKey, HashMap<(String, ObjectKey), usize>>,
}

impl LinkRows {
    /// Takes in `list`, the `links` entries of `owner` in the order the API gave them, and
    /// makes the rows that no earlier row explains. Returns how many entries were skipped
    /// because their type is not one the mock can store (`null`, or a custom name).
    pub fn add_list(&mut self, owner: &ObjectKey, list: &[(String, ObjectKey)]) -> usize {
        let mut available = self.entries.get(owner).cloned().unwrap_or_default();
        let mut skipped = 0;
        for (link_type, other) in list {
            let key = (link_type.clone(), other.clone());
            if let Some(count) = available.get_mut(&key).filter(|c| **c > 0) {
                *count -= 1;
                continue;
            }
            let Some(source_side) = inverse_type(link_type) else {
                skipped += 1;
                continue;
            };
            // (t, O→T) and (m(t), T→O) read the same from both ends; the second is used
            // when the first is taken, as when Zammad holds a link in both directions.
            let mut row = LinkRow {
                id: self.rows.len() as u64 + 1,
                link_type: link_type.clone(),
                source: other.clone(),
                target: owner.clone(),
            };
            if self.is_taken(&row) {
                row = LinkRow {
                    link_type: source_side.to_owned(),
                    source: owner.clone(),
                    target: other.clone(),
                    ..row
                };
            }
            self.push(row);
            // A self link shows twice in its object's own list: the second entry is the
            // source side of the row just made.
            if other == owner {
                *available
                    .entry((source_side.to_owned(), owner.clone()))
                    .or_default() += 1;
            }
        }
        skipped
    }

    fn is_taken(&self, row: &LinkRow) -> bool {
        self.keys.contains(&(
            row.link_type.clone(),
            row.source.clone(),
            row.target.clone(),
        ))
    }

    fn push(&mut self, row: LinkRow) {
        self.keys.insert((
            row.link_type.clone(),
            row.source.clone(),
            row.target.clone(),
        ));
        let source_side = inverse_type(&row.link_type).unwrap_or("");
        *self
            .entries
            .entry(row.target.clone())
            .or_default()
            .entry((row.link_type.clone(), row.source.clone()))
            .or_default() += 1;
        *self
            .entries
            .entry(row.source.clone())
            .or_default()
            .entry((source_side.to_owned(), row.target.clone()))
            .or_default() += 1;
        self.rows.push(row);
    }

    /// The rows, by id.
    pub fn rows(&self) -> &[LinkRow] {
        &self.rows
    }
}

/// Collects everything the document will hold.
#[derive(Debug, Default)]
pub struct DocumentBuilder {
    /// Section → id string → record, in first-seen order.
    records: Map<String, Value>,
    /// Tickets known only from the index's plain attributes, replaced by their assets form
    /// when one arrives.
    plain_tickets: HashSet<i64>,
    links: LinkRows,
    /// Sections a Zammad sent that a fixture document does not take.
    pub skipped_sections: HashSet<String>,
    /// Link entries that could not be stored.
    pub skipped_links: usize,
}

impl DocumentBuilder {
    /// Merges an `assets` object: a record already present stays as it is (every answer of
    /// one capture shows the same records), except a plain ticket, which the fuller assets
    /// form replaces.
    pub fn add_assets(&mut self, assets: &Map<String, Value>) {
        for (section, records) in assets {
            let Some(records) = records.as_object() else {
                continue;
            };
            if !RECORD_SECTIONS.contains(&section.as_str()) {
                self.skipped_sections.insert(section.clone());
                continue;
            }
            let kept = self
                .records
                .entry(section.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(kept) = kept else {
                continue;
            };
            for (id, record) in records {
                let upgrade = section == "Ticket"
                    && id
                        .parse::<i64>()
                        .is_ok_and(|id| self.plain_tickets.remove(&id));
                if upgrade || !kept.contains_key(id) {
                    kept.insert(id.clone(), strip_secrets(record.clone()));
                }
            }
        }
    }

    /// Adds a ticket known only by its plain attributes (the index), unless it is known.
    pub fn add_plain_ticket(&mut self, ticket: &Value) -> Option<i64> {
        let id = ticket.get("id")?.as_i64()?;
        let tickets = self
            .records
            .entry("Ticket".to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(tickets) = tickets {
            if !tickets.contains_key(&id.to_string()) {
                tickets.insert(id.to_string(), strip_secrets(ticket.clone()));
                self.plain_tickets.insert(id);
            }
        }
        Some(id)
    }

    /// Adds a record to `section` unless one with its id is there.
    pub fn add_record_if_absent(&mut self, section: &str, id: i64, record: Value) {
        let kept = self
            .records
            .entry(section.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(kept) = kept {
            kept.entry(id.to_string())
                .or_insert_with(|| strip_secrets(record));
        }
    }

    /// Whether `section` holds a record with `id`.
    pub fn has_record(&self, section: &str, id: i64) -> bool {
        self.records
            .get(section)
            .and_then(Value::as_object)
            .is_some_and(|records| records.contains_key(&id.to_string()))
    }

    /// The records of `section`.
    pub fn records(&self, section: &str) -> impl Iterator<Item = &Value> {
        self.records
            .get(section)
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|records| records.values())
    }

    /// Takes in the `links` list of ticket `ticket_id`.
    pub fn add_links_of(&mut self, ticket_id: i64, list: &[(String, ObjectKey)]) {
        self.skipped_links += self.links.add_list(&("Ticket".to_owned(), ticket_id), list);
    }

    /// How many records `section` holds.
    pub fn count(&self, section: &str) -> usize {
        self.records
            .get(section)
            .and_then(Value::as_object)
            .map_or(0, Map::len)
    }

    /// How many link rows were made.
    pub fn link_count(&self) -> usize {
        self.links.rows().len()
    }

    /// The document: record sections in a fixed order, then `Permission`, `Link` (ids in
    /// creation order; no timestamps, which the API does not show) and `Token`.
    pub fn finish(mut self, permissions: Map<String, Value>, token: (&str, i64)) -> Value {
        let mut doc = Map::new();
        for section in RECORD_SECTIONS {
            if let Some(records) = self.records.remove(section) {
                doc.insert(section.to_owned(), records);
            }
        }
        doc.insert("Permission".to_owned(), Value::Object(permissions));
        let links = self
            .links
            .rows()
            .iter()
            .map(|row| {
                json!({
                    "id": row.id,
                    "link_type": row.link_type,
                    "link_object_source": row.source.0,
                    "link_object_source_value": row.source.1,
                    "link_object_target": row.target.0,
                    "link_object_target_value": row.target.1,
                })
            })
            .collect();
        doc.insert("Link".to_owned(), Value::Array(links));
        doc.insert(
            "Token".to_owned(),
            json!([{ "token": token.0, "user_id": token.1 }]),
        );
        Value::Object(doc)
    }
}

/// A record without the keys Zammad never sends (`password`, `token`, `tokens`,
/// `token_ids`: `ApplicationModel::CanAssets` drops them); removed again in case a server
/// sends them anyway, so that no secret reaches the file.
fn strip_secrets(mut record: Value) -> Value {
    if let Value::Object(attrs) = &mut record {
        for key in ["password", "token", "tokens", "token_ids"] {
            attrs.shift_remove(key);
        }
    }
    record
}

/// A stand-in for a role of the capturing user that the user may not read: it grants
/// `ticket.agent` (the user demonstrably used the Links API) and `read` on every group of a
/// captured ticket, so that the new token sees every captured ticket in the mock. It is
/// reached by no captured answer: a role that a captured answer shows is captured itself.
pub fn stand_in_role(role_id: i64, agent_permission_id: Option<i64>, group_ids: &[i64]) -> Value {
    let groups: Map<String, Value> = group_ids
        .iter()
        .map(|id| (id.to_string(), json!(["read"])))
        .collect();
    json!({
        "id": role_id,
        "name": format!("Role {role_id} (stand-in)"),
        "active": true,
        "note": "Written by zammad-links-mock capture: the capturing user could not read this role.",
        "permission_ids": agent_permission_id.into_iter().collect::<Vec<_>>(),
        "group_ids": groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(id: i64) -> ObjectKey {
        ("Ticket".to_owned(), id)
    }

    fn entry(link_type: &str, id: i64) -> (String, ObjectKey) {
        (link_type.to_owned(), ticket(id))
    }

    /// The entries `rows` give `owner`, in the mock's order: rows where it is the source
    /// (type mapped), then rows where it is the target, each by id.
    fn list_of(rows: &[LinkRow], owner: &ObjectKey) -> Vec<(String, ObjectKey)> {
        let source = rows.iter().filter(|r| &r.source == owner).map(|r| {
            (
                inverse_type(&r.link_type).unwrap().to_owned(),
                r.target.clone(),
            )
        });
        let target = rows
            .iter()
            .filter(|r| &r.target == owner)
            .map(|r| (r.link_type.clone(), r.source.clone()));
        source.chain(target).collect()
    }

    fn sorted(mut list: Vec<(String, ObjectKey)>) -> Vec<(String, ObjectKey)> {
        list.sort();
        list
    }

    #[test]
    fn the_first_list_keeps_its_order_and_both_ends_see_the_same_multiset() {
        // Arrange: 1 is a parent of 2 and normal with 3; 2 sees 1 as child.
        let one = vec![entry("parent", 2), entry("normal", 3)];
        let two = vec![entry("child", 1)];
        let mut rows = LinkRows::default();
        // Act
        rows.add_list(&ticket(1), &one);
        rows.add_list(&ticket(2), &two);
        // Assert
        assert_eq!(rows.rows().len(), 2);
        assert_eq!(list_of(rows.rows(), &ticket(1)), one);
        assert_eq!(list_of(rows.rows(), &ticket(2)), two);
    }

    fn keys(rows: &LinkRows) -> HashSet<(String, ObjectKey, ObjectKey)> {
        rows.rows()
            .iter()
            .map(|r| (r.link_type.clone(), r.source.clone(), r.target.clone()))
            .collect()
    }

    #[test]
    fn a_link_stored_in_both_directions_stays_two_distinct_rows() {
        // Zammad holds (normal, 1→2) and (normal, 2→1), and (parent, 1→3) and (child, 3→1).
        let one = vec![
            entry("normal", 2),
            entry("child", 3),
            entry("normal", 2),
            entry("child", 3),
        ];
        let mut rows = LinkRows::default();
        rows.add_list(&ticket(1), &one);
        rows.add_list(&ticket(2), &[entry("normal", 1), entry("normal", 1)]);
        rows.add_list(&ticket(3), &[entry("parent", 1), entry("parent", 1)]);
        assert_eq!(rows.rows().len(), 4);
        assert_eq!(keys(&rows).len(), 4, "no row twice: {:?}", rows.rows());
        for (id, list) in [
            (1, one.clone()),
            (2, vec![entry("normal", 1), entry("normal", 1)]),
            (3, vec![entry("parent", 1), entry("parent", 1)]),
        ] {
            assert_eq!(sorted(list_of(rows.rows(), &ticket(id))), sorted(list));
        }
    }

    #[test]
    fn a_self_link_is_one_row_for_its_two_entries() {
        // A (parent, 5→5) row shows 5 as `child` (source side) and as `parent` (target side).
        let five = vec![entry("child", 5), entry("parent", 5)];
        let mut rows = LinkRows::default();
        rows.add_list(&ticket(5), &five);
        assert_eq!(rows.rows().len(), 1);
        assert_eq!(
            sorted(list_of(rows.rows(), &ticket(5))),
            sorted(five.clone())
        );
    }

    #[test]
    fn later_lists_keep_their_multiset_in_a_chain() {
        let lists = [
            (1, vec![entry("normal", 2), entry("parent", 3)]),
            (2, vec![entry("normal", 1), entry("child", 3)]),
            (
                3,
                vec![entry("child", 1), entry("parent", 2), entry("normal", 4)],
            ),
        ];
        let mut rows = LinkRows::default();
        for (id, list) in &lists {
            assert_eq!(rows.add_list(&ticket(*id), list), 0);
        }
        for (id, list) in &lists {
            assert_eq!(
                sorted(list_of(rows.rows(), &ticket(*id))),
                sorted(list.clone())
            );
        }
        let ids: Vec<u64> = rows.rows().iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![1, 2, 3, 4]);
    }

    #[test]
    fn entries_of_unknown_types_are_skipped_and_counted() {
        let mut rows = LinkRows::default();
        let skipped = rows.add_list(&ticket(1), &[entry("duplicate", 2), entry("normal", 3)]);
        assert_eq!(skipped, 1);
        assert_eq!(rows.rows().len(), 1);
    }

    #[test]
    fn assets_forms_replace_plain_tickets_but_nothing_else_is_overwritten() {
        let mut doc = DocumentBuilder::default();
        doc.add_plain_ticket(&json!({"id": 1, "title": "plain"}));
        let assets = json!({
            "Ticket": {"1": {"id": 1, "title": "full", "article_ids": [9]}},
            "User": {"3": {"id": 3, "login": "a", "password": "pw"}},
            "TicketArticle": {"9": {"id": 9}},
        });
        doc.add_assets(assets.as_object().unwrap());
        doc.add_assets(
            json!({"Ticket": {"1": {"id": 1, "title": "later"}}})
                .as_object()
                .unwrap(),
        );
        let out = doc.finish(Map::new(), ("tok", 3));
        assert_eq!(out["Ticket"]["1"]["title"], "full");
        assert_eq!(out["User"]["3"], json!({"id": 3, "login": "a"}));
        assert!(out.get("TicketArticle").is_none());
        assert_eq!(out["Token"], json!([{"token": "tok", "user_id": 3}]));
    }

    #[test]
    fn a_stand_in_role_grants_agent_and_read_on_the_given_groups() {
        let role = stand_in_role(7, Some(53), &[1, 4]);
        assert_eq!(role["permission_ids"], json!([53]));
        assert_eq!(role["group_ids"], json!({"1": ["read"], "4": ["read"]}));
    }
}
