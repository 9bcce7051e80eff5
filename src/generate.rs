//! Large, realistic fixture documents for load tests and benches:
//! `zammad-links-mock generate --tickets N --links M [--articles K] --out FILE`.
//!
//! The document is written as it is generated (a 10-million-link file never sits in memory
//! as JSON). It holds the default data set's permissions and roles, groups, organizations, agents and
//! customers in proportion to the tickets, tickets shaped like the seed's, and links of mixed
//! types (normal, parent, child) between random tickets, never the same link twice. User 3
//! is `test@test.de` / `test` with access to every group, and owns token
//! `zammad-links-mock-token-user-3`, as in the default data set. With `--articles K` every
//! ticket has K article records (`Ticket::Article`, after the tickets) whose subjects and
//! bodies a search can find; without, each ticket lists one article id that has no record,
//! as the seed's tickets do. The same seed gives the same file.

use std::collections::HashSet;
use std::io::{self, Write};

use serde_json::{json, Value};

use crate::fixtures::DEFAULT_DATA;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// Number of tickets (ids 1..=tickets).
    pub tickets: u64,
    /// Number of links.
    pub links: u64,
    /// Seed of the generator.
    pub seed: u64,
    /// Article records per ticket (0: one article id without a record, as the seed's).
    pub articles: u64,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// More links were asked for than distinct (type, source, target) triples exist.
    #[error("{links} links cannot be made between {tickets} tickets without repeating one")]
    TooManyLinks {
        /// Links asked for.
        links: u64,
        /// Tickets asked for.
        tickets: u64,
    },
    /// Writing failed.
    #[error("cannot write the fixture document")]
    Io(#[from] io::Error),
}

/// xorshift64*: deterministic and dependency-free, so that a seed always gives the same data
/// (also used by the benches and `examples/scale.rs`).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed` (0 counts as 1: xorshift never leaves zero).
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

const LINK_TYPES: [&str; 3] = ["normal", "parent", "child"];

/// Words the generated subjects and bodies are made of.
const WORDS: [&str; 16] = [
    "printer", "invoice", "login", "password", "delivery", "refund", "network", "laptop", "order",
    "account", "license", "update", "screen", "backup", "mailbox", "contract",
];

/// One `Link` row of a generated document.
#[derive(serde::Serialize)]
struct GeneratedLink {
    link_type: &'static str,
    link_object_source: &'static str,
    link_object_source_value: u64,
    link_object_target: &'static str,
    link_object_target_value: u64,
}

