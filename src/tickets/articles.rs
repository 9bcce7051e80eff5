//! Articles: the one a create or an update brings (`CreatesTicketArticles#article_create`
//! and the article model's callbacks, spec §3.1) and `GET /api/v1/ticket_articles/by_ticket/:id`
//! (`TicketArticlesController#index_by_ticket`, spec §3.2). An article is a record of its
//! own (`Ticket::Article`); its ticket lists it in `article_ids`, and the ticket's contact
//! fields follow it. Which columns an article has and how its names are shown is the
//! release's (`TicketCallRules`).

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::attributes::{
    boolean_cast, cast, check_references, integer_cast, is_present, names_to_ids, one_line, seeded,
    string_cast, Data,
};
use super::policy;
use crate::auth::{AuthMethod, Caller, GrantCache};
use crate::model::{Millis, ModelKind};
use crate::records::{listed_ids, Record, Stored};
use crate::refusal::{DomainError, Refusal, TicketRefusal};
use crate::release::ZammadVersion;
use crate::render::{self, Viewer};
use crate::seeds::Lookup;
use crate::state::{AppState, Sequence, WriteTx};

/// The article types without Zammad's general metadata (`from`, `origin_by`):
/// `AddsMetadataGeneral::TYPE_NO_METADATA`.
const TYPES_WITHOUT_METADATA: [&str; 7] = [
    "email",
    "twitter status",
    "twitter direct-message",
    "facebook feed post",
    "facebook feed comment",
    "sms",
    "whatsapp message",
];

/// The seeded sender names (`db/seeds/ticket_article_senders.rb`).
const AGENT: &str = "Agent";
const CUSTOMER: &str = "Customer";

/// What an article is written for: the ticket's attributes as they are being written (its
/// `article_ids`, `article_count` and contact fields change with the article), its id.
pub(super) struct ForTicket<'t> {
    /// The ticket's attributes.
    pub attrs: &'t mut Map<String, Value>,
    /// The ticket's id.
    pub id: i64,
}

