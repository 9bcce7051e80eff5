//! `PUT /api/v1/ticket_merge/:source_ticket_id/:target_ticket_number`
//! (`TicketsController#ticket_merge`, `Service::Ticket::Merge`, `Ticket#merge_to`; spec §6):
//! the checks in the line's order (§6.1), then the whole merge in one write transaction
//! (§6.2): the source's articles move to the target, a `merged` note is written on the
//! source, the links are cleaned up and re-pointed (`merge_links`), the source becomes
//! merged and the target moves on. The answer (§6.3) shows the target as it was before.
//!
//! What differs between lines (texts, who may merge, the target's article count) is the
//! release's `MergeRules`; the refusals are reasons, answered by `api::error`.

use serde_json::{json, Map, Value};

use super::articles::{self, ForTicket};
use super::attributes::seeded;
use super::create::{put_attributes, put_ticket};
use super::merge_links;
use super::policy;
use crate::auth::{AuthMethod, Caller};
use crate::model::{Millis, ModelKind};
use crate::records::{listed_ids, Record, RecordStore, Stored};
use crate::refusal::{DomainError, Refusal, TicketRefusal};
use crate::release::{MergeAccess, ZammadVersion};
use crate::render;
use crate::seeds::Lookup;
use crate::state::{AppState, WriteTx};

/// `PUT /api/v1/ticket_merge/:source_ticket_id/:target_ticket_number`.
#[derive(Debug, Clone, Copy)]
pub struct MergeTickets<'a> {
    /// The source's id as the path gave it (`Ticket.find_by(id:)`).
    pub source_id: &'a str,
    /// The target's number as the path gave it (`Ticket.find_by(number:)`).
    pub target_number: &'a str,
}

/// The seeded state a merged ticket takes (`Ticket::State.lookup(name: 'merged')`).
const MERGED: &str = "merged";

/// `TicketsController#ticket_merge`: `{"result":"success","target_ticket":…,"source_ticket":…}`
/// (200), durable.
///
/// # Errors
/// [`TicketRefusal::PermissionMissing`], [`Refusal::NotAuthorized`], the merge refusals of
/// [`TicketRefusal`] (two of them answered 200 "failed"), or a database failure.
pub async fn merge(
    state: &AppState,
    request: &MergeTickets<'_>,
    caller: &Caller,
) -> Result<String, DomainError> {
    // `Controllers::TicketsControllerPolicy#ticket_merge?`: `ticket.agent`.
    if !caller.is_ticket_agent() {
        return Err(TicketRefusal::PermissionMissing {
            by_token: caller.method == AuthMethod::Token,
        }
        .into());
    }
    let release = state.release();
    let now = Millis::now();
    let body = state
        .write(|tx| merge_in(tx, release, request, caller, now))?
        .durable()
        .await?;
    Ok(body)
}

/// The checks and the effects, in `tx`; the answer's body.
fn merge_in(
    tx: &mut WriteTx<'_>,
    release: ZammadVersion,
    request: &MergeTickets<'_>,
    caller: &Caller,
    now: Millis,
) -> Result<String, DomainError> {
    let (source, target) = checked(tx, release, request, caller)?;
    // The answer's `target_ticket` is the record as the controller loaded it (spec §6.3).
    let target_before = render::ticket(&target);
    let seeds = release.room().seeds;
    let records = tx.records();
    let source_articles = listed_ids(source.json(), "article_ids");
    // `Ticket::Article.where(ticket_id: id).each(&:touch)`, then `update_all(ticket_id:)`:
    // each article moves with `updated_at` now; an id without a record moves in the lists.
    for id in &source_articles {
        if let Some(article) = tx.record(ModelKind::TicketArticle, *id) {
            let mut attrs = attributes(&article);
            attrs.insert("ticket_id".into(), target.id.into());
            attrs.insert("updated_at".into(), Value::String(now.to_string()));
            put_attributes(tx, ModelKind::TicketArticle, article.id, attrs)?;
        }
    }
    let mut target_attrs = attributes(&target);
    let mut moved_ids = listed_ids(target.json(), "article_ids");
    moved_ids.extend(&source_articles);
    // `article_ids` lists a ticket's articles by id (`has_many :articles`).
    moved_ids.sort_unstable();
    moved_ids.dedup();
    if release.room().ticket_calls.merge.recounts_target {
        let counted = moved_ids
            .iter()
            .filter(|id| {
                tx.record(ModelKind::TicketArticle, **id)
                    .is_none_or(|a| !articles::is_by_system(&a))
            })
            .count();
        target_attrs.insert("article_count".into(), counted.into());
    }
    target_attrs.insert("article_ids".into(), json!(moved_ids));
    // `target_ticket.touch`: `updated_at` only, `updated_by_id` stays.
    target_attrs.insert("updated_at".into(), Value::String(now.to_string()));
    // The `merged` note (`Ticket::Article.create(…)` in `app/models/ticket.rb#merge_to`), on
    // a source whose articles have gone: its `article_ids` and `article_count` follow it.
    let mut source_attrs = attributes(&source);
    source_attrs.insert("article_ids".into(), json!([]));
    let note = json!({
        "body": "merged",
        "type_id": seeded(records, seeds, Lookup::ArticleType, "note"),
        "sender_id": seeded(records, seeds, Lookup::ArticleSender, "Agent"),
        "internal": false,
    });
    let grants = tx.grants();
    articles::create(
        tx,
        grants,
        release,
        caller,
        ForTicket {
            attrs: &mut source_attrs,
            id: source.id,
        },
        &note,
        now,
    )?;
    merge_links::merge(tx, source.id, target.id, now)?;
    // `self.state_id = merged; self.owner_id = 1; save!` by the caller.
    let merged = seeded(records, seeds, Lookup::State, MERGED);
    let changed = super::state_id(&source) != Some(merged) || source.fields.owner_id != Some(1);
    source_attrs.insert("state_id".into(), merged.into());
    source_attrs.insert("owner_id".into(), 1.into());
    if changed {
        // The save's callbacks: `Ticket#reset_pending_time` (merged is no pending state) and
        // `ticket/sets_last_owner_update_time.rb` (owner nobody, a state outside `work_on`).
        for key in ["pending_time", "last_owner_update_at"] {
            if source_attrs.contains_key(key) {
                source_attrs.insert(key.into(), Value::Null);
            }
        }
    }
    source_attrs.insert("updated_by_id".into(), caller.user_id().into());
    source_attrs.insert("updated_at".into(), Value::String(now.to_string()));
    put_ticket(tx, source.id, source_attrs)?;
    put_ticket(tx, target.id, target_attrs)?;
    let source_after = tx
        .record(ModelKind::Ticket, source.id)
        .map(|r| render::ticket(&r))
        .unwrap_or_default();
    Ok(format!(
        "{{\"result\":\"success\",\"target_ticket\":{target_before},\"source_ticket\":{source_after}}}"
    ))
}

