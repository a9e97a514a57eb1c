//! What a terminal session pasted from a tutorial brings with it, recognised as the
//! terminal ran it: shell prompts (`$ `, `# `, `user@host:~$ `, `root@host:/path# `,
//! `[user@host dir]$ `, `(venv) $ `), a shell opened inside a namespace (`ip netns exec X
//! bash` … `exit`), `/proc/sys` read with `cat` and written with `echo V >`, and the
//! commands nslab does not run, named with what does the same (net-tools' `ifconfig` →
//! `ip addr`).
//!
//! It owns the recognising only; [`super::parse`] decides what the lines become, and must
//! not grow prompt patterns of its own.

use super::lexer::Tok;
use crate::command::{Command, SysctlOut};
use crate::error::Span;

/// The programs a pasted line may start with (after `sudo`): those nslab runs, and those it
/// recognises to refuse with what to use instead. A `# ` line starting with one of them is
/// a root prompt in a transcript.
const COMMANDS: &[&str] = &[
    "ip",
    "sysctl",
    "ping",
    "ping6",
    "tcpdump",
    "sleep",
    "kill",
    "wait",
    "brctl",
    "bridge",
    "traceroute",
    "traceroute6",
    "dnsmasq",
    "dhclient",
    "iptables",
    "iptables-nft",
    "iptables-save",
    "iptables-restore",
    "conntrack",
    "tc",
    "nc",
    "ncat",
    "netcat",
    "input",
    "curl",
    "python3",
    "echo",
    "cat",
    "exit",
    "bash",
    "sh",
    "su",
    "sudo",
    "ss",
    "arping",
];

/// Whether `word` names a command a pasted line may run (or that nslab names a substitute
/// for).
pub fn is_command(word: &str) -> bool {
    COMMANDS.contains(&word) || crate::command::programs::program(word).is_some() || instead(word).is_some()
}

/// How a file's lines are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// One command per line; `#` begins a comment.
    Script,
    /// A terminal session: commands follow a prompt (`$ `, `user@host:~$ `, `root@host:/#
    /// `); the lines after one are its output; `# …` lines are the author's comments.
    Transcript,
    /// A root terminal session written with bare `# ` prompts (`# ip netns add pc`): a `# `
    /// line whose first word is a command is one; other `#` lines are comments.
    RootTranscript,
}

/// The length in bytes of the prompt `line` starts with (a blank after it included), for
/// every prompt but the bare `# ` (which only [`Style::RootTranscript`] reads as one).
pub fn prompt_len(line: &str) -> Option<usize> {
    let mut skip = 0;
    // `(venv) ` before the prompt proper.
    if let Some(rest) = line.strip_prefix('(')
        && let Some(close) = rest.find(") ")
        && close > 0
        && !rest[..close].contains(char::is_whitespace)
    {
        skip = close + 3;
    }
    let s = &line[skip..];
    let end = |n: usize| if s[n..].starts_with(' ') { skip + n + 1 } else { skip + n };
    if s == "$" || s.starts_with("$ ") {
        return Some(end(1));
    }
    if skip > 0 && (s == "#" || s.starts_with("# ")) {
        return Some(end(1));
    }
    // `[user@host dir]$ `.
    if s.starts_with('[') {
        let close = s.find(']')?;
        let inner = &s[1..close];
        let after = s[close + 1..].chars().next()?;
        if inner.contains('@') && matches!(after, '$' | '#') && at_end_or_blank(s, close + 2) {
            return Some(end(close + 2));
        }
        return None;
    }
    // `user@host:path$ ` (the `:path` part may be absent).
    let sign = s.find(['$', '#'])?;
    let head = &s[..sign];
    let (who, path) = head.split_once(':').unwrap_or((head, ""));
    let (user, host) = who.split_once('@')?;
    let name = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || "_.-".contains(c));
    (name(user) && name(host) && !path.contains(char::is_whitespace) && at_end_or_blank(s, sign + 1))
        .then(|| end(sign + 1))
}

fn at_end_or_blank(s: &str, i: usize) -> bool {
    s.len() == i || s[i..].starts_with(' ')
}