/// Writes the article `input` for `ticket` in `tx` and updates the ticket's attributes.
///
/// # Errors
/// The refusals of spec §3.1 (no body, a missing record, an attachment, a group without an
/// e-mail address for an e-mail article).
pub(super) fn create(
    tx: &mut WriteTx<'_>,
    grants: &GrantCache,
    release: ZammadVersion,
    caller: &Caller,
    ticket: ForTicket<'_>,
    input: &Value,
    now: Millis,
) -> Result<(), DomainError> {
    let rules = &release.room().ticket_calls;
    let seeds = release.room().seeds;
    let records = tx.records();
    let empty = Map::new();
    let given = input.as_object().unwrap_or(&empty);
    // `raise … if params[:body].nil?`; a body that is a structure reads as none.
    let body = given.get("body").and_then(string_cast);
    let Some(body) = body.filter(|b| !(rules.blank_body_refused && b.trim().is_empty())) else {
        return Err(TicketRefusal::ArticleBodyMissing.into());
    };
    let is_agent = caller.is_ticket_agent();
    let mut data: Data = given.clone();
    let blank = |data: &Data, key: &str| !data.get(key).is_some_and(is_present);
    if blank(&data, "type_id") && blank(&data, "type") {
        data.insert(
            "type_id".into(),
            seeded(records, seeds, Lookup::ArticleType, "note").into(),
        );
    }
    if blank(&data, "sender_id") && blank(&data, "sender") {
        let sender = if is_agent { AGENT } else { CUSTOMER };
        data.insert(
            "sender_id".into(),
            seeded(records, seeds, Lookup::ArticleSender, sender).into(),
        );
    }
    names_to_ids(&mut data, rules.article_associations, records, seeds)?;
    check_references(
        &data,
        rules.article_columns.iter().copied(),
        rules.article_associations,
        records,
        seeds,
    )?;
    let name_of = |lookup: Lookup, id: Option<i64>| {
        id.and_then(|id| lookup.name(records, seeds, id))
            .unwrap_or_default()
    };
    let mut type_id = data.get("type_id").and_then(integer_cast);
    let mut sender_id = data.get("sender_id").and_then(integer_cast);
    let mut origin_by = data.get("origin_by_id").and_then(integer_cast);
    let mut internal = data.get("internal").is_some_and(boolean_cast);
    if !is_agent {
        // `article_create`'s "overwrite params" for callers without `ticket.agent`.
        sender_id = Some(seeded(records, seeds, Lookup::ArticleSender, CUSTOMER));
        origin_by = None;
        if !matches!(
            name_of(Lookup::ArticleType, type_id).as_str(),
            "note" | "web"
        ) {
            type_id = Some(seeded(records, seeds, Lookup::ArticleType, "note"));
        }
        internal = false;
    }
    let type_name = name_of(Lookup::ArticleType, type_id);
    // `AddsMetadataOriginById`: a customer's note, phone or web article is by the customer.
    // (Spec §3.1: a caller without `ticket.agent` is the author of their own article.)
    if origin_by.is_none()
        && name_of(Lookup::ArticleSender, sender_id) == CUSTOMER
        && matches!(type_name.as_str(), "note" | "phone" | "web")
    {
        origin_by = if is_agent {
            ticket.attrs.get("customer_id").and_then(Value::as_i64)
        } else {
            Some(caller.user_id())
        };
    }
    let mut from = data.get("from").and_then(string_cast);
    let mut subject = data
        .get("subject")
        .and_then(string_cast)
        .map(|s| one_line(&s));
    let ticket_group = ticket.attrs.get("group_id").and_then(Value::as_i64);
    if !TYPES_WITHOUT_METADATA.contains(&type_name.as_str()) {
        // `AddsMetadataGeneral`: an article on behalf of someone is the customer's (the
        // comparison of a user with an id never holds), and `from` names its author.
        if origin_by.is_some() {
            sender_id = Some(seeded(records, seeds, Lookup::ArticleSender, CUSTOMER));
        }
        let author = origin_by.unwrap_or(caller.user_id());
        if let Some(user) = tx.record(ModelKind::User, author) {
            let is_agent = if author == caller.user_id() {
                is_agent
            } else {
                Caller::for_user(records, grants, Arc::clone(&user), AuthMethod::Basic, None)
                    .is_ticket_agent()
            };
            from = Some(from_line(&user, &type_name, is_agent));
        }
    } else if type_name == "email" && is_agent {
        // `AddsMetadataEmail`: an agent's e-mail goes out from the group's address.
        let group = ticket_group.and_then(|id| records.get(ModelKind::Group, id));
        let address = group.as_ref().and_then(|g| email_address_id(g));
        if address.is_none() {
            return Err(TicketRefusal::NoGroupEmailAddress {
                group: group
                    .and_then(|g| g.fields.name.clone())
                    .unwrap_or_default(),
                group_id: ticket_group.unwrap_or_default(),
                detailed: caller.is_admin(),
            }
            .into());
        }
        if subject.as_deref().is_none_or(|s| s.trim().is_empty()) {
            subject = ticket.attrs.get("title").and_then(string_cast);
        }
    }
    let attachments = attachments(tx, given.get("attachments"))?;
    let id = tx.next_id(Sequence::Article);
    let mut attrs = Map::new();
    let stamp = Value::String(now.to_string());
    for column in rules.article_columns {
        let value = match *column {
            "id" => id.into(),
            "ticket_id" => ticket.id.into(),
            "type_id" => type_id.into(),
            "sender_id" => sender_id.into(),
            "origin_by_id" => origin_by.into(),
            "from" => from.clone().into(),
            "subject" => subject.clone().into(),
            "body" => body.clone().into(),
            "content_type" => data
                .get("content_type")
                .and_then(string_cast)
                .unwrap_or_else(|| "text/plain".into())
                .into(),
            "internal" => internal.into(),
            "preferences" => match data.get("preferences") {
                Some(Value::Object(p)) if is_agent => Value::Object(p.clone()),
                _ => Value::Object(Map::new()),
            },
            "created_by_id" | "updated_by_id" => caller.user_id().into(),
            "created_at" | "updated_at" => stamp.clone(),
            // Not reproduced: Zammad's language detection and the MD5 of `message_id`.
            "detected_language" | "message_id_md5" => Value::Null,
            other => data
                .get(other)
                .cloned()
                .map_or(Value::Null, |v| cast(other, v)),
        };
        attrs.insert((*column).to_owned(), value);
    }
    attrs.insert("attachments".into(), Value::Array(attachments));
    let sender_name = name_of(Lookup::ArticleSender, sender_id);
    let (record, _) =
        Record::from_attributes(ModelKind::TicketArticle, id, attrs).map_err(|e| {
            TicketRefusal::InvalidParamValue {
                attribute: e.field,
                value: e.reason,
            }
        })?;
    tx.put_created(record);
    ticket_follows(
        tx,
        ticket,
        id,
        &type_name,
        &sender_name,
        internal,
        type_id,
        sender_id,
        now,
    );
    Ok(())
}

