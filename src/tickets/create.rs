//! `POST /api/v1/tickets` (`TicketsController#create`, spec §2): the caller's permission,
//! the attributes by id or by name, the customer (`guess:`, a `customer` object, a
//! customer caller's own), `create?`, the defaults and computed fields, the ticket number,
//! then the article and the links, in Zammad's order of checks. Where the release has a
//! transaction around it every refusal leaves nothing behind; where it has none (5.0) what
//! was written before the refusal stays, and is durable like any write.

use serde_json::{Map, Value};

use super::articles::{self, ForTicket};
use super::attributes::{
    cast, check_references, gather, inspect, is_present, is_truthy, names_to_ids, seeded, Data,
    UNUSED,
};
use super::{create_links, customer, numbers, policy, shape, Asked};
use crate::auth::{AuthMethod, Caller};
use crate::expand::Association;
use crate::model::{Millis, ModelKind};
use crate::params::Params;
use crate::records::{Fields, Record};
use crate::refusal::{DomainError, Refusal, TicketRefusal};
use crate::release::ZammadVersion;
use crate::seeds::Lookup;
use crate::state::{AppState, Sequence, WriteTx};

/// `POST /api/v1/tickets`.
#[derive(Debug, Clone, Copy)]
pub struct CreateTicket<'a> {
    /// The merged parameters: the ticket's attributes, `article`, `links`, `customer`.
    pub params: &'a Params<'a>,
    /// The shapes asked for.
    pub asked: Asked,
}

/// The most numbers tried before giving up (`Ticket::Number.generate`: 49,999).
const NUMBER_TRIES: usize = 49_999;

/// `TicketsController#create`: the new ticket in the shape asked for (201), durable.
///
/// # Errors
/// The refusals of spec §2.9 in Zammad's order, or a database failure.
pub async fn create(
    state: &AppState,
    request: &CreateTicket<'_>,
    caller: &Caller,
) -> Result<String, DomainError> {
    let release = state.release();
    // `Controllers::TicketsControllerPolicy#create?`: `ticket.agent` or `ticket.customer`.
    if !(caller.is_ticket_agent() || caller.is_ticket_customer()) {
        return Err(TicketRefusal::PermissionMissing {
            by_token: caller.method == AuthMethod::Token,
        }
        .into());
    }
    let atomic = release.room().ticket_calls.create_is_atomic;
    let now = Millis::now();
    let outcome = state.write(
        |tx| match create_in(tx, release, request.params, caller, now) {
            Ok(id) => Ok(Ok(id)),
            // Without a transaction, what was written before the refusal stays (spec §2.2).
            Err(DomainError::Refused(refusal)) if !atomic => Ok(Err(refusal)),
            Err(error) => Err(error),
        },
    )?;
    let id = outcome.durable().await?.map_err(DomainError::Refused)?;
    super::answer(state, id, request.asked, caller).await
}

/// The associations that can be named (`belongs_to`), their names as parameters.
fn association_names(associations: &[Association]) -> impl Iterator<Item = &'static str> + '_ {
    associations.iter().filter_map(|a| match *a {
        Association::BelongsTo { key, .. } => Some(key),
        _ => None,
    })
}