/// The command after a bare `# ` prompt, if the line is one: `# ip netns add pc`.
pub fn root_prompt(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("# ")?;
    first_command(rest).map(|_| rest)
}

/// The first word of a command line, past `sudo`, if it is a command.
fn first_command(text: &str) -> Option<&str> {
    let mut words = text.split_whitespace();
    let mut w = words.next()?;
    while w == "sudo" {
        w = words.next().unwrap_or(w);
        if w == "sudo" {
            break;
        }
    }
    is_command(w).then_some(w)
}

/// Reads how `lines` are meant: a transcript if any line starts with a `$`-style prompt
/// (or `user@host…# `); a root transcript if a bare `# COMMAND` line is followed by a line
/// that is its output (neither a command nor a comment), or if `# COMMAND` lines are all
/// the commands there are; else a script (where `# …` stays a comment).
pub fn style(lines: &[&str]) -> Style {
    if lines.iter().any(|l| prompt_len(l).is_some()) {
        return Style::Transcript;
    }
    let plain = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let mut roots = 0;
    for (i, l) in lines.iter().enumerate() {
        if root_prompt(l).is_none() {
            continue;
        }
        roots += 1;
        if let Some(next) = lines.get(i + 1)
            && plain(next)
            && first_command(next.trim_start()).is_none()
        {
            return Style::RootTranscript;
        }
    }
    let commands = lines.iter().filter(|l| plain(l)).count();
    if roots > 0 && commands == 0 { Style::RootTranscript } else { Style::Script }
}

/// Whether `words` (past `sudo` and `ip netns exec X`) start an interactive shell — `bash`,
/// `sh`, `zsh`, `su`, `sudo -i`, `sudo su -` — which reads the lines up to `exit`.
pub fn is_shell(words: &[&str]) -> bool {
    match words {
        ["bash" | "sh" | "zsh" | "su"] | ["sudo", "-i" | "-s"] => true,
        ["bash" | "sh" | "zsh" | "su", "-" | "-l" | "--login" | "-i"] => true,
        ["sudo", rest @ ..] if rest.first().is_some_and(|w| !w.starts_with('-')) => is_shell(rest),
        _ => false,
    }
}

/// A line that leaves a shell [`is_shell`] opened.
pub fn closes_shell(words: &[(String, Span)]) -> bool {
    matches!(words, [(w, _)] if w == "exit" || w == "logout")
        || matches!(words, [(w, _), (n, _)] if w == "exit" && n.parse::<u8>().is_ok())
}

/// `/proc/sys/net/ipv4/ip_forward` as sysctl names it (`net.ipv4.ip_forward`).
fn proc_sys_key(path: &str) -> Option<String> {
    let rel = path.strip_prefix("/proc/sys/")?.trim_end_matches('/');
    (!rel.is_empty()).then(|| sim_nodes::netns::sysctl::normalize(rel))
}

/// `echo V > /proc/sys/…`, `echo V | tee /proc/sys/…` and `cat /proc/sys/…`: the sysctl
/// they are (the write prints nothing, the read prints the value alone). `Err` is a file
/// that is not under `/proc/sys`, which nslab does not have.
pub fn proc_sys(toks: &[Tok]) -> Option<Result<Command, (Span, String)>> {
    fn word(t: &Tok) -> Option<&str> {
        if let Tok::Word(w, _) = t { Some(w.as_str()) } else { None }
    }
    let no_file = |s: Span, path: &str| {
        Err((s, format!("not supported yet: files ({path}); nslab has /proc/sys only, as sysctl keys")))
    };
    match toks {
        [Tok::Word(cat, _), Tok::Word(path, s)] if cat == "cat" => Some(match proc_sys_key(path) {
            Some(key) => Ok(Command::Sysctl { key, value: None, out: SysctlOut::Values }),
            None => no_file(*s, path),
        }),
        [Tok::Word(echo, _), middle @ .., Tok::Op(op, _), Tok::Word(path, s)]
            if echo == "echo" && (op == ">" || op == ">>") && middle.iter().all(|t| word(t).is_some()) =>
        {
            let value: Vec<&str> = middle.iter().filter_map(word).collect();
            Some(match proc_sys_key(path) {
                Some(key) => Ok(Command::Sysctl { key, value: Some(value.join(" ")), out: SysctlOut::Quiet }),
                None => no_file(*s, path),
            })
        }
        [Tok::Word(echo, _), ..] if echo == "echo" => {
            let bar = toks.iter().position(|t| matches!(t, Tok::Op(o, _) if o == "|"))?;
            let (middle, after) = (&toks[1..bar], &toks[bar + 1..]);
            let after = match after {
                [Tok::Word(sudo, _), r @ ..] if sudo == "sudo" => r,
                r => r,
            };
            let [Tok::Word(tee, _), Tok::Word(path, s)] = after else { return None };
            if tee != "tee" || !middle.iter().all(|t| word(t).is_some()) {
                return None;
            }
            let value: Vec<&str> = middle.iter().filter_map(word).collect();
            // tee prints what it wrote.
            Some(match proc_sys_key(path) {
                Some(key) => Ok(Command::Sysctl { key, value: Some(value.join(" ")), out: SysctlOut::Values }),
                None => no_file(*s, path),
            })
        }
        _ => None,
    }
}