/// An article's `from` (`AddsMetadataGeneral#metadata_general_process_from`): the author's
/// full name, with the address for a web or phone article of an author without
/// `ticket.agent`.
fn from_line(author: &Stored, type_name: &str, is_agent: bool) -> String {
    #[derive(serde::Deserialize)]
    struct Names {
        firstname: Option<String>,
        lastname: Option<String>,
    }
    let names: Option<Names> = serde_json::from_str(author.json()).ok();
    let (first, last) = names.map_or((None, None), |n| (n.firstname, n.lastname));
    let full = format!(
        "{} {}",
        first.unwrap_or_default().trim(),
        last.unwrap_or_default().trim()
    )
    .trim()
    .to_owned();
    let email = author.fields.email.clone().filter(|e| !e.is_empty());
    match email {
        Some(email) if matches!(type_name, "web" | "phone") && !is_agent => {
            if full.is_empty() {
                email
            } else {
                format!("{full} <{email}>")
            }
        }
        _ => full,
    }
}

/// A group's `email_address_id`, when it has one.
fn email_address_id(group: &Stored) -> Option<i64> {
    #[derive(serde::Deserialize)]
    struct Address {
        email_address_id: Option<i64>,
    }
    serde_json::from_str::<Address>(group.json())
        .ok()
        .and_then(|a| a.email_address_id)
}

/// The ticket's side of a new article (`Ticket::Article::HasTicketContactAttributesImpact`
/// and the ticket's counters): its id listed, the count of articles not by `System`, the
/// first article's type and sender, and the contact times of a communication.
#[allow(clippy::too_many_arguments)]
fn ticket_follows(
    tx: &WriteTx<'_>,
    ticket: ForTicket<'_>,
    article: i64,
    type_name: &str,
    sender_name: &str,
    internal: bool,
    type_id: Option<i64>,
    sender_id: Option<i64>,
    now: Millis,
) {
    let attrs = ticket.attrs;
    let mut ids = match attrs.get("article_ids") {
        Some(Value::Array(ids)) => ids.clone(),
        _ => Vec::new(),
    };
    ids.push(article.into());
    // `articles.where.not(sender: System).count`; an id without a record (the data set's)
    // counts, its sender not being known to be `System`.
    let counted = ids
        .iter()
        .filter_map(Value::as_i64)
        .filter(|id| {
            if *id == article {
                return sender_name != "System";
            }
            tx.record(ModelKind::TicketArticle, *id)
                .is_none_or(|a| !is_by_system(&a))
        })
        .count();
    attrs.insert("article_ids".into(), Value::Array(ids));
    attrs.insert("article_count".into(), counted.into());
    for (key, id) in [
        ("create_article_type_id", type_id),
        ("create_article_sender_id", sender_id),
    ] {
        if attrs.get(key).is_none_or(Value::is_null) {
            attrs.insert(key.into(), id.into());
        }
    }
    if internal || type_name == "note" {
        return;
    }
    let at = Value::String(now.to_string());
    let mut set = |key: &str| {
        attrs.insert(key.into(), at.clone());
    };
    match sender_name {
        CUSTOMER => {
            set("last_contact_customer_at");
            set("last_contact_at");
        }
        AGENT => {
            set("last_contact_agent_at");
            set("last_contact_at");
            if attrs.get("first_response_at").is_none_or(Value::is_null) {
                attrs.insert("first_response_at".into(), at.clone());
            }
        }
        _ => {}
    }
}

/// Whether an article's sender is `System` (id 3).
pub(super) fn is_by_system(article: &Record) -> bool {
    #[derive(serde::Deserialize)]
    struct Sender {
        sender_id: Option<i64>,
    }
    serde_json::from_str::<Sender>(article.json())
        .ok()
        .and_then(|s| s.sender_id)
        == Some(3)
}

