//! Bench-only: the link graph at scale (issue "As fast as the machine allows").
//!
//! 1. Memory: the growth of resident memory while a [`LinkGraph`] takes `LINKS` links between
//!    `LINKS / 10` tickets (20 link ends per ticket on average), in bytes per link.
//! 2. Start-up: the default data set plus `LINKS` link rows written to a sled database in a
//!    temporary folder; the bytes on disk per link; then the time the real start-up
//!    (`AppState::open` on that folder: sled read back, memory rebuilt) takes.
//!
//! `cargo run --release --example scale -- 10000000` (the default); `BENCHMARKS.md` has the
//! figures. Timing here is a measurement for the report, never an assertion.

use std::path::Path;
use std::time::Instant;

use zammad_links_mock::internals::{
    write_document, AppState, LinkGraph, LinkRow, LinkTypeId, ObjectRef, Rng, Store, WriteSet,
    ATOMIC_BATCH_OPS,
};
use zammad_links_mock::{FixtureDocument, Millis, ZammadVersion};

/// Link rows with ids from `first_id`, between random tickets 1..=`links / 10`, never a
/// self-link, with `normal`, `parent` and `child` spread 70/15/15 as the generator does.
fn rows(links: u64, first_id: u64) -> impl Iterator<Item = LinkRow> {
    let tickets = (links / 10).max(2);
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    (0..links).map(move |i| {
        let source = 1 + rng.below(tickets) as i64;
        let mut target = 1 + rng.below(tickets) as i64;
        if target == source {
            target = source % tickets as i64 + 1;
        }
        let link_type = match rng.below(100) {
            0..=69 => 1,
            70..=84 => 2,
            _ => 3,
        };
        LinkRow {
            id: first_id + i,
            link_type: LinkTypeId(link_type),
            source: ObjectRef::ticket(source),
            target: ObjectRef::ticket(target),
            created_at: Millis(1_700_000_000_000 + i as i64),
            updated_at: Millis(1_700_000_000_000 + i as i64),
        }
    })
}

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn folder_bytes(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                folder_bytes(&entry.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

fn memory(links: u64) {
    let before = resident_bytes();
    let started = Instant::now();
    // As at start-up: rows read back, then put in the graph at once; the rows are freed.
    let graph = LinkGraph::new();
    let all: Vec<LinkRow> = rows(links, 1).collect();
    graph.insert_all(&all);
    drop(all);
    let after = resident_bytes();
    println!(
        "memory: {links} links in {:.1} s, resident memory grew {:.0} MB = {:.1} bytes per link",
        started.elapsed().as_secs_f64(),
        (after - before) as f64 / 1e6,
        (after - before) as f64 / links as f64
    );
    drop(graph);
}

fn start_up(links: u64) -> Result<(), Box<dyn std::error::Error>> {
    let folder = tempfile::tempdir()?;
    let doc = FixtureDocument::default_data();
    let store = Store::open(folder.path())?;
    write_document(&store, &doc)?;
    let existing = store.load()?;
    let first_id = existing.next_link_id;
    let total = existing.links.len() as u64 + links;
    let started = Instant::now();
    let mut writes = WriteSet::new();
    let mut in_batch = 0;
    for row in rows(links, first_id) {
        writes.put_link(&row);
        in_batch += 1;
        if in_batch == ATOMIC_BATCH_OPS {
            store.apply(std::mem::take(&mut writes))?;
            in_batch = 0;
        }
    }
    writes.put_link_count(total as usize);
    writes.put_next_link_id(first_id + links);
    store.apply(writes)?;
    store.flush_blocking()?;
    drop(store);
    let disk = folder_bytes(folder.path());
    println!(
        "disk: {links} link rows written in {:.1} s; the folder holds {:.0} MB = {:.1} bytes per link",
        started.elapsed().as_secs_f64(),
        disk as f64 / 1e6,
        disk as f64 / total as f64
    );

    let before = resident_bytes();
    let started = Instant::now();
    let store = Store::open(folder.path())?;
    let opened = started.elapsed();
    let state = AppState::open(store, doc, false, ZammadVersion::V5_0)?;
    println!("  (sled open {:.1} s)", opened.as_secs_f64());
    let elapsed = started.elapsed();
    assert_eq!(
        state.view().graph().len() as u64,
        total,
        "every link came back"
    );
    println!(
        "start-up: {total} links rebuilt from sled in {:.1} s (resident memory grew {:.0} MB)",
        elapsed.as_secs_f64(),
        (resident_bytes() - before) as f64 / 1e6
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let links: u64 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(10_000_000);
    memory(links);
    start_up(links)
}
