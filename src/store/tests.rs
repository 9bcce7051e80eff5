//! The store's own tests: applies, replacements, recovery and the damage checks.

use super::keys::tests::row;
use super::*;
use crate::records::Record;

#[test]
fn a_link_count_that_disagrees_with_the_rows_is_damage() {
    let store = Store::temporary().unwrap();
    let mut writes = WriteSet::new();
    writes.put_link(&row(1));
    writes.put_link_count(2);
    store.replace_all(writes).unwrap();
    let error = store.load().unwrap_err().to_string();
    assert_eq!(
        error,
        "the database is damaged: it records 2 links but holds 1"
    );
}

#[test]
fn a_large_replacement_goes_in_chunks_and_ends_initialised() {
    let store = Store::temporary().unwrap();
    let mut first = WriteSet::new();
    first.put_link(&row(999_999));
    store.replace_all(first).unwrap();
    let mut writes = WriteSet::new();
    for id in 1..=(ATOMIC_BATCH_OPS as u64 + 10) {
        writes.put_link(&row(id));
    }
    writes.put_link_count(ATOMIC_BATCH_OPS + 10);
    store.replace_all(writes).unwrap();
    let snapshot = store.load().unwrap();
    assert_eq!(snapshot.links.len(), ATOMIC_BATCH_OPS + 10);
    assert!(snapshot.links.iter().all(|l| l.id != 999_999));
    assert!(store.is_initialized().unwrap());
}

#[test]
fn rows_share_blocks_and_a_removal_keeps_the_neighbours() {
    let store = Store::temporary().unwrap();
    let mut writes = WriteSet::new();
    for id in [1, 2, 63, 64, 65] {
        writes.put_link(&row(id));
    }
    writes.put_link_count(5);
    store.replace_all(writes).unwrap();
    let mut writes = WriteSet::new();
    writes.delete_link(2);
    writes.delete_link(64);
    writes.put_link(&row(66));
    writes.put_link_count(4);
    store.apply(writes).unwrap();
    let ids: Vec<u64> = store.load().unwrap().links.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![1, 63, 65, 66]);
    assert_eq!(store.link(63).unwrap(), Some(row(63)));
    assert_eq!(store.link(2).unwrap(), None);
    let blocks = store
        .with_db(|db| Ok(db.scan_prefix([LINK_BLOCK]).count()))
        .unwrap();
    assert_eq!(blocks, 2);
}

#[test]
fn an_apply_cut_short_by_a_crash_is_finished_on_open() {
    let folder = tempfile::tempdir().unwrap();
    {
        let store = Store::open(folder.path()).unwrap();
        let mut writes = WriteSet::new();
        writes.put_link(&row(1));
        writes.put_link_count(1);
        store.replace_all(writes).unwrap();
        // As a crash would leave it: the intent written, only its first op applied.
        let mut writes = WriteSet::new();
        writes.put_link(&row(2));
        writes.put_link_count(2);
        writes.put_next_link_id(3);
        store
            .with_db(|db| {
                let ops = writes.resolve(Some(db))?;
                db.insert([keys::INTENT], intent::encode(&ops))?;
                let (key, value) = &ops[0];
                intent::write_op(db, key, value.as_deref())?;
                db.flush()?;
                Ok(())
            })
            .unwrap();
    }
    let store = Store::open(folder.path()).unwrap();
    let snapshot = store.load().unwrap();
    assert_eq!(snapshot.links, vec![row(1), row(2)]);
    assert_eq!(snapshot.next_link_id, 3);
    assert!(!store.with_db(|db| Ok(intent::is_pending(db))).unwrap());
}

