//! `DELETE /api/v1/tickets/:id` (`TicketsController#destroy`, spec §5): `TicketPolicy#destroy?`
//! (the `admin` permission, else Zammad's two refusals), then `ticket.destroy!`: every link
//! of the ticket goes first, each touching both of its ends, so every ticket at the other
//! end moves its `updated_at`; the ticket's articles go with it. The work is proportional to
//! the ticket's own links (its adjacency list), never a scan.

use std::collections::HashSet;

use rustc_hash::FxBuildHasher;

use super::policy;
use crate::auth::Caller;
use crate::graph::Side;
use crate::model::{LinkRow, Millis, ModelKind, ObjectRef};
use crate::records::listed_ids;
use crate::refusal::{DomainError, Refusal, TicketRefusal};
use crate::state::AppState;

/// `TicketsController#destroy`: nothing to answer but the status (200, empty body).
///
/// # Errors
/// [`Refusal::TicketNotFound`], [`Refusal::NotAuthorized`],
/// [`TicketRefusal::AdminRequired`], or a database failure.
pub async fn delete(state: &AppState, id: &str, caller: &Caller) -> Result<(), DomainError> {
    let release = state.release();
    let now = Millis::now();
    state
        .write(|tx| {
            let ticket = id
                .parse::<i64>()
                .ok()
                .and_then(|id| tx.record(ModelKind::Ticket, id))
                .ok_or_else(|| Refusal::TicketNotFound { id: id.to_owned() })?;
            // `TicketPolicy#destroy?`: `admin` may; anybody else who has `delete` access
            // learns that it takes `admin`.
            if !caller.is_admin() {
                return Err(
                    if policy::access(caller, tx.records(), release, &ticket, "delete") {
                        DomainError::from(TicketRefusal::AdminRequired)
                    } else {
                        Refusal::NotAuthorized.into()
                    },
                );
            }
            let names = tx.names();
            let owner = names
                .object_id("Ticket")
                .map(|object| ObjectRef::new(object, ticket.id));
            let edges = owner.map(|o| tx.graph().edges(o)).unwrap_or_default();
            // `has_links`' `before_destroy`: `Link.remove_all`, each row touching both ends
            // (`after_destroy :touch_link_references`), each record once.
            let mut touched: HashSet<(ModelKind, i64), FxBuildHasher> = HashSet::default();
            for edge in &edges {
                let Some(owner) = owner else { break };
                // A self link is in the list twice, once from each side: one row.
                if edge.side == Side::Target && edge.other() == owner {
                    continue;
                }
                let (source, target) = match edge.side {
                    Side::Source => (owner, edge.other()),
                    Side::Target => (edge.other(), owner),
                };
                tx.remove_link(LinkRow {
                    id: edge.link_id,
                    link_type: edge.link_type,
                    source,
                    target,
                    created_at: now,
                    updated_at: now,
                });
                if let Some(kind) = names.object_model(edge.other_object) {
                    let other = (kind, edge.other_value);
                    if other != (ModelKind::Ticket, ticket.id) && touched.insert(other) {
                        tx.touch(kind, edge.other_value, now);
                    }
                }
            }
            for article in listed_ids(ticket.json(), "article_ids") {
                tx.delete_record(ModelKind::TicketArticle, article);
            }
            tx.delete_record(ModelKind::Ticket, ticket.id);
            Ok::<_, DomainError>(())
        })?
        .durable()
        .await?;
    Ok(())
}