/// §6.1: the tickets found and authorized in the line's order; the source, then the target.
fn checked(
    tx: &WriteTx<'_>,
    release: ZammadVersion,
    request: &MergeTickets<'_>,
    caller: &Caller,
) -> Result<(std::sync::Arc<Stored>, std::sync::Arc<Stored>), DomainError> {
    let records = tx.records();
    let target = records
        .ticket_by_number(request.target_number)
        .ok_or(TicketRefusal::MergeTargetNotFound)?;
    let find_source = || {
        request
            .source_id
            .parse::<i64>()
            .ok()
            .and_then(|id| tx.record(ModelKind::Ticket, id))
            .ok_or(TicketRefusal::MergeSourceNotFound)
    };
    let source = match release.room().ticket_calls.merge.access {
        MergeAccess::UpdatePolicy => {
            // 5.0's controller: `authorize!(target_ticket, :update?)` before the source is
            // looked up, then `authorize!(source_ticket, :update?)`.
            if !policy::access(caller, records, release, &target, "change") {
                return Err(Refusal::NotAuthorized.into());
            }
            let source = find_source()?;
            if !policy::access(caller, records, release, &source, "change") {
                return Err(Refusal::NotAuthorized.into());
            }
            source
        }
        MergeAccess::AgentUpdateAccess => {
            // `app/services/service/ticket/merge.rb`: `agent_update_access?` on the source,
            // then on the target.
            let source = find_source()?;
            for ticket in [&source, &target] {
                if !agent_update_access(caller, records, ticket) {
                    return Err(Refusal::NotAuthorized.into());
                }
            }
            source
        }
    };
    // `Ticket#merge_to`: a merged target, then the same ticket.
    if is_merged(&target, records, release) {
        return Err(TicketRefusal::MergeIntoMerged.into());
    }
    if source.id == target.id {
        return Err(TicketRefusal::MergeIntoItself.into());
    }
    Ok((source, target))
}

/// Whether `ticket` is merged into another: its state is the seeded `merged`
/// (`state.state_type.name == 'merged'` in `Ticket#merge_to`).
pub fn is_merged(ticket: &Record, records: &RecordStore, release: ZammadVersion) -> bool {
    super::state_id(ticket)
        .and_then(|id| Lookup::State.name(records, release.room().seeds, id))
        .is_some_and(|name| name == MERGED)
}

/// `TicketPolicy#agent_update_access?`: `ticket.agent` and `change` (or `full`) on the
/// ticket's active group; no owner and no customer path.
fn agent_update_access(caller: &Caller, records: &RecordStore, ticket: &Record) -> bool {
    caller.is_ticket_agent()
        && ticket.fields.group_id.is_some_and(|group| {
            records
                .get(ModelKind::Group, group)
                .is_some_and(|g| g.is_active())
                && caller.has_group_access(group, "change")
        })
}

/// A record's attributes, in their stored order.
fn attributes(record: &Record) -> Map<String, Value> {
    serde_json::from_str(record.json()).expect("stored record JSON is always an object")
}