/// Writes the document for `spec` to `out`.
///
/// # Errors
/// [`GenerateError`] when the links cannot be distinct or writing fails.
pub fn write_document(spec: Spec, out: &mut impl Write) -> Result<(), GenerateError> {
    let tickets = spec.tickets.max(2);
    let possible = tickets.saturating_mul(tickets - 1).saturating_mul(3);
    if spec.links > possible {
        return Err(GenerateError::TooManyLinks {
            links: spec.links,
            tickets,
        });
    }
    let default: Value = serde_json::from_str(DEFAULT_DATA).expect("the default data set is JSON");
    let mut rng = Rng(spec.seed | 1);
    let groups = (tickets / 2_000).clamp(1, 20);
    let organizations = (tickets / 500).clamp(1, 200);
    let agents = (tickets / 1_000).clamp(2, 100);
    let customers = (tickets / 10).clamp(1, 10_000);
    let first_agent = 3;
    let first_customer = first_agent + agents;

    out.write_all(b"{\"Permission\":")?;
    out.write_all(default["Permission"].to_string().as_bytes())?;
    out.write_all(b",\"Role\":")?;
    out.write_all(default["Role"].to_string().as_bytes())?;

    out.write_all(b",\"Group\":{")?;
    for id in 1..=groups {
        let sep = if id > 1 { "," } else { "" };
        let group = json!({"id": id, "name": format!("Group {id}"), "active": true,
            "note": "", "updated_by_id": 1, "created_by_id": 1,
            "created_at": "2021-10-29T13:11:54.863Z", "updated_at": "2021-10-29T13:11:54.863Z"});
        write!(out, "{sep}\"{id}\":{group}")?;
    }
    out.write_all(b"},\"Organization\":{")?;
    for id in 1..=organizations {
        let sep = if id > 1 { "," } else { "" };
        let org = json!({"id": id, "name": format!("Organization {id}"), "shared": true,
            "active": true, "note": "", "updated_by_id": 1, "created_by_id": 1,
            "created_at": "2021-10-29T13:11:56.250Z", "updated_at": "2021-10-29T13:11:56.250Z"});
        write!(out, "{sep}\"{id}\":{org}")?;
    }

    out.write_all(b"},\"User\":{")?;
    let all_groups: serde_json::Map<String, Value> = (1..=groups)
        .map(|g| (g.to_string(), json!(["full"])))
        .collect();
    let system = json!({"id": 1, "login": "-", "firstname": "-", "lastname": "", "email": "",
        "active": false, "role_ids": [], "group_ids": {}, "organization_id": null,
        "created_by_id": 1, "updated_by_id": 1});
    write!(out, "\"1\":{system}")?;
    for id in first_agent..first_customer {
        let (login, roles) = if id == 3 {
            ("test@test.de".to_owned(), json!([1, 2]))
        } else {
            (format!("agent{id}@example.com"), json!([2]))
        };
        let user = json!({"id": id, "organization_id": null, "login": login, "password": "test",
            "firstname": "Agent", "lastname": format!("{id}"), "email": login, "active": true,
            "role_ids": roles, "group_ids": all_groups, "created_by_id": 1, "updated_by_id": 1,
            "created_at": "2021-10-29T13:25:59.261Z", "updated_at": "2021-10-29T13:25:59.261Z"});
        write!(out, ",\"{id}\":{user}")?;
    }
    for id in first_customer..first_customer + customers {
        let org = 1 + rng.below(organizations);
        let login = format!("customer{id}@example.com");
        let user = json!({"id": id, "organization_id": org, "login": login, "password": "test",
            "firstname": "Customer", "lastname": format!("{id}"), "email": login, "active": true,
            "role_ids": [3], "group_ids": {}, "created_by_id": 1, "updated_by_id": 1,
            "created_at": "2021-10-29T13:25:59.261Z", "updated_at": "2021-10-29T13:25:59.261Z"});
        write!(out, ",\"{id}\":{user}")?;
    }

    out.write_all(b"},\"Ticket\":{")?;
    let template = default["Ticket"]["147470"]
        .as_object()
        .expect("the default data set has ticket 147470")
        .clone();
    let per_ticket = spec.articles;
    let article_ids = |id: u64| -> Value {
        if per_ticket == 0 {
            json!([id])
        } else {
            json!(((id - 1) * per_ticket + 1..=id * per_ticket).collect::<Vec<_>>())
        }
    };
    for id in 1..=tickets {
        let mut ticket = template.clone();
        let customer = first_customer + rng.below(customers);
        let owner = first_agent + rng.below(agents);
        for (key, value) in [
            ("id", json!(id)),
            ("group_id", json!(1 + rng.below(groups))),
            ("number", json!(format!("{}", 10_000 + id))),
            ("title", json!(format!("Generated ticket #{id}"))),
            ("owner_id", json!(owner)),
            ("customer_id", json!(customer)),
            ("updated_by_id", json!(owner)),
            ("created_by_id", json!(customer)),
            ("article_ids", article_ids(id)),
            ("article_count", json!(per_ticket.max(1))),
        ] {
            ticket.insert(key.into(), value);
        }
        let sep = if id > 1 { "," } else { "" };
        write!(out, "{sep}\"{id}\":{}", Value::Object(ticket))?;
    }
    if per_ticket > 0 {
        out.write_all(b"},\"Ticket::Article\":{")?;
        for id in 1..=tickets * per_ticket {
            let ticket = (id - 1) / per_ticket + 1;
            let word = |rng: &mut Rng| WORDS[rng.below(WORDS.len() as u64) as usize];
            let (a, b, c) = (word(&mut rng), word(&mut rng), word(&mut rng));
            let article = json!({"id": id, "ticket_id": ticket, "type_id": 10, "sender_id": 2,
                "from": format!("Customer {ticket}"), "to": null, "cc": null,
                "subject": format!("{a} {b} problem"), "reply_to": null, "message_id": null,
                "message_id_md5": null, "in_reply_to": null, "content_type": "text/plain",
                "references": null,
                "body": format!("Hello, since yesterday my {a} does not work with the {b}. \
                    I tried again this morning and the {c} still shows the same error. \
                    Could you please have a look? Kind regards, customer {ticket}"),
                "internal": false, "preferences": {}, "updated_by_id": 1, "created_by_id": 1,
                "origin_by_id": null, "created_at": "2021-11-03T10:16:45.092Z",
                "updated_at": "2021-11-03T10:16:45.092Z", "attachments": []});
            let sep = if id > 1 { "," } else { "" };
            write!(out, "{sep}\"{id}\":{article}")?;
        }
    }

    out.write_all(b"},\"Link\":[")?;
    let mut made: HashSet<(u8, u64, u64)> = HashSet::with_capacity(spec.links as usize);
    let mut written = 0;
    while written < spec.links {
        let roll = rng.below(100);
        let kind = if roll < 70 {
            0
        } else if roll < 85 {
            1
        } else {
            2
        };
        let source = 1 + rng.below(tickets);
        let target = 1 + rng.below(tickets);
        if source == target || !made.insert((kind, source, target)) {
            continue;
        }
        if written > 0 {
            out.write_all(b",")?;
        }
        let link = GeneratedLink {
            link_type: LINK_TYPES[kind as usize],
            link_object_source: "Ticket",
            link_object_source_value: source,
            link_object_target: "Ticket",
            link_object_target_value: target,
        };
        serde_json::to_writer(&mut *out, &link).map_err(io::Error::from)?;
        written += 1;
    }
    out.write_all(b"],\"Token\":")?;
    let token = json!([{"token": "zammad-links-mock-token-user-3", "user_id": 3}]);
    serde_json::to_writer(&mut *out, &token).map_err(io::Error::from)?;
    out.write_all(b"}")?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::FixtureDocument;
    use crate::model::ModelKind;

    #[test]
    fn a_generated_document_is_valid_and_has_what_was_asked() {
        let mut out = Vec::new();
        write_document(
            Spec {
                tickets: 50,
                links: 300,
                seed: 7,
                articles: 2,
            },
            &mut out,
        )
        .unwrap();
        let doc = FixtureDocument::from_json(std::str::from_utf8(&out).unwrap()).unwrap();
        assert_eq!(doc.links.len(), 300);
        let tickets = doc
            .records
            .iter()
            .filter(|r| r.record.kind == ModelKind::Ticket)
            .count();
        assert_eq!(tickets, 50);
        let articles = doc
            .records
            .iter()
            .filter(|r| r.record.kind == ModelKind::TicketArticle)
            .count();
        assert_eq!(articles, 100);
        assert!(doc
            .records
            .iter()
            .any(|r| r.record.fields.login.as_deref() == Some("test@test.de")));
    }

    #[test]
    fn the_same_seed_gives_the_same_document() {
        let spec = Spec {
            tickets: 20,
            links: 40,
            seed: 3,
            articles: 1,
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_document(spec, &mut a).unwrap();
        write_document(spec, &mut b).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn impossible_link_counts_are_refused() {
        let result = write_document(
            Spec {
                tickets: 2,
                links: 7,
                seed: 1,
                articles: 0,
            },
            &mut Vec::new(),
        );
        assert!(matches!(result, Err(GenerateError::TooManyLinks { .. })));
    }
}