/// The create's work in `tx`, in Zammad's order (spec §2.2); the new ticket's id.
fn create_in(
    tx: &mut WriteTx<'_>,
    release: ZammadVersion,
    params: &Params<'_>,
    caller: &Caller,
    now: Millis,
) -> Result<i64, DomainError> {
    let room = release.room();
    let rules = &room.ticket_calls;
    let seeds = room.seeds;
    let associations: Vec<Association> = room.expand.ticket.concat();
    let associations = associations.as_slice();
    let shape = shape::ticket(tx, release);
    let columns: Vec<&str> = shape.columns().collect();
    let mut keys = columns.clone();
    for key in association_names(associations) {
        keys.push(key);
    }
    let mut data = gather(params, keys);
    // 1. A `customer` object is set aside for later.
    let customer_object = match data.get("customer") {
        Some(Value::Object(_)) => data.shift_remove("customer"),
        _ => None,
    };
    for key in rules.ignored {
        data.shift_remove(*key);
    }
    // 2. Names to ids.
    names_to_ids(&mut data, associations, tx.records(), seeds)?;
    // The customer a step below chose exists (it may be new in this transaction, which
    // the reference check's look-up does not see).
    let mut chosen_customer = None;
    // 3. A caller without `ticket.agent` is the customer, whatever it sent.
    if !caller.is_ticket_agent() {
        for key in rules.customer_dropped_on_create {
            data.shift_remove(*key);
        }
        chosen_customer = Some(caller.user_id());
    }
    // 4. `guess:EMAIL`, then a `customer` object.
    if let Some(address) = data
        .get("customer_id")
        .and_then(customer::guessed)
        .map(str::to_owned)
    {
        chosen_customer = Some(customer::guess(tx, release, caller, &address, now)?);
        data.shift_remove("customer_id");
    }
    if let Some(Value::Object(object)) = &customer_object {
        if chosen_customer.is_none()
            && !data.get("customer_id").is_some_and(is_present)
            && !object.is_empty()
        {
            chosen_customer = Some(customer::from_object(tx, release, caller, object, now)?);
        }
    }
    // 5. The referenced records, then the columns only.
    let records = tx.records();
    check_references(&data, columns.iter().copied(), associations, records, seeds)?;
    if let Some(id) = chosen_customer {
        data.insert("customer_id".into(), id.into());
    }
    let mut attrs = shape.attributes();
    for column in &columns {
        if UNUSED.contains(column) {
            continue;
        }
        if let Some(value) = data.get(*column) {
            attrs.insert((*column).to_owned(), cast(column, value.clone()));
        }
    }
    defaults(&mut attrs, tx, release, caller, now);
    authorize(tx, release, caller, &attrs, &data)?;
    // 6. The article, where the release requires one.
    let article = params.value("article");
    if rules.article_required && !article.as_deref().is_some_and(is_truthy) {
        return Err(TicketRefusal::ArticleMissing.into());
    }
    // 7. The save. The ticket is written once, when the article and the links are done
    // (or one of them refused: without a transaction, the ticket stays as it was then).
    let id = save(tx, release, caller, &mut attrs)?;
    let rest = article_and_links(
        tx,
        release,
        params,
        caller,
        &mut attrs,
        article.as_deref(),
        now,
    );
    tx.put_created(record_of(ModelKind::Ticket, id, attrs)?);
    rest.map(|()| id)
}

/// 8. The article, then 9. the links, for the new ticket `attrs` (not written yet).
fn article_and_links(
    tx: &mut WriteTx<'_>,
    release: ZammadVersion,
    params: &Params<'_>,
    caller: &Caller,
    attrs: &mut Map<String, Value>,
    article: Option<&Value>,
    now: Millis,
) -> Result<(), DomainError> {
    let id = attrs.get("id").and_then(Value::as_i64).unwrap_or(0);
    if let Some(article) = article.filter(|a| is_truthy(a)) {
        let grants = tx.grants();
        articles::create(
            tx,
            grants,
            release,
            caller,
            ForTicket { attrs, id },
            article,
            now,
        )?;
    }
    let ticket = probe(attrs);
    create_links::add(
        tx,
        release,
        caller,
        &ticket,
        params.value("links").as_deref(),
        now,
    )
}

/// The values Zammad fills in before the save: the default state and priority, the owner
/// nobody (1), the customer's organization, the creator, the timestamps (spec §2.7).
fn defaults(
    attrs: &mut Map<String, Value>,
    tx: &WriteTx<'_>,
    release: ZammadVersion,
    caller: &Caller,
    now: Millis,
) {
    let records = tx.records();
    let seeds = release.room().seeds;
    let rules = &release.room().ticket_calls;
    let mut default = |key: &str, value: Value| {
        if attrs.get(key).is_none_or(Value::is_null) {
            attrs.insert(key.into(), value);
        }
    };
    default(
        "state_id",
        seeded(records, seeds, Lookup::State, "new").into(),
    );
    default(
        "priority_id",
        seeded(records, seeds, Lookup::Priority, "2 normal").into(),
    );
    default("owner_id", 1.into());
    // `Ticket#check_defaults`: the customer's organization, or (6.5+) a given one the
    // customer belongs to.
    let customer = attrs
        .get("customer_id")
        .and_then(Value::as_i64)
        .and_then(|id| tx.record(ModelKind::User, id));
    let given = attrs.get("organization_id").and_then(Value::as_i64);
    let organization = match (&customer, given) {
        (Some(c), Some(org))
            if rules.keeps_given_organization
                && (c.fields.organization_id == Some(org)
                    || c.fields.organization_ids.contains(&org)) =>
        {
            Some(org)
        }
        (Some(c), _) => c.fields.organization_id,
        (None, _) => None,
    };
    attrs.insert("organization_id".into(), organization.into());
    let stamp = Value::String(now.to_string());
    for (key, value) in [
        ("created_by_id", Value::from(caller.user_id())),
        ("updated_by_id", Value::from(caller.user_id())),
        ("created_at", stamp.clone()),
        ("updated_at", stamp),
    ] {
        attrs.insert(key.into(), value);
    }
}

