//! `PUT /api/v1/tickets/:id` (`TicketsController#update`, spec §4): the follow-up policy, the
//! attributes as on create but the number left alone and a customer kept from the fields
//! only agents change, `preferences` merged key by key, the edit screen's core workflow
//! (`merged` is never a state an update sets), an article when one is given, then the answer
//! in the shape asked for. An update is one transaction in every release (`with_lock`).

use serde_json::{Map, Value};

use super::articles::{self, ForTicket};
use super::attributes::{cast, check_references, gather, is_present, names_to_ids, UNUSED};
use super::create::put_ticket;
use super::{policy, shape, Asked};
use crate::auth::Caller;
use crate::expand::Association;
use crate::model::{Millis, ModelKind};
use crate::params::Params;
use crate::records::Stored;
use crate::refusal::{DomainError, Refusal, TicketRefusal};
use crate::release::{ClosedTickets, ZammadVersion};
use crate::seeds::Lookup;
use crate::state::{AppState, WriteTx};

/// `PUT /api/v1/tickets/:id`.
#[derive(Debug, Clone, Copy)]
pub struct UpdateTicket<'a> {
    /// The id as the path gave it.
    pub id: &'a str,
    /// The merged parameters.
    pub params: &'a Params<'a>,
    /// The shapes asked for.
    pub asked: Asked,
}

/// `TicketsController#update`: the changed ticket in the shape asked for (200), durable.
///
/// # Errors
/// [`Refusal::TicketNotFound`], the policy's refusals, the attributes' and the article's.
pub async fn update(
    state: &AppState,
    request: &UpdateTicket<'_>,
    caller: &Caller,
) -> Result<String, DomainError> {
    let release = state.release();
    let now = Millis::now();
    let id = state
        .write(|tx| update_in(tx, release, request, caller, now))?
        .durable()
        .await?;
    super::answer(state, id, request.asked, caller).await
}

fn update_in(
    tx: &mut WriteTx<'_>,
    release: ZammadVersion,
    request: &UpdateTicket<'_>,
    caller: &Caller,
    now: Millis,
) -> Result<i64, DomainError> {
    let room = release.room();
    let rules = &room.ticket_calls;
    let seeds = room.seeds;
    let associations: Vec<Association> = room.expand.ticket.concat();
    let associations = associations.as_slice();
    let ticket = request
        .id
        .parse::<i64>()
        .ok()
        .and_then(|id| tx.record(ModelKind::Ticket, id))
        .ok_or_else(|| Refusal::TicketNotFound {
            id: request.id.to_owned(),
        })?;
    follow_up(tx, release, caller, &ticket)?;
    let shape = shape::ticket(tx, release);
    let columns: Vec<String> = shape.columns().map(str::to_owned).collect();
    let names = associations.iter().filter_map(|a| match *a {
        crate::expand::Association::BelongsTo { key, .. } => Some(key),
        _ => None,
    });
    let mut keys: Vec<&str> = columns.iter().map(String::as_str).collect();
    for key in names {
        keys.push(key);
    }
    let mut data = gather(request.params, keys);
    for key in rules.ignored {
        data.shift_remove(*key);
    }
    let records = tx.records();
    names_to_ids(&mut data, associations, records, seeds)?;
    check_references(
        &data,
        columns.iter().map(String::as_str),
        associations,
        records,
        seeds,
    )?;
    // "disable changes on ticket number"
    data.shift_remove("number");
    if !caller.is_ticket_agent() {
        for key in rules.customer_dropped_on_update {
            data.shift_remove(*key);
        }
    }
    let mut attrs: Map<String, Value> =
        serde_json::from_str(ticket.json()).expect("stored record JSON is always an object");
    let old_state = ticket_state(&attrs);
    let old_customer = attrs.get("customer_id").and_then(Value::as_i64);
    for column in &columns {
        if UNUSED.contains(&column.as_str()) {
            continue;
        }
        let Some(value) = data.get(column) else {
            continue;
        };
        let value = cast(column, value.clone());
        if column == "preferences" {
            // `param_preferences_merge`: the given keys over the stored ones.
            let mut merged = match attrs.get("preferences") {
                Some(Value::Object(stored)) => stored.clone(),
                _ => Map::new(),
            };
            if let Value::Object(given) = value {
                merged.extend(given);
            }
            attrs.insert(column.clone(), Value::Object(merged));
        } else {
            attrs.insert(column.clone(), value);
        }
    }
    // `Ticket#check_defaults`: an emptied owner is nobody (1).
    if data.contains_key("owner_id") && attrs.get("owner_id").is_none_or(Value::is_null) {
        attrs.insert("owner_id".into(), 1.into());
    }
    // NOT NULL columns a request emptied.
    for required in [
        "group_id",
        "priority_id",
        "state_id",
        "title",
        "owner_id",
        "customer_id",
    ] {
        if data.contains_key(required) && attrs.get(required).is_none_or(Value::is_null) {
            return Err(TicketRefusal::ColumnRequired(required).into());
        }
    }
    let customer = attrs.get("customer_id").and_then(Value::as_i64);
    if customer != old_customer && !data.contains_key("organization_id") {
        // A new customer brings their organization (a choice where the spec is silent).
        let organization = customer
            .and_then(|id| tx.record(ModelKind::User, id))
            .and_then(|user| user.fields.organization_id);
        attrs.insert("organization_id".into(), organization.into());
    }
    let allowed: &[&str] = if caller.is_ticket_agent() {
        &["open", "pending reminder", "pending close", "closed"]
    } else {
        &["open", "closed"]
    };
    super::core_workflow(tx, release, caller, &attrs, allowed, old_state)?;
    state_follows(tx, release, &mut attrs, old_state, now);
    attrs.insert("updated_by_id".into(), caller.user_id().into());
    attrs.insert("updated_at".into(), Value::String(now.to_string()));
    // `if params[:article].present?` (the ticket is written once, after it)
    if let Some(article) = request.params.value("article").filter(|a| is_present(a)) {
        let grants = tx.grants();
        articles::create(
            tx,
            grants,
            release,
            caller,
            ForTicket {
                attrs: &mut attrs,
                id: ticket.id,
            },
            &article,
            now,
        )?;
    }
    put_ticket(tx, ticket.id, attrs)?;
    Ok(ticket.id)
}