/// A line typed into a program without the author's note after it (`Hello World! # <-
/// type anything`): 001's capture shows 13 bytes sent for that line, the text and its
/// newline.
pub fn without_note(line: &str) -> &str {
    line.split_once(" # ").map_or(line, |(t, _)| t).trim_end()
}

/// What to use instead of a command nslab does not run: net-tools and the tools a
/// tutorial reaches for next.
pub fn instead(prog: &str) -> Option<&'static str> {
    Some(match prog {
        "ifconfig" => {
            "net-tools are not modelled: `ip addr` shows addresses, `ip addr add A/N dev X` sets one, `ip link set X up` brings it up"
        }
        "route" => "net-tools are not modelled: `ip route` shows the routes, `ip route add default via GW` adds one",
        "arp" => "net-tools are not modelled: `ip neigh` shows the ARP cache",
        "netstat" => "net-tools are not modelled: `ip route` for `netstat -rn`, `ss -tuna` for sockets",
        "brctl-show" => "`brctl show`",
        "nft" => "nslab models iptables (iptables-nft): write the rules with `iptables`",
        "telnet" => "`nc HOST PORT` opens a TCP connection",
        "wget" => "`curl -I http://HOST/`",
        "dig" | "nslookup" | "host" => "not supported yet: DNS",
        "ethtool" => "`ip link show DEV` shows what nslab models of a device",
        "docker" => {
            "nslab runs `docker network create|connect|rm`, `docker run`, `docker exec` and `docker rm` as the `ip` and `iptables` lines they are"
        }
        "systemd-nspawn" | "machinectl" | "chroot" | "debootstrap" => {
            "nslab has no containers: `ip netns exec NS bash` opens a shell in the namespace a container would join (its `--network-namespace-path=/var/run/netns/NS`)"
        }
        "apt" | "apt-get" | "yum" | "dnf" => {
            "nslab brings its tools with it: there is nothing to install (delete this line)"
        }
        "man" | "info" => "nslab has no manual pages: read them on your machine (delete this line)",
        "systemctl" | "service" => "nslab starts programs itself: run the daemon's command (`dnsmasq …`)",
        "ls" | "cd" | "pwd" | "vi" | "vim" | "nano" | "touch" | "mkdir" | "chmod" => {
            "nslab has no files: give a program's input as a here-document"
        }
        _ => return None,
    })
}

/// What to type instead of opening a settings file in an editor (`vi
/// /proc/sys/net/ipv4/ip_forward`, `nano /etc/sysctl.conf`): the line that sets it.
pub fn editing(prog: &str, args: &[&str]) -> Option<String> {
    if !matches!(prog, "vi" | "vim" | "nano" | "emacs") {
        return None;
    }
    let path = args.iter().find(|a| !a.starts_with('-'))?;
    if let Some(key) = path.strip_prefix("/proc/sys/") {
        let key = key.replace('/', ".");
        return Some(format!(
            "nslab has no files: a file under /proc/sys is a setting; `echo VALUE > {path}` or `sysctl -w {key}=VALUE` sets it"
        ));
    }
    (*path == "/etc/sysctl.conf" || path.starts_with("/etc/sysctl.d/")).then(|| {
        "nslab has no files: give the settings you would write there to `sysctl -p - <<EOF`, the lines, then `EOF`"
            .to_string()
    })
}

