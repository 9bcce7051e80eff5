//! The response bodies of the Zammad calls, in one place: the links list with its assets
//! (the hot path, written by hand into one buffer sized up front), a link row, the remove
//! answer, the ticket shapes and `full=true` (`expand=true` is left to `expand`). The
//! handlers in `api` and `benches/sideload.rs` both call these, so the bench times what a
//! request pays.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::assets::AssetsBuilder;
use crate::auth::{AssetLevel, Caller};
use crate::links::LinkList;
use crate::model::{LinkRow, ModelKind};
use crate::records::{Record, RecordStore, Stored};
use crate::release::{AllPart, ZammadVersion};

/// Who the assets are rendered for: their level and their user id.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    /// How much of the assets they see.
    pub level: AssetLevel,
    /// Their user id (a customer sees their own record less reduced).
    pub user_id: i64,
}

impl Viewer {
    /// The viewer `caller` is.
    #[inline]
    pub fn of(caller: &Caller) -> Self {
        Self {
            level: caller.asset_level(),
            user_id: caller.user_id(),
        }
    }
}

/// The body of `GET /api/v1/links`: `{"links": […], "assets": {…}}`, the assets of every
/// linked record that exists (the queried object itself is never added, as in
/// `LinksController#index`).
pub fn links_response(
    list: &LinkList,
    records: &RecordStore,
    release: ZammadVersion,
    viewer: Viewer,
) -> String {
    let mut assets = AssetsBuilder::new(records, release);
    for (_, record) in &list.entries {
        if let Some(record) = record {
            assets.add(Arc::clone(record));
        }
    }
    // A `links` entry is about 80 bytes; 160 leaves room for long type and object names.
    let mut out = String::with_capacity(32 + 160 * list.entries.len() + assets.json_len_bound());
    out.push_str("{\"links\":");
    write_links(list, &mut out);
    out.push_str(",\"assets\":");
    assets.write_json(&mut out, viewer.level, viewer.user_id);
    out.push('}');
    out
}

/// Writes the `links` array as `Link.list` renders it: the type as the queried object sees
/// it (the inverse for rows where it is the source), the other end's object and id.
pub fn write_links(list: &LinkList, out: &mut String) {
    out.push('[');
    for (i, (edge, _)) in list.entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(list.names.entry_type(edge.link_type, edge.side));
        out.push_str(list.names.entry_object(edge.other_object));
        out.push_str(itoa::Buffer::new().format(edge.other_value));
        out.push('}');
    }
    out.push(']');
}

/// A `Link` record as Zammad renders it (`render json: link`): every column, in table order,
/// ids as integers and timestamps with milliseconds.
#[derive(Serialize)]
struct LinkRowJson {
    id: u64,
    link_type_id: u16,
    link_object_source_id: u16,
    link_object_source_value: i64,
    link_object_target_id: u16,
    link_object_target_value: i64,
    created_at: String,
    updated_at: String,
}

impl From<&LinkRow> for LinkRowJson {
    fn from(row: &LinkRow) -> Self {
        Self {
            id: row.id,
            link_type_id: row.link_type.0,
            link_object_source_id: row.source.object.0,
            link_object_source_value: row.source.value,
            link_object_target_id: row.target.object.0,
            link_object_target_value: row.target.value,
            created_at: row.created_at.to_string(),
            updated_at: row.updated_at.to_string(),
        }
    }
}

/// The body of `POST /api/v1/links/add`: the new row.
pub fn link_row(row: &LinkRow) -> String {
    serde_json::to_string(&LinkRowJson::from(row)).expect("a link row always serialises")
}

/// The body of `DELETE /api/v1/links/remove`: the rows `destroy_all` returned, usually `[]`.
pub fn removed_rows(rows: &[LinkRow]) -> String {
    let rows: Vec<LinkRowJson> = rows.iter().map(LinkRowJson::from).collect();
    serde_json::to_string(&rows).expect("link rows always serialise")
}

/// The body of `GET /api/v1/tickets/:id`: `render json: ticket` renders the table columns
/// only; fixtures captured from assets also carry association ids (`article_ids`, …), which
/// are left out here.
pub fn ticket(record: &Record) -> String {
    let columns: Map<String, Value> = attributes(record)
        .into_iter()
        .filter(|(key, value)| !(key.ends_with("_ids") && value.is_array()))
        .collect();
    Value::Object(columns).to_string()
}

