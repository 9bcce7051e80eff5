//! `links` of `POST /api/v1/tickets` (spec §2.6): `{"<Object>": {"<link type>": [ids]}}`,
//! each id a `Link.add` with the new ticket as the *source* and the id as the target, in
//! the request's order. Where the release authorizes the named objects (6.5.4, 7.0.1 and
//! later, spec §11.5) each must be a ticket the caller may update as the line's links policy
//! says. What a duplicate or a self link does is the release's too.

use std::collections::HashSet;

use rustc_hash::FxBuildHasher;
use serde_json::Value;

use super::attributes::{integer_cast, is_present};
use crate::auth::Caller;
use crate::model::{LinkRow, LinkTypeId, Millis, ModelKind, ObjectRef};
use crate::records::Record;
use crate::refusal::{DomainError, LinkStructure, Refusal, TicketRefusal};
use crate::release::{DuplicateLinks, SelfLinks, ZammadVersion};
use crate::state::WriteTx;

/// The (type, source, target) of the rows a create added so far.
type Added = HashSet<(LinkTypeId, ObjectRef, ObjectRef), FxBuildHasher>;

/// Adds the links `links` names for the new ticket `ticket`, in `tx`.
///
/// # Errors
/// A misshapen structure, a duplicate where the release refuses one, an object the caller
/// may not link (where the release checks), a name the catalog refuses.
pub(super) fn add(
    tx: &mut WriteTx<'_>,
    release: ZammadVersion,
    caller: &Caller,
    new_ticket: &Record,
    links: Option<&Value>,
    now: Millis,
) -> Result<(), DomainError> {
    let ticket = new_ticket.id;
    // `if params[:links].present?`
    let Some(links) = links.filter(|l| is_present(l)) else {
        return Ok(());
    };
    // `params[:links].permit!` on anything but a hash raises (an unrescued error in Zammad;
    // the mock answers Zammad's own text for the case, spec §11.4).
    let Value::Object(objects) = links else {
        return Err(TicketRefusal::LinkStructure(LinkStructure::NotAnObject).into());
    };
    let room = release.room();
    let authorizes = release.authorizes_create_links();
    // The rows this create added: the new ticket's only links, but for a fixture's
    // dangling rows that name its id already (those the graph knows).
    let mut added = HashSet::default();
    for (object, types) in objects {
        let Value::Object(types) = types else {
            return Err(TicketRefusal::LinkStructure(LinkStructure::Object).into());
        };
        for (link_type, ids) in types {
            let Value::Array(ids) = ids else {
                return Err(TicketRefusal::LinkStructure(LinkStructure::LinkType).into());
            };
            for id in ids {
                let target_value = integer_cast(id);
                if authorizes {
                    authorize(tx, release, caller, new_ticket, object, id, target_value)?;
                }
                add_one(
                    tx,
                    room,
                    &mut added,
                    ticket,
                    link_type,
                    object,
                    target_value,
                    now,
                )?;
            }
        }
    }
    Ok(())
}

/// The check 6.5.4 and 7.0.1 added (spec §11.5): the linked object must be a ticket that
/// exists and that the caller may update as the line's links policy says for the target of
/// `POST /api/v1/links/add`.
fn authorize(
    tx: &WriteTx<'_>,
    release: ZammadVersion,
    caller: &Caller,
    new_ticket: &Record,
    object: &str,
    sent: &Value,
    id: Option<i64>,
) -> Result<(), DomainError> {
    if object != "Ticket" {
        // No policy the mock knows covers another object: refused, never linked unchecked.
        return Err(Refusal::NotAuthorized.into());
    }
    // The new ticket is saved already in Zammad (a link to itself finds it).
    let found = id.and_then(|id| match id == new_ticket.id {
        true => Some(None),
        false => tx.record(ModelKind::Ticket, id).map(Some),
    });
    let Some(found) = found else {
        let shown = id.map_or_else(|| super::attributes::inspect(sent), |id| id.to_string());
        return Err(Refusal::TicketNotFound { id: shown }.into());
    };
    let ticket: &Record = found
        .as_deref()
        .map_or(new_ticket, |stored| stored.record());
    let allowed = match &release.room().links.policy {
        Some(policy) => (policy.may_update_target)(caller, tx.records(), ticket),
        None => release.may_show_ticket(caller, tx.records(), ticket),
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal::NotAuthorized.into())
    }
}

/// `Link.add(link_type:, link_object_source: 'Ticket', link_object_source_value: ticket,
/// link_object_target: object, link_object_target_value: id)`: the names looked up or
/// created, both ends touched, the row inserted (or refused as the release refuses it).
#[allow(clippy::too_many_arguments)]
fn add_one(
    tx: &mut WriteTx<'_>,
    room: &crate::release::Room,
    added: &mut Added,
    ticket: i64,
    link_type: &str,
    object: &str,
    target_value: Option<i64>,
    now: Millis,
) -> Result<(), DomainError> {
    let type_id = tx.ensure_type(link_type)?;
    let source_object = tx.ensure_object("Ticket")?;
    let target_object = tx.ensure_object(object)?;
    // `touch_reference_by_params`: the new ticket is written with `now` already; a target
    // that does not exist is skipped.
    if let (Some(kind), Some(value)) = (ModelKind::from_class_name(object), target_value) {
        if !(kind == ModelKind::Ticket && value == ticket) {
            tx.touch(kind, value, now);
        }
    }
    // NOT NULL columns, in table order (PostgreSQL's report).
    let link_type = type_id.ok_or(Refusal::ColumnMissing("link_type_id"))?;
    let source = source_object.ok_or(Refusal::ColumnMissing("link_object_source_id"))?;
    let target_object = target_object.ok_or(Refusal::ColumnMissing("link_object_target_id"))?;
    let target_value = target_value.ok_or(Refusal::ColumnMissing("link_object_target_value"))?;
    let source = ObjectRef::new(source, ticket);
    let target = ObjectRef::new(target_object, target_value);
    if added.contains(&(link_type, source, target))
        || !tx.graph().find(link_type, source, target).is_empty()
    {
        match room.ticket_calls.create_duplicate_links {
            DuplicateLinks::Refused => {
                // The unique index refuses the row after its id was drawn.
                tx.link_id(None);
                return Err(TicketRefusal::AlreadyExists.into());
            }
            DuplicateLinks::Skipped => return Ok(()),
        }
    }
    // `LinkSelfReferenceValidator` where the line has it; `Link.create` without a bang.
    if source == target && room.links.self_links != SelfLinks::Stored {
        return Ok(());
    }
    let id = tx.link_id(None);
    added.insert((link_type, source, target));
    tx.add_link(LinkRow {
        id,
        link_type,
        source,
        target,
        created_at: now,
        updated_at: now,
    });
    Ok(())
}
