//! The key layout of the database and the codecs of its values, after sled's own advice:
//! big-endian numeric keys, so that iteration follows id order.
//!
//! Everything lives in sled's default tree under a one-byte key prefix, not in one tree per
//! kind, because a single `Batch` on one tree is applied atomically (fixture loads rely on
//! that). Signed ids have their sign bit flipped so that negative ids sort first.
//!
//! Link rows are packed [`LINKS_PER_BLOCK`] ids to a key (46 bytes a row): sled spends
//! several microseconds and a few hundred bytes of disk on every key, so one key per row
//! made a 10-million-link start-up take minutes. A write reads the blocks it changes and
//! writes them back whole (see `write_set`).

use crate::model::{LinkObjectId, LinkRow, LinkTypeId, Millis, ModelKind, ObjectRef};

use super::StoreError;

/// A record's public JSON: `r`, the kind's tag, the signed id.
pub(super) const RECORD: u8 = b'r';
/// A user's password: `p`, the signed user id.
pub(super) const PASSWORD: u8 = b'p';
/// A block of link rows: `b`, the block number.
pub(super) const LINK_BLOCK: u8 = b'b';
/// A link type name: `t`, the 16-bit id.
pub(super) const LINK_TYPE: u8 = b't';
/// A link object name: `o`, the 16-bit id.
pub(super) const LINK_OBJECT: u8 = b'o';
/// An API token: `k`, the token text.
pub(super) const TOKEN: u8 = b'k';
/// Bookkeeping values (`m…`).
pub(super) const META: u8 = b'm';
/// A record's latest `touch`: its `updated_at` alone, so that an add writes 8 bytes per
/// touched ticket instead of the whole record; applied to the record when it is read back.
pub(super) const TOUCH: u8 = b'u';
/// The intent log: the key operations of an apply in progress, until they are all written.
pub(super) const INTENT: u8 = b'j';

/// Set once fixtures are in.
pub(super) const META_INITIALIZED: &[u8] = b"minitialized";
/// The next link id to hand out.
pub(super) const META_NEXT_LINK_ID: &[u8] = b"mnext_link_id";
/// The record sequences (the next ticket id, the ticket number counter, …): their values,
/// 8 bytes each in `state`'s order, in one key written with the write that moves any of them.
pub(super) const META_SEQUENCES: &[u8] = b"mrecord_sequences";
/// How many link rows the database holds, written with every change to them.
pub(super) const META_LINK_COUNT: &[u8] = b"mlink_count";

/// The bytes of one encoded link row.
pub(super) const LINK_ROW_BYTES: usize = 46;

/// Link ids per block key: a block holds the rows of ids `n * 64 .. n * 64 + 63` that exist.
pub const LINKS_PER_BLOCK: u64 = 64;

/// A key written (`Some` value) or removed (`None`).
pub(super) type KeyOp = (Vec<u8>, Option<Vec<u8>>);

/// A [`StoreError::Corrupt`] for the value at `key`.
pub(super) fn corrupt(key: &[u8], reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        reason: reason.into(),
    }
}

/// `value` as a key part that sorts in numeric order.
pub(super) fn signed_key(value: i64) -> [u8; 8] {
    ((value as u64) ^ (1 << 63)).to_be_bytes()
}

/// The id of a [`signed_key`] (the first 8 bytes of `bytes`).
pub(super) fn signed_from(bytes: &[u8]) -> i64 {
    let mut raw = [0u8; 8];
    raw.copy_from_slice(&bytes[..8]);
    (u64::from_be_bytes(raw) ^ (1 << 63)) as i64
}

/// The key of record `kind`/`id`.
pub(super) fn record_key(kind: ModelKind, id: i64) -> Vec<u8> {
    let mut key = vec![RECORD, kind.tag()];
    key.extend_from_slice(&signed_key(id));
    key
}

/// The key of the touch of the record at `record_key`.
pub(super) fn touch_key(record_key: &[u8]) -> Vec<u8> {
    let mut key = record_key.to_vec();
    key[0] = TOUCH;
    key
}

/// The key of user `user_id`'s password.
pub(super) fn password_key(user_id: i64) -> Vec<u8> {
    let mut key = vec![PASSWORD];
    key.extend_from_slice(&signed_key(user_id));
    key
}