/// `TicketPolicy#create?`: a group (that exists), then agent `create` access to it or
/// customer access to the ticket.
fn authorize(
    tx: &WriteTx<'_>,
    release: ZammadVersion,
    caller: &Caller,
    attrs: &Map<String, Value>,
    data: &Data,
) -> Result<(), DomainError> {
    let records = tx.records();
    let Some(group) = attrs.get("group_id").and_then(Value::as_i64) else {
        return Err(TicketRefusal::GroupMissing.into());
    };
    if records.get(ModelKind::Group, group).is_none() {
        // `record.group.id` on a missing group raises in Zammad (spec §11.4).
        return Err(TicketRefusal::InvalidParamValue {
            attribute: "group_id".into(),
            value: data
                .get("group_id")
                .map_or_else(|| group.to_string(), inspect),
        }
        .into());
    }
    if policy::access(caller, records, release, &probe(attrs), "create") {
        Ok(())
    } else {
        Err(Refusal::NotAuthorized.into())
    }
}

/// The ticket about to be saved, as a record the policies read (its ids only).
pub(super) fn probe(attrs: &Map<String, Value>) -> Record {
    let id = |key: &str| attrs.get(key).and_then(Value::as_i64);
    Record::probe(
        ModelKind::Ticket,
        id("id").unwrap_or(0),
        Fields {
            group_id: id("group_id"),
            organization_id: id("organization_id"),
            owner_id: id("owner_id"),
            customer_id: id("customer_id"),
            created_by_id: id("created_by_id"),
            updated_by_id: id("updated_by_id"),
            ..Fields::default()
        },
    )
}

/// `ticket.save!`: the core workflow's checks for the create screen, the NOT NULL columns,
/// the number (given, else generated), then the record with its new id.
fn save(
    tx: &mut WriteTx<'_>,
    release: ZammadVersion,
    caller: &Caller,
    attrs: &mut Map<String, Value>,
) -> Result<i64, DomainError> {
    let allowed: &[&str] = if caller.is_ticket_agent() {
        &["new", "open", "pending reminder", "pending close", "closed"]
    } else {
        &["new", "closed"]
    };
    super::core_workflow(tx, release, caller, attrs, allowed, None)?;
    for column in ["title", "customer_id"] {
        if attrs.get(column).is_none_or(Value::is_null) {
            return Err(TicketRefusal::ColumnRequired(column).into());
        }
    }
    let number = match attrs.get("number").and_then(Value::as_str) {
        Some(given) => {
            if tx.records().ticket_by_number(given).is_some() {
                return Err(TicketRefusal::AlreadyExists.into());
            }
            given.to_owned()
        }
        None => generate_number(tx)?,
    };
    attrs.insert("number".into(), Value::String(number));
    let id = tx.next_id(Sequence::Ticket);
    attrs.insert("id".into(), id.into());
    Ok(id)
}

/// `Ticket::Number.generate`: the next counter's number that no ticket has.
fn generate_number(tx: &mut WriteTx<'_>) -> Result<String, DomainError> {
    for _ in 0..NUMBER_TRIES {
        let number = numbers::format(tx.next_ticket_counter());
        if tx.records().ticket_by_number(&number).is_none() {
            return Ok(number);
        }
    }
    Err(TicketRefusal::AlreadyExists.into())
}

/// `attrs` as record `kind`/`id`; a value the kind's typed fields cannot hold is refused as
/// that parameter's invalid value.
fn record_of(kind: ModelKind, id: i64, attrs: Map<String, Value>) -> Result<Record, DomainError> {
    let (record, _) =
        Record::from_attributes(kind, id, attrs).map_err(|e| TicketRefusal::InvalidParamValue {
            attribute: e.field,
            value: e.reason,
        })?;
    Ok(record)
}

/// Writes record `kind`/`id` with `attrs` in `tx`.
pub(super) fn put_attributes(
    tx: &mut WriteTx<'_>,
    kind: ModelKind,
    id: i64,
    attrs: Map<String, Value>,
) -> Result<(), DomainError> {
    tx.put_record(record_of(kind, id, attrs)?, None);
    Ok(())
}

/// Writes ticket `id` with `attrs` in `tx`.
pub(super) fn put_ticket(
    tx: &mut WriteTx<'_>,
    id: i64,
    attrs: Map<String, Value>,
) -> Result<(), DomainError> {
    put_attributes(tx, ModelKind::Ticket, id, attrs)
}
