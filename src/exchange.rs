//! Whole fixture documents on a running state: merge one in (`POST /__mock/fixtures`) and
//! export the state as one (`GET /__mock/fixtures`). Replacing and resetting live in `state`,
//! beside start-up, because they share its loading path.
//!
//! An export never contains passwords; tokens are kept. Loading an export back gives the same
//! records, links (ids and timestamps included) and tokens.

use std::sync::atomic::Ordering;

use serde_json::Value;

use crate::fixtures::{FixtureDocument, FixtureError};
use crate::model::{LinkRow, Millis, ModelKind, ObjectRef};
use crate::state::AppState;
use crate::store::{StoreError, WriteSet};

/// Why a merge was refused; nothing of it was applied.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The document conflicts with the state.
    #[error(transparent)]
    Conflict(#[from] FixtureError),
    /// The database failed.
    #[error("the database failed")]
    Store(#[from] StoreError),
    /// A name table is full.
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
}

impl AppState {
    /// Merges `doc` into the state: records and tokens are upserted (a user keeps its
    /// password unless the document gives one), links are added, and a link that already
    /// exists (same type, source and target) is left as it is. A link `id` used by another
    /// link refuses the whole document. The flush is left to the caller.
    ///
    /// # Errors
    /// [`MergeError`]; then nothing was applied.
    pub fn merge_unflushed(&self, doc: &FixtureDocument) -> Result<(), MergeError> {
        let _writer = self.writer.lock();
        // Check every link against the state before anything is written.
        let names = self.catalog.snapshot();
        for (index, link) in doc.links.iter().enumerate() {
            let Some(id) = link.id else { continue };
            let Some(existing) = self.store.link(id)? else {
                continue;
            };
            let same = names.type_id(&link.link_type) == Some(existing.link_type)
                && names.object_id(&link.source_object) == Some(existing.source.object)
                && names.object_id(&link.target_object) == Some(existing.target.object)
                && existing.source.value == link.source_value
                && existing.target.value == link.target_value;
            if !same {
                return Err(FixtureError {
                    path: format!("Link[{index}].id"),
                    reason: format!("{id} is already the id of another link"),
                }
                .into());
            }
        }
        let mut writes = WriteSet::new();
        let mut created = Vec::new();
        let mut new_rows = Vec::new();
        let now = Millis::now();
        let mut next = self.next_link_id.load(Ordering::SeqCst);
        for link in &doc.links {
            let link_type = self.catalog.ensure_type(&link.link_type, &mut created)?;
            let source = self
                .catalog
                .ensure_object(&link.source_object, &mut created)?;
            let target = self
                .catalog
                .ensure_object(&link.target_object, &mut created)?;
            let (Some(link_type), Some(source), Some(target)) = (link_type, source, target) else {
                continue;
            };
            let source = ObjectRef::new(source, link.source_value);
            let target = ObjectRef::new(target, link.target_value);
            if !self.graph.find(link_type, source, target).is_empty() {
                continue;
            }
            let id = link.id.unwrap_or(next);
            next = next.max(id + 1);
            let created_at = link.created_at.unwrap_or(now);
            let row = LinkRow {
                id,
                link_type,
                source,
                target,
                created_at,
                updated_at: link.updated_at.unwrap_or(created_at),
            };
            writes.put_link(&row);
            new_rows.push(row);
        }
        for name in &created {
            writes.put_name(name);
        }
        writes.put_next_link_id(next);
        writes.put_link_count(self.graph.len() + new_rows.len());
        for entry in &doc.records {
            writes.put_record(&entry.record);
            if let Some(password) = &entry.password {
                writes.put_password(entry.record.id, Some(password));
            }
        }
        for token in &doc.tokens {
            writes.put_token(token);
        }
        self.store.apply(writes)?;
        for entry in &doc.records {
            self.records.upsert(entry.record.clone());
            if entry.password.is_some() {
                self.records
                    .set_password(entry.record.id, entry.password.clone());
            }
        }
        for token in &doc.tokens {
            self.tokens.insert(token.token.clone(), token.clone());
        }
        self.records.changed();
        for row in &new_rows {
            self.graph.insert(row);
        }
        self.next_link_id.store(next, Ordering::SeqCst);
        Ok(())
    }

    /// The whole state as one fixture document: records by kind and id (their stored JSON,
    /// never a password), every link row with its names, ids and timestamps, and the tokens.
    ///
    /// # Errors
    /// When the database fails.
    pub fn export_json(&self) -> Result<String, StoreError> {
        let mut out = String::from("{");
        for kind in ModelKind::ALL {
            let records = self.records.all_of(kind);
            if records.is_empty() {
                continue;
            }
            out.push_str(&Value::String(kind.class_name().into()).to_string());
            out.push_str(":{");
            for (i, record) in records.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&format!("\"{}\":{}", record.id, record.json));
            }
            out.push_str("},");
        }
        let names = self.catalog.snapshot();
        // Under the writer lock: the rows of one remove are written key by key, and an
        // export must not see half of them.
        let rows = {
            let _writer = self.writer.lock();
            self.store.links()?
        };
        let links: Vec<Value> = rows
            .iter()
            .map(|row| {
                serde_json::json!({
                    "id": row.id,
                    "link_type": names.type_name(row.link_type),
                    "link_object_source": names.object_name(row.source.object),
                    "link_object_source_value": row.source.value,
                    "link_object_target": names.object_name(row.target.object),
                    "link_object_target_value": row.target.value,
                    "created_at": row.created_at.to_string(),
                    "updated_at": row.updated_at.to_string(),
                })
            })
            .collect();
        out.push_str("\"Link\":");
        out.push_str(&Value::Array(links).to_string());
        let mut tokens: Vec<_> = self.tokens.iter().map(|t| t.value().clone()).collect();
        tokens.sort_by(|a, b| a.token.cmp(&b.token));
        out.push_str(",\"Token\":");
        out.push_str(&serde_json::to_string(&tokens).expect("tokens always serialise"));
        out.push('}');
        Ok(out)
    }
}
