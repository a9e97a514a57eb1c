//! `nslab convert`: a scenario in the other form. A script becomes RON with its
//! expectations; RON becomes a script whose expectations are `#>` / `#!` comments.

use crate::command::{Expect, Scenario};
use ron::extensions::Extensions;

fn compact<T: serde::Serialize>(v: &T) -> Result<String, ron::Error> {
    let cfg = ron::ser::PrettyConfig::new()
        .struct_names(false)
        .compact_structs(true)
        .compact_arrays(true)
        .extensions(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES);
    let s = ron::Options::default().to_string_pretty(v, cfg)?;
    Ok(s.lines().filter(|l| !l.starts_with("#![")).collect::<Vec<_>>().join(" "))
}

fn quote(s: &str) -> Result<String, ron::Error> {
    compact(&s)
}

/// The RON form of a scenario: one line per command, one line per expected output line.
/// A pasted session's programs in another terminal and its `^C` and typed lines have no
/// RON form yet: such a scenario is refused rather than changed. (A transcript's failure
/// that the session shows needs `Exit(N)` in RON.)
pub fn to_ron(sc: &Scenario) -> Result<String, ron::Error> {
    if sc.steps.iter().any(|s| s.other_terminal || s.of_step.is_some()) {
        return Err(ron::Error::Message(
            "not supported yet: a pasted session's other terminals and ^C in RON (keep it a script)".into(),
        ));
    }
    let mut o = String::from("#![enable(implicit_some)]\n#![enable(unwrap_variant_newtypes)]\n(\n");
    if !sc.description.is_empty() {
        o.push_str(&format!("    description: {},\n", quote(&sc.description)?));
    }
    if let Some(s) = sc.seed {
        o.push_str(&format!("    seed: {s},\n"));
    }
    if let Some(k) = &sc.kernel_skip {
        o.push_str(&format!("    kernel_skip: {},\n", quote(k)?));
    }
    o.push_str("    steps: [\n");
    for st in &sc.steps {
        o.push_str("        (");
        if let Some(ns) = &st.ns {
            o.push_str(&format!("ns: {}, ", quote(ns)?));
        }
        o.push_str(&format!("run: {}", compact(&st.run)?));
        if st.background {
            o.push_str(", background: true");
        }
        if let Some(g) = &st.grep {
            o.push_str(&format!(", grep: {}", compact(g)?));
        }
        if !st.expect.is_empty() {
            o.push_str(", expect: [\n");
            for x in &st.expect {
                let (name, lines) = match x {
                    Expect::Output(l) => ("Output", l),
                    Expect::Contains(l) => ("Contains", l),
                    Expect::Lacks(l) => ("Lacks", l),
                    Expect::Exit(n) => {
                        o.push_str(&format!("            Exit({n}),\n"));
                        continue;
                    }
                };
                o.push_str(&format!("            {name}([\n"));
                for l in lines {
                    o.push_str(&format!("                {},\n", quote(l)?));
                }
                o.push_str("            ]),\n");
            }
            o.push_str("        ]");
        }
        if !st.differs.is_empty() {
            o.push_str(", differs: [\n");
            for k in &st.differs {
                let mut r = if k.repeats { ", repeats: true".to_string() } else { String::new() };
                if let Some(pct) = k.within {
                    r.push_str(&format!(", within: {pct}"));
                }
                o.push_str(&format!("            (line: {}, why: {}{r}),\n", quote(&k.line)?, quote(&k.why)?));
            }
            o.push_str("        ]");
        }
        o.push_str("),\n");
    }
    o.push_str("    ],\n)\n");
    Ok(o)
}

/// The shell-script form of a scenario.
pub fn to_script(sc: &Scenario) -> String {
    let mut out = String::from("#!/bin/sh\n");
    if !sc.description.is_empty() {
        out.push_str(&format!("#! description: {}\n", sc.description));
    }
    if let Some(s) = sc.seed {
        out.push_str(&format!("#! seed: {s}\n"));
    }
    if let Some(k) = &sc.kernel_skip {
        out.push_str(&format!("#! kernel-skip: {k}\n"));
    }
    for step in &sc.steps {
        out.push_str(&step.shell_line());
        out.push('\n');
        for x in &step.expect {
            match x {
                Expect::Output(lines) => {
                    for l in lines {
                        if l.is_empty() {
                            out.push_str("#>\n");
                        } else {
                            out.push_str(&format!("#> {l}\n"));
                        }
                    }
                }
                Expect::Contains(lines) => lines.iter().for_each(|l| out.push_str(&format!("#! contains: {l}\n"))),
                Expect::Lacks(lines) => lines.iter().for_each(|l| out.push_str(&format!("#! lacks: {l}\n"))),
                Expect::Exit(n) => out.push_str(&format!("#! exit: {n}\n")),
            }
        }
        for k in &step.differs {
            match k.within {
                Some(pct) if k.line.is_empty() => out.push_str(&format!("#! within: {pct}% -- {}\n", k.why)),
                Some(pct) => out.push_str(&format!("#! within: {pct}% {} -- {}\n", k.line, k.why)),
                None => {
                    let d = if k.repeats { "repeats" } else { "differs" };
                    out.push_str(&format!("#! {d}: {} -- {}\n", k.line, k.why));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SH: &str = "#! seed: 4\nip netns add a\nip -n a link set lo up\nip netns exec a ping -c 1 127.0.0.1 | grep -v rtt\n#> PING {}\n#! exit: 0\nip netns exec a tcpdump -tnel -i lo icmp &\n";

    #[test]
    fn script_to_ron_to_script_keeps_the_commands() {
        let sc = crate::front::script::parse("a.sh", SH).unwrap();
        let ron = to_ron(&sc).unwrap();
        let back = crate::front::ron::parse("a.ron", &ron).unwrap_or_else(|e| panic!("{e}\n{ron}"));
        let strip = |s: &Scenario| {
            s.steps
                .iter()
                .map(|x| (x.ns.clone(), x.run.clone(), x.background, x.grep.clone(), x.expect.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&sc), strip(&back));
        let sh = to_script(&back);
        let again = crate::front::script::parse("b.sh", &sh).unwrap_or_else(|e| panic!("{e}\n{sh}"));
        assert_eq!(strip(&sc), strip(&again));
        assert_eq!(again.seed, Some(4));
    }
}