/// The key of link block `block`.
pub(super) fn block_key(block: u64) -> [u8; 9] {
    let mut key = [LINK_BLOCK; 9];
    key[1..].copy_from_slice(&block.to_be_bytes());
    key
}

/// The block link `id` lives in.
pub(super) fn block_of(id: u64) -> u64 {
    id / LINKS_PER_BLOCK
}

/// The rows of the block stored at `key`.
pub(super) fn decode_block(key: &[u8], bytes: &[u8]) -> Result<Vec<LinkRow>, StoreError> {
    if !bytes.len().is_multiple_of(LINK_ROW_BYTES) {
        return Err(corrupt(key, "bad link block"));
    }
    bytes
        .chunks_exact(LINK_ROW_BYTES)
        .map(|chunk| decode_link(chunk).ok_or_else(|| corrupt(key, "bad link row")))
        .collect()
}

/// The value of a block holding `rows`.
pub(super) fn encode_block(rows: &[LinkRow]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * LINK_ROW_BYTES);
    for row in rows {
        out.extend_from_slice(&encode_link(row));
    }
    out
}

/// One link row as 46 bytes: id, type, source object and value, target object and value,
/// created and updated, each big-endian.
pub(super) fn encode_link(row: &LinkRow) -> [u8; LINK_ROW_BYTES] {
    let mut out = [0u8; LINK_ROW_BYTES];
    out[0..8].copy_from_slice(&row.id.to_be_bytes());
    out[8..10].copy_from_slice(&row.link_type.0.to_be_bytes());
    out[10..12].copy_from_slice(&row.source.object.0.to_be_bytes());
    out[12..20].copy_from_slice(&row.source.value.to_be_bytes());
    out[20..22].copy_from_slice(&row.target.object.0.to_be_bytes());
    out[22..30].copy_from_slice(&row.target.value.to_be_bytes());
    out[30..38].copy_from_slice(&row.created_at.0.to_be_bytes());
    out[38..46].copy_from_slice(&row.updated_at.0.to_be_bytes());
    out
}

/// The row [`encode_link`] wrote, or `None` for bytes of the wrong length.
pub(super) fn decode_link(bytes: &[u8]) -> Option<LinkRow> {
    if bytes.len() != LINK_ROW_BYTES {
        return None;
    }
    let u16_at = |at: usize| u16::from_be_bytes([bytes[at], bytes[at + 1]]);
    let i64_at = |at: usize| {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&bytes[at..at + 8]);
        i64::from_be_bytes(raw)
    };
    Some(LinkRow {
        id: i64_at(0) as u64,
        link_type: LinkTypeId(u16_at(8)),
        source: ObjectRef::new(LinkObjectId(u16_at(10)), i64_at(12)),
        target: ObjectRef::new(LinkObjectId(u16_at(20)), i64_at(22)),
        created_at: Millis(i64_at(30)),
        updated_at: Millis(i64_at(38)),
    })
}

/// An 8-byte big-endian value, or a [`StoreError::Corrupt`] naming `what`.
pub(super) fn u64_value(key: &[u8], value: &[u8], what: &str) -> Result<u64, StoreError> {
    let raw: [u8; 8] = value.try_into().map_err(|_| corrupt(key, what))?;
    Ok(u64::from_be_bytes(raw))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub fn row(id: u64) -> LinkRow {
        LinkRow {
            id,
            link_type: LinkTypeId(2),
            source: ObjectRef::new(LinkObjectId(1), -5),
            target: ObjectRef::new(LinkObjectId(6), 147469),
            created_at: Millis(1_635_936_014_528),
            updated_at: Millis(1_635_936_014_529),
        }
    }

    #[test]
    fn link_rows_round_trip_through_their_encoding() {
        assert_eq!(decode_link(&encode_link(&row(9))), Some(row(9)));
    }

    #[test]
    fn signed_keys_sort_in_numeric_order() {
        assert!(signed_key(-1) < signed_key(0));
        assert!(signed_key(255) < signed_key(256));
        assert_eq!(signed_from(&signed_key(-42)), -42);
    }

    #[test]
    fn a_block_of_the_wrong_length_is_corrupt() {
        let mut bytes = encode_block(&[row(1), row(2)]);
        assert_eq!(decode_block(b"b", &bytes).unwrap(), vec![row(1), row(2)]);
        bytes.pop();
        assert!(decode_block(b"b", &bytes).is_err());
    }
}
