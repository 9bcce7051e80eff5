//! What `capture` asks a Zammad, and in which order: the start tickets (or every ticket of
//! the index), then their links level by level up to the depth. Requests of one level run
//! in parallel on a pool of `--concurrency` threads; their answers are taken in, in a fixed
//! order, once the level is complete, so the document does not depend on which answer
//! arrived first. Turning answers into the document is `document`'s.

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::client::{ClientError, ZammadClient};
use super::document::{DocumentBuilder, ObjectKey};
use super::{CaptureError, CaptureProgress};

/// Tickets per page of `GET /api/v1/tickets`: Zammad 5.0's largest page
/// (`TicketsController#index`).
const INDEX_PAGE: usize = 100;

/// One `GET /api/v1/links` answer, parsed.
#[derive(Debug)]
struct LinksAnswer {
    entries: Vec<(String, ObjectKey)>,
    /// `link_type` of entries that are not strings (Zammad shows `null` for unmapped types).
    untyped: usize,
    assets: Map<String, Value>,
}

/// Walks a Zammad for one capture.
pub struct Walker<'a> {
    client: &'a ZammadClient,
    pool: rayon::ThreadPool,
    progress: &'a dyn CaptureProgress,
}

impl<'a> Walker<'a> {
    /// A walker with `concurrency` requests in flight at most.
    ///
    /// # Errors
    /// When the thread pool cannot be started.
    pub fn new(
        client: &'a ZammadClient,
        concurrency: usize,
        progress: &'a dyn CaptureProgress,
    ) -> Result<Self, CaptureError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(concurrency.max(1))
            .thread_name(|n| format!("capture-{n}"))
            .build()
            .map_err(CaptureError::Threads)?;
        Ok(Self {
            client,
            pool,
            progress,
        })
    }

    /// `f` for every item on the pool: the results in the items' order, or an error (the
    /// remaining items are not started then). `progress` hears of these requests.
    fn each<T: Sync, R: Send>(
        &self,
        items: &[T],
        f: impl Fn(&T) -> Result<R, CaptureError> + Sync,
    ) -> Result<Vec<R>, CaptureError> {
        self.progress.planned(items.len() as u64);
        self.pool.install(|| {
            items
                .par_iter()
                .map(|item| {
                    let result = f(item);
                    self.progress.finished();
                    result
                })
                .collect()
        })
    }

    /// The start tickets, each by `GET /api/v1/tickets/:id?all=true` (its assets hold the
    /// ticket's full record, association ids included), then their links up to `depth`.
    ///
    /// # Errors
    /// A ticket that does not exist or that the user may not see, and any request failure.
    pub fn tickets(
        &self,
        start: &[i64],
        depth: u32,
        doc: &mut DocumentBuilder,
    ) -> Result<(), CaptureError> {
        let answers = self.each(start, |id| {
            self.client
                .get_json(&format!("api/v1/tickets/{id}"), &[("all", "true".into())])
                .map_err(|error| match error.status().map(|s| s.as_u16()) {
                    Some(404) => CaptureError::NoSuchTicket(*id),
                    Some(403) => CaptureError::TicketNotVisible(*id),
                    _ => error.into(),
                })
        })?;
        for (id, answer) in start.iter().zip(answers) {
            let assets = answer
                .get("assets")
                .and_then(Value::as_object)
                .filter(|assets| {
                    assets
                        .get("Ticket")
                        .and_then(|t| t.get(id.to_string()))
                        .is_some()
                })
                .ok_or_else(|| CaptureError::NotZammad {
                    what: format!("GET /api/v1/tickets/{id}?all=true"),
                    reason: "the answer has no assets with the ticket".into(),
                })?;
            doc.add_assets(assets);
        }
        let mut seen: std::collections::HashSet<i64> = start.iter().copied().collect();
        let mut level: Vec<i64> = start.to_vec();
        for distance in 0..depth {
            let next = self.links_of(&level, doc, &mut seen)?;
            log::debug!(
                "distance {distance}: {} tickets read, {} found",
                level.len(),
                next.len()
            );
            level = next;
            if level.is_empty() {
                break;
            }
        }
        Ok(())
    }

    /// Every ticket the user can see, from the index page by page, then every one's links.
    ///
    /// # Errors
    /// Any request failure.
    pub fn all(&self, doc: &mut DocumentBuilder) -> Result<(), CaptureError> {
        let mut ids = Vec::new();
        for page in 1.. {
            let answer = self.client.get_json(
                "api/v1/tickets",
                &[
                    ("page", page.to_string()),
                    ("per_page", INDEX_PAGE.to_string()),
                ],
            )?;
            let tickets = answer.as_array().ok_or_else(|| CaptureError::NotZammad {
                what: format!("GET /api/v1/tickets?page={page}"),
                reason: "the answer is not a list of tickets".into(),
            })?;
            ids.extend(tickets.iter().filter_map(|t| doc.add_plain_ticket(t)));
            if tickets.len() < INDEX_PAGE {
                break;
            }
        }
        let mut seen = ids.iter().copied().collect();
        // Tickets found only through links (visible, yet not in the index) are kept as
        // records; their own links are not read.
        self.links_of(&ids, doc, &mut seen)?;
        Ok(())
    }

    /// Reads the links of every ticket of `level` and takes them in; returns the tickets
    /// they reach that are not in `seen` (only tickets whose record came with the assets:
    /// an entry without one points at a record Zammad no longer has).
    fn links_of(
        &self,
        level: &[i64],
        doc: &mut DocumentBuilder,
        seen: &mut std::collections::HashSet<i64>,
    ) -> Result<Vec<i64>, CaptureError> {
        // Big levels go in chunks so that progress moves and memory stays bounded.
        let mut next = Vec::new();
        for chunk in level.chunks(512) {
            let answers = self.each(chunk, |id| self.links(*id))?;
            for (id, answer) in chunk.iter().zip(answers) {
                doc.add_assets(&answer.assets);
                doc.add_links_of(*id, &answer.entries);
                doc.skipped_links += answer.untyped;
                let with_record = answer.assets.get("Ticket").and_then(Value::as_object);
                for (_, (class, other)) in &answer.entries {
                    let has_record =
                        with_record.is_some_and(|t| t.contains_key(&other.to_string()));
                    if class == "Ticket" && has_record && seen.insert(*other) {
                        next.push(*other);
                    }
                }
            }
        }
        Ok(next)
    }

    fn links(&self, id: i64) -> Result<LinksAnswer, CaptureError> {
        let what = format!("GET /api/v1/links?link_object=Ticket&link_object_value={id}");
        let answer = self
            .client
            .get_json(
                "api/v1/links",
                &[
                    ("link_object", "Ticket".into()),
                    ("link_object_value", id.to_string()),
                ],
            )
            .map_err(
                |error: ClientError| match error.status().map(|s| s.as_u16()) {
                    Some(401 | 403) => CaptureError::LinksRefused(Box::new(error)),
                    _ => error.into(),
                },
            )?;
        parse_links(answer).ok_or_else(|| CaptureError::NotZammad {
            what,
            reason: "the answer is not {\"links\": [...], \"assets\": {...}}".into(),
        })
    }
}