#[test]
fn a_touch_is_read_back_into_its_record_until_the_record_is_written_again() {
    let store = Store::temporary().unwrap();
    let record =
        Record::from_json(ModelKind::Ticket, 7, r#"{"id":7,"updated_at":"a","x":1}"#).unwrap();
    let mut writes = WriteSet::new();
    writes.put_record(&record);
    store.replace_all(writes).unwrap();
    let mut writes = WriteSet::new();
    writes.put_touch(&record, Millis(0));
    store.apply(writes).unwrap();
    let json = |store: &Store| store.load().unwrap().records[0].2.clone();
    assert_eq!(
        json(&store),
        r#"{"id":7,"updated_at":"1970-01-01T00:00:00.000Z","x":1}"#
    );
    let mut writes = WriteSet::new();
    writes.put_record(&record);
    store.apply(writes).unwrap();
    assert_eq!(json(&store), r#"{"id":7,"updated_at":"a","x":1}"#);
}

#[test]
fn small_and_big_applies_both_land_whole() {
    let store = Store::temporary().unwrap();
    store.replace_all(WriteSet::new()).unwrap();
    let mut small = WriteSet::new();
    small.put_link(&row(1));
    small.put_link_count(1);
    store.apply(small).unwrap();
    let mut big = WriteSet::new();
    for id in 2..=(64 * (INTENT_MAX_OPS as u64 + 2)) {
        big.put_link(&row(id));
    }
    let total = 64 * (INTENT_MAX_OPS + 2);
    big.put_link_count(total);
    store.apply(big).unwrap();
    let snapshot = store.load().unwrap();
    assert_eq!(snapshot.links.len(), total);
    assert!(!store.with_db(|db| Ok(intent::is_pending(db))).unwrap());
}

#[test]
fn after_a_write_failed_halfway_no_further_write_is_accepted() {
    let store = Store::temporary().unwrap();
    store.replace_all(WriteSet::new()).unwrap();
    store.latch.trip();
    let mut writes = WriteSet::new();
    writes.put_link(&row(1));
    writes.put_link_count(1);
    let error = store.apply(writes).unwrap_err().to_string();
    assert!(error.contains("restart to finish it"), "{error}");
    // Every path: a replacement is refused too.
    let error = store.replace_all(WriteSet::new()).unwrap_err().to_string();
    assert!(error.contains("restart to finish it"), "{error}");
    assert!(store.load().unwrap().links.is_empty());
}

#[test]
fn replace_all_drops_old_content_and_load_reads_the_new() {
    let store = Store::temporary().unwrap();
    let mut first = WriteSet::new();
    first.put_link(&row(1));
    store.replace_all(first).unwrap();
    let mut second = WriteSet::new();
    second.put_link(&row(2));
    store.replace_all(second).unwrap();
    let snapshot = store.load().unwrap();
    assert_eq!(snapshot.links, vec![row(2)]);
    assert_eq!(snapshot.next_link_id, 3);
    assert!(store.is_initialized().unwrap());
}

#[test]
fn a_closed_store_refuses_work_and_its_folder_opens_again_at_once() {
    let folder = tempfile::tempdir().unwrap();
    let store = Store::open(folder.path()).unwrap();
    let mut writes = WriteSet::new();
    writes.put_link(&row(1));
    writes.put_link_count(1);
    store.replace_all(writes).unwrap();
    store.close().unwrap();
    assert!(matches!(store.load(), Err(StoreError::Closed)));
    drop(store);
    for _ in 0..5 {
        let again = Store::open(folder.path()).unwrap();
        assert_eq!(again.load().unwrap().links, vec![row(1)]);
    }
}

// See: #20
#[test]
fn a_closed_store_gives_its_folder_back_while_it_still_lives() {
    // Arrange: a store that is closed but not dropped, as when an actix worker still holds
    // the state of a server that stopped.
    let folder = tempfile::tempdir().unwrap();
    let first = Store::open(folder.path()).unwrap();
    first.close().unwrap();
    // Act
    let second = Store::open(folder.path());
    // Assert
    let second = second.map_err(|e| crate::error_chain(&e));
    assert!(second.is_ok(), "{second:?}");
    drop(first);
    // The old store's last drop leaves the new one's claim alone.
    let third = Store::open(folder.path()).unwrap_err().to_string();
    assert!(third.contains("already open in this process"), "{third}");
}