/// The body of `GET /api/v1/tickets/:id?all=true` (`TicketsController#ticket_all`): the
/// release's keys in its order — the ticket's assets, then each linked ticket's, its article
/// ids and its links; screen options, tags and mentions are not modelled.
pub fn ticket_all(
    record: &Arc<Stored>,
    list: &LinkList,
    records: &RecordStore,
    release: ZammadVersion,
    viewer: Viewer,
) -> String {
    let mut out = String::from("{");
    for (i, part) in release.room().tickets.all_parts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match part {
            AllPart::TicketId => {
                out.push_str("\"ticket_id\":");
                out.push_str(itoa::Buffer::new().format(record.id));
            }
            AllPart::ArticleIds => {
                let article_ids = attributes(record)
                    .get("article_ids")
                    .cloned()
                    .unwrap_or(Value::Array(Vec::new()));
                out.push_str("\"ticket_article_ids\":");
                out.push_str(&article_ids.to_string());
            }
            AllPart::Assets => {
                let mut assets = AssetsBuilder::new(records, release);
                assets.add(Arc::clone(record));
                for (_, linked) in &list.entries {
                    if let Some(linked) = linked.as_ref().filter(|r| r.kind == ModelKind::Ticket) {
                        assets.add(Arc::clone(linked));
                    }
                }
                out.push_str("\"assets\":");
                assets.write_json(&mut out, viewer.level, viewer.user_id);
            }
            AllPart::Links => {
                out.push_str("\"links\":");
                write_links(list, &mut out);
            }
            AllPart::Tags => out.push_str("\"tags\":[]"),
            AllPart::Mentions => out.push_str("\"mentions\":[]"),
            AllPart::FormMeta => {
                out.push_str("\"form_meta\":{\"filter\":{},\"dependencies\":{}}");
            }
        }
    }
    out.push('}');
    out
}

/// The body of `full=true` (`ApplicationModel::CanAssets.full`):
/// `{"id": …, "assets": …}`, the record's own assets walk (for a ticket, its users and theirs;
/// states and priorities are not part of it).
pub fn full(
    record: &Arc<Stored>,
    records: &RecordStore,
    release: ZammadVersion,
    viewer: Viewer,
) -> String {
    let mut assets = AssetsBuilder::new(records, release);
    assets.add(Arc::clone(record));
    let mut out = String::with_capacity(32 + assets.json_len_bound());
    out.push_str("{\"id\":");
    out.push_str(itoa::Buffer::new().format(record.id));
    out.push_str(",\"assets\":");
    assets.write_json(&mut out, viewer.level, viewer.user_id);
    out.push('}');
    out
}

/// The `assets` of `record` alone (its own walk): what `record.assets({})` gives.
pub fn assets_of(
    record: &Arc<Stored>,
    records: &RecordStore,
    release: ZammadVersion,
    viewer: Viewer,
) -> String {
    let mut assets = AssetsBuilder::new(records, release);
    assets.add(Arc::clone(record));
    let mut out = String::with_capacity(assets.json_len_bound());
    assets.write_json(&mut out, viewer.level, viewer.user_id);
    out
}

fn attributes(record: &Record) -> Map<String, Value> {
    serde_json::from_str(record.json()).expect("stored record JSON is always an object")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LinkTypeId, Millis, ObjectRef};

    #[test]
    fn a_ticket_renders_without_association_id_lists() {
        let record = Record::from_json(
            ModelKind::Ticket,
            1,
            r#"{"id":1,"group_id":2,"article_ids":[5],"title":"t"}"#,
        )
        .unwrap();
        assert_eq!(ticket(&record), r#"{"id":1,"group_id":2,"title":"t"}"#);
    }

    #[test]
    fn link_row_renders_columns_in_table_order() {
        let row = LinkRow {
            id: 5,
            link_type: LinkTypeId(1),
            source: ObjectRef::ticket(147471),
            target: ObjectRef::ticket(147469),
            created_at: Millis::parse("2021-11-03T10:40:14.528Z").unwrap(),
            updated_at: Millis::parse("2021-11-03T10:40:14.528Z").unwrap(),
        };
        assert_eq!(
            link_row(&row),
            "{\"id\":5,\"link_type_id\":1,\"link_object_source_id\":1,\"link_object_source_value\":147471,\
             \"link_object_target_id\":1,\"link_object_target_value\":147469,\
             \"created_at\":\"2021-11-03T10:40:14.528Z\",\"updated_at\":\"2021-11-03T10:40:14.528Z\"}"
        );
        assert_eq!(removed_rows(&[]), "[]");
        assert_eq!(removed_rows(&[row]), format!("[{}]", link_row(&row)));
    }
}
