//! Opening a sled database in a folder, and giving the folder back.
//!
//! sled locks its data file for as long as any of its handles lives, and a write it started
//! on its own thread pool can keep a handle for a moment after the last `Db` of this process
//! was dropped. A test that stops a server and starts the next one on the same folder would
//! then find the folder locked. Rather than retry on a timer, this process keeps a register of
//! the folders it has open and of those it gave back: a folder it gave back is opened after
//! waiting (a blocking `flock`, woken by the release itself) for that last handle to go. A
//! folder held by another process is refused at once, as sled refuses it.

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

impl Drop for FolderClaim {
    fn drop(&mut self) {
        let mut register = register();
        register.open.remove(&self.folder);
        register.released.insert(self.folder.clone());
    }
}

/// Opens the sled database in `path` (creating the folder), claiming it for this process.
///
/// # Errors
/// When the folder cannot be created, is open in this process already, is held by another
/// process, or is not a sled database.
pub(super) fn open(path: &Path) -> Result<(sled::Db, FolderClaim), StoreError> {
    std::fs::create_dir_all(path)
        .map_err(|e| StoreError::Damaged(format!("cannot create the folder: {e}")))?;
    let folder = path
        .canonicalize()
        .map_err(|e| StoreError::Damaged(format!("cannot read the folder: {e}")))?;
    let was_released = {
        let mut register = register();
        if !register.open.insert(folder.clone()) {
            return Err(StoreError::Damaged(
                "it is already open in this process (stop the server that uses it first)".into(),
            ));
        }
        register.released.contains(&folder)
    };
    let claim = FolderClaim { folder };
    if was_released {
        wait_for_last_handle(&claim.folder.join(SLED_DATA_FILE));
    }
    // No background flusher: every write is flushed before it is answered anyway, and
    // sled 0.34's flusher holds its process-wide concurrency lock while it writes, which
    // deadlocked against `apply_batch` when several databases ran in one process.
    let db = sled::Config::new().path(path).flush_every_ms(None).open()?;
    Ok((db, claim))
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
    fn a_folder_open_in_this_process_is_refused_until_it_is_given_back() {
        let dir = tempfile::tempdir().unwrap();
        let (db, claim) = open(dir.path()).unwrap();
        let error = open(dir.path()).unwrap_err().to_string();
        assert!(error.contains("already open in this process"), "{error}");
        drop(db);
        drop(claim);
        let (again, _claim) = open(dir.path()).unwrap();
        again.insert(b"k", b"v").unwrap();
    }
}
