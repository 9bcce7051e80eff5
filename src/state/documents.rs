//! The state's life cycle of whole fixture documents once it runs: replace
//! (`PUT /__mock/fixtures`), reset (`POST /__mock/reset`), merge (`POST /__mock/fixtures`)
//! and export (`GET /__mock/fixtures`). A replace or a reset loads a document (or the
//! start-up file) the one way every document takes into the store (`load`); a merge is one
//! write transaction over the same entry conversion (`entries`). Each answers a [`Commit`]
//! whose flush the caller awaits (or blocks on), as every write does.
//!
//! An export never contains passwords; tokens are kept. Loading an export back gives the
//! same records, links (ids and timestamps included) and tokens.

use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;

use crate::catalog::CatalogError;
use crate::fixtures::{FixtureDocument, FixtureError};
use crate::model::{ApiToken, Millis, ModelKind};
use crate::records::Stored;
use crate::store::StoreError;

use super::entries::{fixture_row, link_ends};
use super::load::{ReplaceError, StartFixtures};
use super::{AppState, Commit};

/// Why a merge was refused; nothing of it was applied.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The document conflicts with the state.
    #[error(transparent)]
    Conflict(#[from] FixtureError),
    /// A name table is full or a name too long.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The database failed.
    #[error("the database failed")]
    Store(#[from] StoreError),
}

impl AppState {
    /// Replaces the whole state with `doc` (`PUT /__mock/fixtures`); durable once the
    /// commit's flush is awaited.
    ///
    /// # Errors
    /// When the database fails.
    pub fn replace(&self, doc: &FixtureDocument) -> Result<Commit<'_, ()>, ReplaceError> {
        self.replace_now(doc)?;
        Ok(Commit::written(self, ()))
    }

    /// Goes back to the start-up fixtures, link ids included (`POST /__mock/reset`).
    ///
    /// # Errors
    /// When the database fails, or the start-up fixture file changed or vanished.
    pub fn reset(&self) -> Result<Commit<'_, ()>, ReplaceError> {
        match &self.start {
            StartFixtures::Document(doc) => self.replace_now(doc)?,
            StartFixtures::File { path, fingerprint } => {
                self.reset_from_file(path, *fingerprint)?;
            }
        }
        Ok(Commit::written(self, ()))
    }

    /// Merges `doc` into the state (`POST /__mock/fixtures`): records and tokens are
    /// upserted (a user keeps its password unless the document gives one), links are added,
    /// and a link that already exists (same type, source and target) is left as it is. A
    /// link `id` used by another link refuses the whole document.
    ///
    /// # Errors
    /// [`MergeError`]; then nothing was applied.
    pub fn merge(&self, doc: &FixtureDocument) -> Result<Commit<'_, ()>, MergeError> {
        self.write(|tx| merge_into(tx, doc))
    }

    /// The whole state as one fixture document: records by kind and id (their stored JSON,
    /// never a password), every link row with its names, ids and timestamps, and the tokens.
    ///
    /// # Errors
    /// When the database fails.
    pub fn export_json(&self) -> Result<String, StoreError> {
        // Under the writer lock: a write changes rows and records key by key, and an export
        // must not see half of one.
        let (rows, records) = {
            let _writer = self.writer.lock();
            let records: Vec<(ModelKind, Vec<Arc<Stored>>)> = ModelKind::ALL
                .into_iter()
                .map(|kind| (kind, self.records.all_of(kind)))
                .filter(|(_, records)| !records.is_empty())
                .collect();
            (self.store.links()?, records)
        };
        let names = self.catalog.snapshot();
        let mut tokens: Vec<ApiToken> = self.tokens.iter().map(|t| t.value().clone()).collect();
        tokens.sort_by(|a, b| a.token.cmp(&b.token));
        let links = rows
            .iter()
            .map(|row| ExportedLink {
                id: row.id,
                link_type: names.type_name(row.link_type),
                link_object_source: names.object_name(row.source.object),
                link_object_source_value: row.source.value,
                link_object_target: names.object_name(row.target.object),
                link_object_target_value: row.target.value,
                created_at: row.created_at.to_string(),
                updated_at: row.updated_at.to_string(),
            })
            .collect();
        let document = ExportedDocument {
            records,
            links,
            tokens,
        };
        Ok(serde_json::to_string(&document).expect("an export always serialises"))
    }
}

/// A whole export: one section per model that has records, then `Link` and `Token`.
struct ExportedDocument<'a> {
    records: Vec<(ModelKind, Vec<Arc<Stored>>)>,
    links: Vec<ExportedLink<'a>>,
    tokens: Vec<ApiToken>,
}

impl Serialize for ExportedDocument<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.records.len() + 2))?;
        for (kind, records) in &self.records {
            map.serialize_entry(kind.class_name(), &RecordSection(records))?;
        }
        map.serialize_entry("Link", &self.links)?;
        map.serialize_entry("Token", &self.tokens)?;
        map.end()
    }
}

/// A model's records by id, each as its stored JSON text.
struct RecordSection<'a>(&'a [Arc<Stored>]);

impl Serialize for RecordSection<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|record| {
            let raw = RawValue::from_string(record.json().to_string())
                .expect("stored record JSON is valid JSON");
            (record.id.to_string(), raw)
        }))
    }
}

/// One `Link` row of an export.
#[derive(serde::Serialize)]
struct ExportedLink<'a> {
    id: u64,
    link_type: Option<&'a str>,
    link_object_source: Option<&'a str>,
    link_object_source_value: i64,
    link_object_target: Option<&'a str>,
    link_object_target_value: i64,
    created_at: String,
    updated_at: String,
}

/// The merge's changes, gathered in `tx`.
fn merge_into(tx: &mut super::WriteTx<'_>, doc: &FixtureDocument) -> Result<(), MergeError> {
    // Check every link id against the state before anything is written.
    let names = tx.names();
    for (index, link) in doc.links.iter().enumerate() {
        let Some(id) = link.id else { continue };
        let Some(existing) = tx.stored_link(id)? else {
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
    let now = Millis::now();
    let mut rows = Vec::new();
    for link in &doc.links {
        let Some(ends @ (link_type, source, target)) = link_ends(link, tx)? else {
            continue;
        };
        if !tx.graph().find(link_type, source, target).is_empty() {
            continue;
        }
        let id = tx.link_id(link.id);
        rows.push(fixture_row(link, ends, id, now));
    }
    for row in rows {
        tx.add_link(row);
    }
    for entry in &doc.records {
        tx.put_record(entry.record.clone(), entry.password.as_deref());
    }
    for token in &doc.tokens {
        tx.put_token(token.clone());
    }
    Ok(())
}
