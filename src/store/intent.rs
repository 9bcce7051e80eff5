//! The intent log: how an apply of several keys stays atomic without a sled `Batch`, how a
//! crash in the middle of one is finished at the next start, and the failure latch that
//! stops all writing once a write failed part-way.
//!
//! Not a sled `Batch` for every apply: sled 0.34 writes out its current I/O buffer and a
//! manifest for every batch, two synchronous disk writes per call, which capped durable adds
//! near 3,000 a second whatever the group commit did. Instead the operations are first
//! written as one intent value (a single insert is atomic in sled), then one by one, then the
//! intent value is removed. sled recovers a prefix of its log, so after a crash either the
//! intent value is gone (and everything before its removal is there) or it is replayed by
//! [`recover`]. Plain inserts leave the disk writes to the flush, which then carries the
//! writes of many requests at once.
//!
//! ("Intent log", not "journal": the journal is the request journal of `/__mock/requests`.)

use std::sync::atomic::{AtomicBool, Ordering};

use super::keys::{corrupt, KeyOp, INTENT};
use super::StoreError;

/// The key of the one intent value.
const INTENT_KEY: [u8; 1] = [INTENT];

/// Writes `ops` through the intent log: the intent value, each operation, the removal.
///
/// # Errors
/// When sled fails; the database may then hold part of `ops`, which [`recover`] finishes.
pub(super) fn write_through(db: &sled::Db, ops: &[KeyOp]) -> Result<(), StoreError> {
    db.insert(INTENT_KEY, encode(ops))?;
    for (key, value) in ops {
        write_op(db, key, value.as_deref())?;
    }
    db.remove(INTENT_KEY)?;
    Ok(())
}

/// Writes one key operation.
pub(super) fn write_op(db: &sled::Db, key: &[u8], value: Option<&[u8]>) -> Result<(), StoreError> {
    match value {
        Some(value) => db.insert(key, value)?,
        None => db.remove(key)?,
    };
    Ok(())
}

/// Finishes an apply that a crash interrupted: writes its logged operations again (writing
/// a value twice is harmless) and removes the intent value, atomically, then flushes.
///
/// # Errors
/// When sled fails or the intent value is unreadable.
pub(super) fn recover(db: &sled::Db) -> Result<(), StoreError> {
    if let Some(intent) = db.get(INTENT_KEY)? {
        let mut batch = sled::Batch::default();
        for op in decode(&INTENT_KEY, &intent)? {
            add_to_batch(&mut batch, op);
        }
        batch.remove(&INTENT_KEY);
        db.apply_batch(batch)?;
        db.flush()?;
    }
    Ok(())
}

/// Whether an intent value is waiting to be finished.
#[cfg(test)]
pub(super) fn is_pending(db: &sled::Db) -> bool {
    db.get(INTENT_KEY).unwrap().is_some()
}

/// Adds `op` to `batch`.
pub(super) fn add_to_batch(batch: &mut sled::Batch, (key, value): KeyOp) {
    match value {
        Some(value) => batch.insert(key, value),
        None => batch.remove(key),
    }
}

/// The key operations of one apply as one value.
pub(super) fn encode(ops: &[KeyOp]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in ops {
        out.push(u8::from(value.is_some()));
        out.extend_from_slice(&(key.len() as u32).to_be_bytes());
        out.extend_from_slice(key);
        if let Some(value) = value {
            out.extend_from_slice(&(value.len() as u32).to_be_bytes());
            out.extend_from_slice(value);
        }
    }
    out
}

fn decode(key: &[u8], mut bytes: &[u8]) -> Result<Vec<KeyOp>, StoreError> {
    let bad = || corrupt(key, "bad intent log entry");
    let mut take = |n: usize| -> Result<Vec<u8>, StoreError> {
        if bytes.len() < n {
            return Err(bad());
        }
        let (head, rest) = bytes.split_at(n);
        bytes = rest;
        Ok(head.to_vec())
    };
    let mut ops = Vec::new();
    loop {
        let Ok(tag) = take(1) else { break };
        let len = |raw: Vec<u8>| u32::from_be_bytes(raw.try_into().unwrap_or_default()) as usize;
        let key_len = len(take(4)?);
        let op_key = take(key_len)?;
        let value = match tag[0] {
            0 => None,
            1 => {
                let value_len = len(take(4)?);
                Some(take(value_len)?)
            }
            _ => return Err(bad()),
        };
        ops.push((op_key, value));
    }
    Ok(ops)
}

/// Trips when a write failed: sled does not recover from a failed write, and a write that
/// failed part-way left a state that only the next start finishes (through [`recover`]), so
/// every later write on every path is refused until a restart.
#[derive(Debug, Default)]
pub(super) struct FailureLatch {
    tripped: AtomicBool,
}

impl FailureLatch {
    /// Refuses when an earlier write failed.
    ///
    /// # Errors
    /// [`StoreError::Damaged`] once tripped.
    pub(super) fn check(&self) -> Result<(), StoreError> {
        if self.tripped.load(Ordering::Acquire) {
            return Err(StoreError::Damaged(
                "an earlier write failed halfway; restart to finish it".into(),
            ));
        }
        Ok(())
    }

    /// Runs `write`, tripping the latch when it fails.
    pub(super) fn guard<T>(
        &self,
        write: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.check()?;
        let result = write();
        if result.is_err() {
            self.tripped.store(true, Ordering::Release);
        }
        result
    }

    /// Refuses every later write (a bulk load stopped half-way).
    pub(super) fn trip(&self) {
        self.tripped.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intent_values_round_trip() {
        let ops: Vec<KeyOp> = vec![
            (b"ra".to_vec(), Some(b"{}".to_vec())),
            (b"p1".to_vec(), None),
            (b"b".to_vec(), Some(Vec::new())),
        ];
        assert_eq!(decode(b"j", &encode(&ops)).unwrap(), ops);
        assert!(decode(b"j", &[1, 0, 0, 0, 9]).is_err());
    }

    #[test]
    fn a_tripped_latch_refuses_every_later_write() {
        let latch = FailureLatch::default();
        assert!(latch.guard(|| Ok(())).is_ok());
        let failed: Result<(), _> = latch.guard(|| Err(StoreError::Damaged("disk".into())));
        assert!(failed.is_err());
        let mut ran = false;
        let refused = latch.guard(|| {
            ran = true;
            Ok(())
        });
        assert!(!ran);
        assert!(refused.unwrap_err().to_string().contains("restart"));
    }
}
