//! The lab's directory: the files a scenario makes there (`truncate -s SIZE FILE`) and
//! `python3 -m http.server` serves. One directory for the machine, as network namespaces
//! share the filesystem; a file is a name, a size and when it was last written, its bytes
//! all zero (as `truncate` leaves them). Programs that read it hold a handle to it.
//!
//! It owns nothing but names and sizes; it must not read or write the host's files.

use sim_core::Instant;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// One file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct File {
    /// Its size in bytes.
    pub size: u64,
    /// When it was last written (`st_mtime`).
    pub mtime: Instant,
}

/// The directory, shared by the lab and the programs that serve it.
#[derive(Clone, Debug, Default)]
pub struct Files(Rc<RefCell<BTreeMap<String, File>>>);

impl Files {
    /// `truncate -s SIZE NAME` at `now`: the file made, or its size set.
    pub fn truncate(&self, name: &str, size: u64, now: Instant) {
        self.0.borrow_mut().insert(name.to_string(), File { size, mtime: now });
    }

    /// The file called `name`.
    pub fn get(&self, name: &str) -> Option<File> {
        self.0.borrow().get(name).copied()
    }

    /// Every file's name, in byte order.
    pub fn names(&self) -> Vec<String> {
        self.0.borrow().keys().cloned().collect()
    }
}

/// Why a name cannot be a file of the lab's directory (`None`: it can).
pub fn refuse(name: &str) -> Option<&'static str> {
    if name.is_empty() || name == "." || name == ".." {
        Some("not a file name")
    } else if name.contains('/') {
        Some("nslab's files are names in the directory http.server serves: no `/`")
    } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        Some("a file name here is letters, digits, `.`, `_` and `-`")
    } else {
        None
    }
}
