//! What a scenario argument names: a file, `-` (stdin), or a bundled scenario by name or
//! prefix (`e05` → `scenarios/e05-ethernet-router.sh`). A path that exists wins; a name
//! that matches several is refused with the candidates.
//!
//! It owns the lookup only; reading and decoding are `nslab::read_scenario`'s.

use super::Fail;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A scenario to run: its name as errors show it, its text, and the file it came from
/// (`None` for stdin).
pub struct Found {
    /// As errors and verdicts name it.
    pub name: String,
    /// The text.
    pub text: String,
    /// The file.
    pub path: Option<PathBuf>,
}

/// Reads the scenario `arg` names.
pub fn scenario(arg: &str) -> Result<Found, Fail> {
    if arg == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| Fail::input(format!("nslab: stdin: {e}")))?;
        let name = "<stdin>".to_string();
        let text = nslab::scenarios::error::decode(&name, bytes).map_err(|e| Fail::input(e.to_string()))?;
        return Ok(Found { name, text, path: None });
    }
    let path = resolve(arg)?;
    let (name, text) = nslab::read_scenario(&path).map_err(Fail::input)?;
    Ok(Found { name, text, path: Some(path) })
}

/// The file `arg` names: itself if it exists, else the one bundled scenario it names.
pub fn resolve(arg: &str) -> Result<PathBuf, Fail> {
    let p = Path::new(arg);
    if p.exists() || arg.contains('/') || arg.ends_with(".sh") || arg.ends_with(".ron") {
        return Ok(p.to_path_buf());
    }
    let dir = nslab::default_scenario_dir();
    let files = nslab::scenario_files(&dir).unwrap_or_default();
    let stem = |f: &PathBuf| f.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
    let scripts: Vec<&PathBuf> = files.iter().filter(|f| f.extension().is_some_and(|e| e == "sh")).collect();
    if let Some(exact) = scripts.iter().find(|f| stem(f) == arg) {
        return Ok((*exact).clone());
    }
    let matches: Vec<&PathBuf> = scripts.into_iter().filter(|f| stem(f).starts_with(arg)).collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Fail::input(format!(
            "nslab: {arg}: no such file, and no bundled scenario is called that\n  = help: `nslab list` lists the bundled scenarios"
        ))),
        many => Err(Fail::input(format!(
            "nslab: {arg}: names {} bundled scenarios: {}\n  = help: give more of the name",
            many.len(),
            many.iter().map(|f| stem(f)).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Every scenario file an argument of `sweep` names: the `.sh` files of a directory, or a
/// file (or bundled name) itself.
pub fn files(args: &[String]) -> Result<Vec<PathBuf>, Fail> {
    let mut out = Vec::new();
    for a in args {
        let p = Path::new(a);
        if p.is_dir() {
            let all = nslab::scenario_files(p).map_err(|e| Fail::input(format!("nslab: {a}: {e}")))?;
            out.extend(all.into_iter().filter(|f| f.extension().is_some_and(|e| e == "sh")));
        } else {
            out.push(resolve(a)?);
        }
    }
    Ok(out)
}
