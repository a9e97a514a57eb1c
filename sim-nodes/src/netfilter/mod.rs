//! Netfilter for one namespace: the `filter` and `nat` tables, connection tracking and NAT,
//! with Linux's semantics; the hooks that call them are in `netns::hooks`.
//!
//! | module | owns |
//! |---|---|
//! | [`rule`] | a rule's matches and target; what a packet looks like to them |
//! | [`cli`] | `iptables` and `conntrack` arguments, with the tools' own errors |
//! | [`table`] | chains, policies, counters; applying commands; walking a chain |
//! | [`show`] | `iptables -L` / `-S` output |
//! | [`save`] | `iptables-save` / `iptables-restore` |
//! | [`conntrack`] | tuples, entries, timeouts, events, `conntrack -L` / `-E` lines |
//! | [`nat`] | packets' tuples; rewriting for NAT; choosing source ports |
//! | [`tcp`] | TCP connection states, as `nf_conntrack_proto_tcp` tracks them |

pub mod cli;
pub mod conntrack;
pub mod nat;
pub mod rule;
pub mod save;
pub mod show;
pub mod table;
pub mod tcp;

pub use cli::{CliError, Cmd, Op, TableId};
pub use conntrack::Conntrack;
pub use table::{Tables, Verdict};

/// A namespace's netfilter state.
#[derive(Clone, Debug, Default)]
pub struct Netfilter {
    /// The tables.
    pub tables: Tables,
    /// Connection tracking.
    pub ct: Conntrack,
    /// Packets dropped because no source port was free for a NAT.
    pub nat_exhausted: u64,
    /// The timeouts as last read from the sysctls, with the sysctl generation read.
    pub timeouts: Option<(u64, conntrack::Timeouts)>,
}

/// A `conntrack` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CtCmd {
    /// `conntrack -E [-p P]`: follow events.
    Events(Option<u8>),
    /// `conntrack -L [-p P]`: list.
    List(Option<u8>),
    /// `conntrack -F`: flush.
    Flush,
}

/// The line conntrack-tools prints after its results.
pub const CONNTRACK_VERSION: &str = "conntrack v1.4.7 (conntrack-tools)";

/// Parses the words after `conntrack`.
pub fn parse_conntrack<S: AsRef<str>>(args: &[S]) -> Result<CtCmd, CliError> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let bad = |m: String, w: Option<&str>| CliError {
        message: format!("{CONNTRACK_VERSION}: {m}\nTry `conntrack -h' or 'conntrack --help' for more information."),
        status: 2,
        word: w.map(str::to_string),
    };
    let mut mode = None;
    let mut proto = None;
    let mut i = 0;
    while i < args.len() {
        match args[i] {
            "-E" | "--event" => mode = Some('E'),
            "-L" | "--dump" => mode = Some('L'),
            "-F" | "--flush" => mode = Some('F'),
            "-p" | "--proto" => {
                i += 1;
                let v = args.get(i).ok_or_else(|| bad("option `-p' requires an argument".into(), Some("-p")))?;
                proto =
                    Some(cli::proto_number(v).ok_or_else(|| bad(format!("proto `{v}' is not supported"), Some(v)))?);
            }
            "-e" | "-o" | "--output" | "-s" | "-d" | "--sport" | "--dport" | "-n" | "-g" => {
                return Err(bad(format!("not supported yet: conntrack {}", args[i]), Some(args[i])));
            }
            o => return Err(bad(format!("unknown option `{o}'"), Some(o))),
        }
        i += 1;
    }
    match mode {
        Some('E') => Ok(CtCmd::Events(proto)),
        Some('L') => Ok(CtCmd::List(proto)),
        Some('F') => Ok(CtCmd::Flush),
        _ => Err(bad("no command specified".into(), None)),
    }
}
