//! A script of the shell language (seed 004's `netns.sh`: functions, arrays, `local`, a
//! loop, a `case` on each NAT's type) against bash itself: bash runs it with `ip`,
//! `iptables` and `sysctl` replaced by stubs that print their words, and the commands it
//! ran must be the steps nslab's front end made of it, in order, word for word — for each
//! NAT type the script knows and for `create` and `clean`.

use nslab::scenarios::{self, Command};
use std::path::{Path, PathBuf};
use std::process::Command as Proc;

fn netns_sh() -> String {
    let p = nslab::default_scenario_dir().join("pasted/004-nat-types/netns.sh");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A fresh directory of the test's own under the system's temporary directory.
fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nslab-bash-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("bin")).unwrap();
    d
}

/// What bash runs: each stubbed command's words, and each `echo`'s line.
fn bash_runs(dir: &Path, args: &[&str]) -> (Vec<String>, i32, String) {
    use std::os::unix::fs::PermissionsExt;
    for tool in ["ip", "iptables", "sysctl"] {
        let p = dir.join("bin").join(tool);
        std::fs::write(&p, format!("#!/bin/sh\necho \"{tool} $*\"\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    let out =
        Proc::new("bash").arg("netns.sh").args(args).current_dir(dir).env("PATH", path).output().expect("bash runs");
    let lines = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    (lines, out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// What nslab makes of `./netns.sh ARGS` typed at a prompt: each step's words.
fn nslab_runs(dir: &Path, args: &[&str]) -> Result<Vec<String>, String> {
    let file = dir.join("t.sh");
    let text = format!("$ sudo ./netns.sh {}\n", args.join(" "));
    let sc = scenarios::load(&file.display().to_string(), &text).map_err(|e| e.to_string())?;
    Ok(sc
        .steps
        .iter()
        .map(|s| match &s.run {
            Command::Echo { args } => args.join(" "),
            _ => s.words.iter().map(|(w, _)| w).collect::<Vec<_>>().join(" "),
        })
        .collect())
}

#[test]
fn netns_sh_runs_as_bash_runs_it_for_every_nat_type() {
    let original = netns_sh();
    let types = r#"NAT_TYPES=("fullcone" "restcone")"#;
    assert!(original.contains(types), "netns.sh sets NAT_TYPES");
    for (k, pair) in
        [["fullcone", "restcone"], ["portrestcone", "symmetric"], ["symmetric", "fullcone"], ["none", "restcone"]]
            .iter()
            .enumerate()
    {
        let dir = scratch(&k.to_string());
        let script = original.replace(types, &format!("NAT_TYPES=(\"{}\" \"{}\")", pair[0], pair[1]));
        std::fs::write(dir.join("netns.sh"), script).unwrap();
        for args in [&["create"][..], &["clean"]] {
            let (want, status, err) = bash_runs(&dir, args);
            assert_eq!(status, 0, "bash netns.sh {args:?}: {err}");
            let got = nslab_runs(&dir, args).unwrap_or_else(|e| panic!("{pair:?} {args:?}: {e}"));
            assert_eq!(got, want, "{pair:?} {args:?}");
            assert!(want.len() >= 7, "{pair:?} {args:?}: {want:?}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn netns_sh_without_its_argument_stops_as_bash_does() {
    let dir = scratch("noarg");
    std::fs::write(dir.join("netns.sh"), netns_sh()).unwrap();
    let (out, status, err) = bash_runs(&dir, &[]);
    assert!(out.is_empty() && status == 1, "{out:?} {status}");
    assert!(err.contains("1: parameter null or not set"), "{err}");
    let e = nslab_runs(&dir, &[]).expect_err("refused");
    assert!(e.contains("netns.sh:3:") && e.contains("1: parameter null or not set"), "{e}");
    // An unknown command word runs nothing (bash falls through both `if`s): a scenario of
    // nothing else has no step, and says so.
    let (out, status, _) = bash_runs(&dir, &["frob"]);
    assert!(out.is_empty() && status == 0);
    let e = nslab_runs(&dir, &["frob"]).expect_err("nothing to run");
    assert!(e.contains("no commands"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A script that runs itself (`sudo ./x.sh`, which the line reader, not the interpreter,
/// takes apart) stops at the depth bound with a clear error, not a stack overflow.
#[test]
fn a_script_that_runs_itself_is_refused() {
    let dir = std::env::temp_dir().join(format!("nslab-rec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("x.sh"), "#!/bin/bash\nip netns add a$1\nsudo ./x.sh 1$1\n").unwrap();
    let top = dir.join("t.sh");
    let top = top.to_str().unwrap();
    for text in ["$ sudo ./x.sh 0\n", "ip netns add a\nsudo ./x.sh 0\n"] {
        let e = scenarios::load(top, text).map(|_| ()).expect_err("refused").to_string();
        assert!(e.contains("scripts run each other more than 32 deep (run by "), "{e}");
        assert_eq!(e.matches("(run by").count(), 1, "{e}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
