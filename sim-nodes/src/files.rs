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
    } else if content_type(name).is_none() {
        Some(
            "nslab knows the MIME type of no, .bin, .img, .dat, .raw, .log, .txt, .html, .htm, .json, .xml, .csv, .md, .css, .js, .png, .jpg, .jpeg, .gif, .svg, .pdf, .mp4, .tar, .gz, .xz, .bz2, .zip and .iso extensions",
        )
    } else {
        None
    }
}

/// The `Content-type` Python's `SimpleHTTPRequestHandler.guess_type` gives a file (its
/// `extensions_map`, then `mimetypes` with Debian's `/etc/mime.types`: read off Python 3.11
/// here for each extension); `None` for an extension not in this table.
pub fn content_type(name: &str) -> Option<&'static str> {
    let Some((_, ext)) = name.rsplit_once('.') else { return Some("application/octet-stream") };
    Some(match ext.to_ascii_lowercase().as_str() {
        "bin" | "img" | "dat" | "raw" | "log" => "application/octet-stream",
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "csv" => "text/csv",
        "md" => "text/markdown",
        "css" => "text/css",
        "js" => "text/javascript",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "tar" => "application/x-tar",
        "gz" => "application/gzip",
        "xz" => "application/x-xz",
        "bz2" => "application/x-bzip2",
        "zip" => "application/zip",
        "iso" => "application/x-iso9660-image",
        _ => return None,
    })
}