/// The supported command nearest to a misspelt one (`pign` → `ping`), if one is near.
pub fn nearest(prog: &str) -> Option<&'static str> {
    let programs = crate::command::programs::PROGRAMS.iter().map(|p| p.name);
    let known: Vec<&'static str> = COMMANDS
        .iter()
        .copied()
        .chain(programs)
        .filter(|c| !matches!(*c, "echo" | "cat" | "exit" | "sudo" | "su" | "bash" | "sh"))
        .collect();
    crate::error::nearest(prog, &known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_as_terminals_print_them() {
        for (line, cmd) in [
            ("$ ip link", "ip link"),
            ("$", ""),
            ("ubuntu@ip-172-31-59-121:~$ sudo ip netns exec ns1 bash", "sudo ip netns exec ns1 bash"),
            ("root@ip-xxx:/home/ubuntu# ping 8.8.8.8 -c 2", "ping 8.8.8.8 -c 2"),
            ("user@host$ ip a", "ip a"),
            ("[root@centos ~]# ip route", "ip route"),
            ("(venv) $ python3 -m http.server", "python3 -m http.server"),
            ("(venv) user@box:~/src$ curl -I http://x/", "curl -I http://x/"),
        ] {
            let n = prompt_len(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(&line[n..], cmd, "{line}");
        }
        for not in ["# ip link", "ip link", "echo a@b:c$d", "64 bytes from 1.1.1.1: icmp_seq=1", "a@b c$ x", "$HOME"] {
            assert_eq!(prompt_len(not), None, "{not}");
        }
    }

    #[test]
    fn a_root_transcript_is_told_by_its_output_lines() {
        let pasted = ["# ip netns show", "# ip netns add test_ns", "# ip netns show", "test_ns"];
        assert_eq!(style(&pasted), Style::RootTranscript);
        let only_prompts = ["# ip netns add pc", "# ip netns add printer"];
        assert_eq!(style(&only_prompts), Style::RootTranscript);
        let script = ["# ip netns add is what makes one", "ip netns add a", "ip -n a link show"];
        assert_eq!(style(&script), Style::Script);
        let comments = ["# Two namespaces", "ip netns add a"];
        assert_eq!(style(&comments), Style::Script);
        assert_eq!(style(&["$ ip netns add a", "# ip comment"]), Style::Transcript);
    }

    fn words(s: &str) -> Vec<(String, Span)> {
        s.split_whitespace().map(|w| (w.to_string(), Span::default())).collect()
    }

    #[test]
    fn shells() {
        for sh in [&["bash"][..], &["sudo", "-i"], &["sudo", "su", "-"], &["sh"], &["zsh", "-l"]] {
            assert!(is_shell(sh), "{sh:?}");
        }
        for not in [&["bash", "-c", "ip a"][..], &["ip", "link"], &["sudo"], &["sudo", "-u", "x", "bash"]] {
            assert!(!is_shell(not), "{not:?}");
        }
        assert!(closes_shell(&words("exit")) && closes_shell(&words("exit 0")) && !closes_shell(&words("exit x")));
    }

    #[test]
    fn misspelt_and_replaced_commands() {
        assert_eq!(nearest("pign"), Some("ping"));
        assert_eq!(nearest("tcpdupm"), Some("tcpdump"));
        assert_eq!(nearest("iptable"), Some("iptables"));
        assert_eq!(nearest("frobnicate"), None);
        assert!(instead("ifconfig").unwrap().contains("ip addr"));
        assert!(instead("route").unwrap().contains("ip route"));
        let vi = editing("vi", &["/proc/sys/net/ipv4/ip_forward"]).unwrap();
        assert!(vi.contains("`sysctl -w net.ipv4.ip_forward=VALUE`"), "{vi}");
        assert!(editing("vim", &["/etc/sysctl.conf"]).unwrap().contains("sysctl -p -"));
        assert_eq!(editing("vi", &["notes.txt"]), None);
    }
}