/// `{"links": [{"link_type", "link_object", "link_object_value"}…], "assets": {…}}`.
fn parse_links(answer: Value) -> Option<LinksAnswer> {
    let Value::Object(mut answer) = answer else {
        return None;
    };
    let assets = match answer.remove("assets")? {
        Value::Object(assets) => assets,
        _ => return None,
    };
    let mut entries = Vec::new();
    let mut untyped = 0;
    for entry in answer.get("links")?.as_array()? {
        let object = entry.get("link_object")?.as_str()?;
        let value = entry.get("link_object_value")?.as_i64()?;
        match entry.get("link_type").and_then(Value::as_str) {
            Some(link_type) => entries.push((link_type.to_owned(), (object.to_owned(), value))),
            None => untyped += 1,
        }
    }
    Some(LinksAnswer {
        entries,
        untyped,
        assets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_links_answer_is_parsed_in_order() {
        let answer = parse_links(json!({
            "links": [
                {"link_type": "child", "link_object": "Ticket", "link_object_value": 2},
                {"link_type": null, "link_object": "Ticket", "link_object_value": 3},
                {"link_type": "normal", "link_object": "KnowledgeBase::Answer::Translation", "link_object_value": 4},
            ],
            "assets": {"Ticket": {}},
        }))
        .unwrap();
        assert_eq!(
            answer.entries,
            vec![
                ("child".into(), ("Ticket".into(), 2)),
                (
                    "normal".into(),
                    ("KnowledgeBase::Answer::Translation".into(), 4)
                )
            ]
        );
        assert_eq!(answer.untyped, 1);
    }

    #[test]
    fn something_else_is_not_a_links_answer() {
        assert!(parse_links(json!({"links": []})).is_none());
        assert!(parse_links(json!([1, 2])).is_none());
        assert!(parse_links(json!({"links": [{"x": 1}], "assets": {}})).is_none());
    }
}