/// The attachments of an article as Zammad keeps them (`Store#attributes_for_display`):
/// each needs `mime-type`, `filename` and base64 `data`.
fn attachments(tx: &mut WriteTx<'_>, given: Option<&Value>) -> Result<Vec<Value>, DomainError> {
    let Some(given) = given.filter(|g| is_present(g)) else {
        return Ok(Vec::new());
    };
    let list = match given {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let mut out = Vec::with_capacity(list.len());
    for (index, attachment) in list.iter().enumerate() {
        for key in ["mime-type", "filename", "data"] {
            if !attachment
                .get(key)
                .is_some_and(super::attributes::is_truthy)
            {
                return Err(TicketRefusal::AttachmentKeyMissing { key, index }.into());
            }
        }
        let data = attachment["data"]
            .as_str()
            .map(|d| d.replace(['\r', '\n'], ""));
        let decoded = data.and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok());
        let Some(decoded) = decoded else {
            return Err(TicketRefusal::AttachmentBase64 { index }.into());
        };
        let mut preferences = Map::new();
        for (key, stored) in [("charset", "Charset"), ("mime-type", "Mime-Type")] {
            if let Some(value) = attachment
                .get(key)
                .filter(|v| super::attributes::is_truthy(v))
            {
                preferences.insert(stored.into(), value.clone());
            }
        }
        let id = tx.next_id(Sequence::Attachment);
        let mut entry = Map::new();
        entry.insert("id".into(), id.into());
        entry.insert("store_file_id".into(), id.into());
        entry.insert("filename".into(), attachment["filename"].clone());
        entry.insert("size".into(), decoded.len().to_string().into());
        entry.insert("preferences".into(), Value::Object(preferences));
        out.push(Value::Object(entry));
    }
    Ok(out)
}

/// `GET /api/v1/ticket_articles/by_ticket/:id`.
#[derive(Debug, Clone, Copy)]
pub struct ListArticles<'a> {
    /// The ticket id as the path gave it.
    pub id: &'a str,
    /// The shapes asked for.
    pub asked: super::Asked,
}

/// `TicketArticlesController#index_by_ticket`: the ticket's articles the caller may see, in
/// creation order, with their names (`expand=true` answers the same), or with `full=true`
/// `{"record_ids": […], "assets": …}`.
///
/// # Errors
/// [`Refusal::TicketNotFound`], [`Refusal::NotAuthorized`].
pub fn list(
    state: &AppState,
    request: &ListArticles<'_>,
    caller: &Caller,
) -> Result<String, DomainError> {
    let release = state.release();
    let view = state.view();
    let records = view.records();
    let ticket = request
        .id
        .parse::<i64>()
        .ok()
        .and_then(|id| records.get(ModelKind::Ticket, id))
        .ok_or_else(|| Refusal::TicketNotFound {
            id: request.id.to_owned(),
        })?;
    if !release.may_show_ticket(caller, records, &ticket) {
        return Err(Refusal::NotAuthorized.into());
    }
    // `Ticket::ArticlePolicy#show?`: agents with read access see every article, customers
    // none that is internal.
    let sees_internal = policy::agent_access(caller, records, release, &ticket, "read");
    let mut ids = listed_ids(ticket.json(), "article_ids");
    ids.sort_unstable();
    let articles: Vec<Arc<Stored>> = ids
        .into_iter()
        .filter_map(|id| records.get(ModelKind::TicketArticle, id))
        .filter(|article| sees_internal || !is_internal(article))
        .collect();
    if request.asked.full {
        let record_ids: Vec<String> = articles.iter().map(|a| a.id.to_string()).collect();
        // `assets = article.assets({})` starts afresh for every article: only the last
        // article's assets are answered.
        let assets = articles.last().map_or_else(
            || "{}".to_owned(),
            |last| {
                render::assets_of(
                    std::slice::from_ref(last),
                    records,
                    release,
                    Viewer::of(caller),
                )
            },
        );
        return Ok(format!(
            "{{\"record_ids\":[{}],\"assets\":{assets}}}",
            record_ids.join(",")
        ));
    }
    let bodies: Vec<String> = articles
        .iter()
        .map(|article| crate::expand::article(article, records, release))
        .collect();
    Ok(format!("[{}]", bodies.join(",")))
}

/// Whether an article is internal.
fn is_internal(article: &Record) -> bool {
    #[derive(serde::Deserialize)]
    struct Internal {
        internal: Option<bool>,
    }
    serde_json::from_str::<Internal>(article.json())
        .ok()
        .and_then(|i| i.internal)
        .unwrap_or(false)
}
