//! The namespaces this process has made and not yet removed, so Ctrl-C can remove them.

use std::collections::BTreeMap;
use std::sync::Mutex;

static MADE: Mutex<BTreeMap<String, Option<u64>>> = Mutex::new(BTreeMap::new());

fn made() -> std::sync::MutexGuard<'static, BTreeMap<String, Option<u64>>> {
    MADE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Notes a namespace about to be made (`ino` once known).
pub fn remember(kernel: &str, ino: Option<u64>) {
    made().insert(kernel.to_string(), ino);
}

/// Notes a namespace removed.
pub fn forget(kernel: &str) {
    made().remove(kernel);
    UNNAMED.lock().unwrap_or_else(|p| p.into_inner()).remove(kernel);
}

static UNNAMED: Mutex<BTreeMap<String, crate::netns::Snapshot>> = Mutex::new(BTreeMap::new());

/// Notes what ran in a namespace when the scenario deleted its name.
pub fn unnamed(kernel: &str, known: crate::netns::Snapshot) {
    UNNAMED.lock().unwrap_or_else(|p| p.into_inner()).insert(kernel.to_string(), known);
}

static DIRS: Mutex<Vec<std::path::PathBuf>> = Mutex::new(Vec::new());

/// Notes a run's scratch directory.
pub fn remember_dir(d: &std::path::Path) {
    DIRS.lock().unwrap_or_else(|p| p.into_inner()).push(d.to_path_buf());
}

/// Notes a scratch directory removed.
pub fn forget_dir(d: &std::path::Path) {
    DIRS.lock().unwrap_or_else(|p| p.into_inner()).retain(|x| x != d);
}

/// Removes every namespace and scratch directory this process made (the Ctrl-C path).
pub fn remove_all() {
    for d in std::mem::take(&mut *DIRS.lock().unwrap_or_else(|p| p.into_inner())) {
        let _ = std::fs::remove_dir_all(d);
    }
    let all: Vec<(String, Option<u64>)> = made().iter().map(|(k, v)| (k.clone(), *v)).collect();
    for (k, ino) in all.iter().rev() {
        let known = UNNAMED.lock().unwrap_or_else(|p| p.into_inner()).get(k).cloned();
        let _ = crate::netns::remove(k, *ino, known.as_ref());
        forget(k);
    }
    crate::guard::forget_records_of_this_process();
}