/// The ticket's state id.
fn ticket_state(attrs: &Map<String, Value>) -> Option<i64> {
    attrs.get("state_id").and_then(Value::as_i64)
}

/// The follow-up policy (`TicketPolicy#follow_up?` from 6.5; 5.0's `update?` and its closed
/// ticket check): who may update the ticket, and the 422 for a closed one that may not be
/// reopened.
fn follow_up(
    tx: &WriteTx<'_>,
    release: ZammadVersion,
    caller: &Caller,
    ticket: &Stored,
) -> Result<(), DomainError> {
    let records = tx.records();
    let seeds = release.room().seeds;
    let closed = super::state_id(ticket)
        .and_then(|id| Lookup::State.name(records, seeds, id))
        .is_some_and(|name| name == "closed");
    let may_update = policy::access(caller, records, release, ticket, "change");
    let agent = policy::agent_access(caller, records, release, ticket, "change");
    let follow_up_possible = ticket
        .fields
        .group_id
        .and_then(|id| records.get(ModelKind::Group, id))
        .and_then(|group| follow_up_possible(&group))
        .is_none_or(|setting| setting != "new_ticket");
    match release.room().ticket_calls.closed_tickets {
        ClosedTickets::CustomersRefusedWhenNewTicket => {
            if !may_update {
                return Err(Refusal::NotAuthorized.into());
            }
            if closed && !agent && !follow_up_possible {
                return Err(TicketRefusal::FollowUpClosed.into());
            }
            Ok(())
        }
        ClosedTickets::FollowUpPolicy => {
            if !closed {
                return if may_update {
                    Ok(())
                } else {
                    Err(Refusal::NotAuthorized.into())
                };
            }
            if agent || (follow_up_possible && may_update) {
                Ok(())
            } else {
                Err(TicketRefusal::FollowUpClosed.into())
            }
        }
    }
}

/// A group's `follow_up_possible` (`yes` when the group does not say).
fn follow_up_possible(group: &Stored) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Group {
        follow_up_possible: Option<String>,
    }
    serde_json::from_str::<Group>(group.json())
        .ok()
        .and_then(|g| g.follow_up_possible)
}

/// What a state change does to the ticket (`Ticket#reset_pending_time`, the close
/// bookkeeping): a state that is not pending clears `pending_time`; closing sets `close_at`
/// the first time and `last_close_at` (where the release has it) every time.
fn state_follows(
    tx: &WriteTx<'_>,
    release: ZammadVersion,
    attrs: &mut Map<String, Value>,
    old_state: Option<i64>,
    now: Millis,
) {
    let new_state = ticket_state(attrs);
    let name = new_state
        .and_then(|id| Lookup::State.name(tx.records(), release.room().seeds, id))
        .unwrap_or_default();
    if !name.starts_with("pending") && attrs.contains_key("pending_time") {
        attrs.insert("pending_time".into(), Value::Null);
    }
    if name == "closed" && new_state != old_state {
        let at = Value::String(now.to_string());
        if attrs.get("close_at").is_none_or(Value::is_null) {
            attrs.insert("close_at".into(), at.clone());
        }
        if attrs.contains_key("last_close_at") {
            attrs.insert("last_close_at".into(), at);
        }
    }
}
