//! The move from 0.1's layout (one link row per key) into link blocks, run when a database
//! is opened, so that a database written by 0.1 opens with every link.

use super::keys::{corrupt, decode_link, LEGACY_LINK};
use super::{Store, StoreError, WriteSet, ATOMIC_BATCH_OPS};

impl Store {
    /// Moves every 0.1 link row into its block. Each chunk of rows moves in one atomic apply
    /// (it merges into the blocks already there), so a crash part-way leaves every row in
    /// one place or the other.
    pub(super) fn move_legacy_link_rows(&self) -> Result<(), StoreError> {
        let mut moved = 0;
        loop {
            let writes = self.with_db(|db| {
                let mut writes = WriteSet::new();
                for entry in db.scan_prefix([LEGACY_LINK]).take(ATOMIC_BATCH_OPS / 2) {
                    let (key, value) = entry?;
                    let row = decode_link(&value).ok_or_else(|| corrupt(&key, "bad link row"))?;
                    writes.remove(key);
                    writes.put_link(&row);
                }
                Ok(writes)
            })?;
            if writes.is_empty() {
                break;
            }
            moved += writes.link_edit_count();
            // Atomic either way: a chunk is a batch, a small last one goes through the
            // intent log.
            self.apply(writes)?;
        }
        if moved > 0 {
            self.flush_blocking()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::keys::encode_link;
    use super::super::keys::legacy_link_key;
    use super::super::keys::tests::row;
    use super::*;
    use crate::model::LinkRow;

    #[test]
    fn rows_stored_one_per_key_move_into_blocks_on_open() {
        let folder = tempfile::tempdir().unwrap();
        let legacy: Vec<u64> = (3..13 + ATOMIC_BATCH_OPS as u64 / 2)
            .chain([70_000_000])
            .collect();
        {
            let store = Store::open(folder.path()).unwrap();
            let mut writes = WriteSet::new();
            writes.put_link_count(legacy.len());
            store.replace_all(writes).unwrap();
            store
                .with_db(|db| {
                    for id in legacy.iter().copied() {
                        db.insert(legacy_link_key(id), &encode_link(&row(id))[..])?;
                    }
                    Ok(())
                })
                .unwrap();
            store.close().unwrap();
        }
        // More rows than one chunk moves at a time.
        let store = Store::open(folder.path()).unwrap();
        let rows: Vec<LinkRow> = legacy.iter().map(|id| row(*id)).collect();
        assert_eq!(store.load().unwrap().links, rows);
        let left = store
            .with_db(|db| Ok(db.scan_prefix([LEGACY_LINK]).count()))
            .unwrap();
        assert_eq!(left, 0);
    }
}
