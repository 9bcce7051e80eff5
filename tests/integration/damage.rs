//! Damaged database folders, one test per way a folder gets damaged: each stops start-up
//! with exit code 2 and one line that names the folder and `--reset`, never a panic and never
//! an empty start that hides the loss; `--reset` then starts again from the fixtures.
//!
//! See: issue 13, point 1 ("a damaged database panics").

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::RunningBinary;

/// A folder holding a database the binary wrote and closed cleanly, with `fixtures` (the
/// default data set when `None`).
fn written_folder(fixtures: Option<&Path>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("db");
    let mut args = vec![std::ffi::OsStr::new("--db"), db.as_os_str()];
    if let Some(file) = fixtures {
        args.extend([std::ffi::OsStr::new("--fixtures"), file.as_os_str()]);
    }
    let running = RunningBinary::start(&args);
    assert_eq!(running.signal("-TERM").code(), Some(0));
    (dir, db)
}

/// Runs the binary on `db` and returns its exit code and standard error; a binary that is
/// still serving after 60 s has started on the damaged folder, which fails the test.
fn start_on(db: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zammad-links-mock"))
        .arg("--db")
        .arg(db)
        .args(["--bind", "127.0.0.1:0"])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the binary started on the damaged folder {}", db.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts the refusal: exit 2, no panic, one line naming the folder and `--reset`.
fn assert_refused(db: &Path, what: &str) {
    let (code, stderr) = start_on(db, &[]);
    assert_eq!(code, Some(2), "{what}: {stderr}");
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.contains(&db.display().to_string()), "{what}: {last}");
    assert!(last.contains("--reset"), "{what}: {last}");
}

/// Asserts that `--reset` starts again on the folder, serving the default data set.
fn assert_reset_recovers(db: &Path) {
    let running = RunningBinary::start(&[
        std::ffi::OsStr::new("--db"),
        db.as_os_str(),
        std::ffi::OsStr::new("--reset"),
    ]);
    let links: serde_json::Value = reqwest::blocking::Client::new()
        .get(format!(
            "{}/api/v1/links?link_object=Ticket&link_object_value=147469",
            running.base
        ))
        .basic_auth("test@test.de", Some("test"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(links["links"].as_array().unwrap().len(), 2);
}

fn data_file(db: &Path) -> PathBuf {
    db.join("db")
}

#[test]
fn a_data_file_cut_short_at_any_size_is_refused_and_reset_recovers() {
    for keep in [2, 4, 100] {
        let (_dir, db) = written_folder(None);
        let file = data_file(&db);
        let size = std::fs::metadata(&file).unwrap().len();
        let cut = if keep == 100 { 100 } else { size / keep };
        std::fs::OpenOptions::new()
            .write(true)
            .open(&file)
            .unwrap()
            .set_len(cut)
            .unwrap();
        assert_refused(&db, &format!("cut to {cut} of {size} bytes"));
        if keep == 2 {
            assert_reset_recovers(&db);
        }
    }
}

#[test]
fn zeroed_blocks_are_refused_whether_sled_notices_them_or_the_mock_does() {
    // A data set big enough to fill several of sled's segments, so that a zeroed block
    // lands in live data.
    let fixtures = tempfile::NamedTempFile::new().unwrap();
    let spec = zammad_links_mock::GenerateSpec {
        tickets: 2_000,
        links: 20_000,
        seed: 42,
        articles: 0,
    };
    zammad_links_mock::write_document(spec, &mut std::fs::File::create(fixtures.path()).unwrap())
        .unwrap();
    let (_dir, db) = written_folder(Some(fixtures.path()));
    let file = data_file(&db);
    let size = std::fs::metadata(&file).unwrap().len();
    let mut bytes = std::fs::read(&file).unwrap();
    let at = (size / 2) as usize;
    bytes[at..at + 4096].fill(0);
    bytes[..4096].fill(0);
    std::fs::write(&file, bytes).unwrap();
    assert_refused(&db, "zeroed blocks");
    assert_reset_recovers(&db);
}

#[test]
fn a_missing_data_file_is_refused_rather_than_refilled() {
    let (_dir, db) = written_folder(None);
    std::fs::remove_file(data_file(&db)).unwrap();
    assert_refused(&db, "missing data file");
    assert_reset_recovers(&db);
}

#[test]
fn a_garbage_config_file_is_refused() {
    let (_dir, db) = written_folder(None);
    std::fs::write(db.join("conf"), vec![0xffu8; 300]).unwrap();
    assert_refused(&db, "garbage conf");
}

#[test]
fn a_file_where_the_folder_should_be_is_refused() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = dir.path().join("db");
    std::fs::write(&db, b"not a folder").unwrap();
    let (code, stderr) = start_on(&db, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.contains(&db.display().to_string()), "{last}");
    assert!(last.contains("a file, not a folder"), "{last}");
    assert!(last.contains("--reset"), "{last}");
    // `--reset` never deletes what is not sled's.
    let (code, _) = start_on(&db, &["--reset"]);
    assert_eq!(code, Some(2));
    assert_eq!(std::fs::read(&db).unwrap(), b"not a folder");
}
