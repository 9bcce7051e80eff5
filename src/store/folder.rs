//! Opening a sled database in a folder, and giving the folder back.
//!
//! sled locks its data file for as long as any of its handles lives, and a write it started
//! on its own thread pool can keep a handle for a moment after the last `Db` of this process
//! was dropped. A test that stops a server and starts the next one on the same folder would
//! then find the folder locked. Rather than retry on a timer, this process keeps a register of
//! the folders it has open and of those it gave back: a folder it gave back is opened after
//! waiting (a blocking `flock`, woken by the release itself) for that last handle to go. A
//! folder held by another process is refused at once, as sled refuses it.
//!
//! The claim on a folder is made in the same step that registers it, and it travels with the
//! database handle in one [`Database`]: whoever lets go of the handle gives the folder back,
//! on every path (a refused open, a failed start, `Store::close`). It must not wait for the
//! last owner of the store instead: actix's worker threads drop their copy of the server's
//! state only after they reported that they stopped, so a folder given back by the store's
//! drop was still registered for a moment after its server was gone (issue 20).

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use super::StoreError;

/// sled's data file in its folder, the file it locks.
const SLED_DATA_FILE: &str = "db";

#[derive(Default)]
struct Register {
    /// Folders a `Store` of this process has open.
    open: HashSet<PathBuf>,
    /// Folders a `Store` of this process opened and gave back.
    released: HashSet<PathBuf>,
}

static REGISTER: LazyLock<Mutex<Register>> = LazyLock::new(Mutex::default);

fn register() -> std::sync::MutexGuard<'static, Register> {
    // The register holds plain sets, consistent after any panic.
    REGISTER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A folder this process has open; dropping it gives the folder back.
#[derive(Debug)]
pub(super) struct FolderClaim {
    folder: PathBuf,
}

impl FolderClaim {
    /// Registers `folder` as open, or refuses when it is open already. The claim exists from
    /// the moment the folder is registered, so any later failure gives the folder back by
    /// dropping it. Also says whether this process gave the folder back before.
    fn register(folder: PathBuf) -> Result<(Self, bool), StoreError> {
        let mut register = register();
        if !register.open.insert(folder.clone()) {
            return Err(StoreError::Damaged(
                "it is already open in this process (stop the server that uses it first)".into(),
            ));
        }
        let was_released = register.released.contains(&folder);
        Ok((Self { folder }, was_released))
    }
}

impl Drop for FolderClaim {
    fn drop(&mut self) {
        let mut register = register();
        register.open.remove(&self.folder);
        register.released.insert(self.folder.clone());
    }
}

/// An open sled database and, for one in a folder, the claim on that folder. Dropping it
/// drops the handle first, then gives the folder back (fields drop in order).
#[derive(Debug)]
pub(super) struct Database {
    /// The handle.
    pub(super) db: sled::Db,
    _claim: Option<FolderClaim>,
}

impl Database {
    /// A database that claims no folder (a temporary one).
    pub(super) fn unclaimed(db: sled::Db) -> Self {
        Self { db, _claim: None }
    }
}

/// Opens the sled database in `path` (creating the folder), claiming it for this process.
///
/// # Errors
/// When the folder cannot be created, is open in this process already, is held by another
/// process, or is not a sled database.
pub(super) fn open(path: &Path) -> Result<Database, StoreError> {
    if path.exists() && !path.is_dir() {
        return Err(StoreError::Damaged(
            "it is a file, not a folder (--reset cannot help: name a folder)".into(),
        ));
    }
    std::fs::create_dir_all(path)
        .map_err(|e| StoreError::Damaged(format!("cannot create the folder: {e}")))?;
    let folder = path
        .canonicalize()
        .map_err(|e| StoreError::Damaged(format!("cannot read the folder: {e}")))?;
    let (claim, was_released) = FolderClaim::register(folder)?;
    if was_released {
        wait_for_last_handle(&claim.folder.join(SLED_DATA_FILE));
    }
    // No background flusher: every write is flushed before it is answered anyway, and
    // sled 0.34's flusher holds its process-wide concurrency lock while it writes, which
    // deadlocked against `apply_batch` when several databases ran in one process.
    let config = sled::Config::new().path(path).flush_every_ms(None);
    let db = unpanicked(|| {
        config.open().map_err(|error| match error {
            // I/O (a lock held by another process, no permission) is not damage.
            sled::Error::Io(_) => StoreError::Sled(error),
            // Files sled cannot make sense of: damage that `--reset` clears.
            other => StoreError::Unreadable(other.to_string()),
        })
    })?;
    Ok(Database {
        db,
        _claim: Some(claim),
    })
}

/// Runs `read` on sled, turning a panic of sled's (a damaged file it reads past its end, for
/// one) into [`StoreError::Unreadable`]: a damaged folder must stop start-up with a message,
/// never crash it.
pub(super) fn unpanicked<T>(read: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "it panicked".into());
            Err(StoreError::Unreadable(what))
        }
    }
}

/// Removes sled's own files from folder `path` (and the mock's marker), leaving anything else
/// in it: what `--reset` does to a folder sled cannot read.
///
/// # Errors
/// When a file cannot be removed.
pub(super) fn wipe(path: &Path) -> Result<(), StoreError> {
    let cannot = |e: std::io::Error| StoreError::Damaged(format!("cannot clear the folder: {e}"));
    let entries = std::fs::read_dir(path).map_err(cannot)?;
    for entry in entries {
        let entry = entry.map_err(cannot)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_sleds = matches!(name.as_ref(), "conf" | "db" | "blobs" | super::MARKER_FILE)
            || name.starts_with("snap.");
        if !is_sleds {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).map_err(cannot)?;
        } else {
            std::fs::remove_file(&path).map_err(cannot)?;
        }
    }
    Ok(())
}

/// Blocks until no handle of this process holds sled's lock on `data_file` any more. Only
/// called for a folder this process gave back, whose last handle is a finishing sled task.
fn wait_for_last_handle(data_file: &Path) {
    let Ok(file) = File::open(data_file) else {
        return;
    };
    // `flock` like sled's own lock: returns once the last holder closed the file. Dropping
    // `file` releases it again for sled.
    let _ = file.lock();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_of_sleds_becomes_an_unreadable_folder() {
        let result: Result<(), _> = unpanicked(|| panic!("index out of bounds"));
        match result {
            Err(StoreError::Unreadable(why)) => assert_eq!(why, "index out of bounds"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_folder_open_in_this_process_is_refused_until_it_is_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let database = open(dir.path()).unwrap();
        let error = open(dir.path()).unwrap_err().to_string();
        assert!(error.contains("already open in this process"), "{error}");
        drop(database);
        let again = open(dir.path()).unwrap();
        again.db.insert(b"k", b"v").unwrap();
    }
}
