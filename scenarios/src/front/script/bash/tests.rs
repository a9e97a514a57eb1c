//! The shell language: what a script's commands become, and what is refused.

use crate::command::Command;
use crate::front::script::parse;

/// The command lines a script runs (as steps show them).
fn lines(src: &str) -> Vec<String> {
    let sc = parse("t.sh", src).unwrap_or_else(|e| panic!("{e}"));
    sc.steps.iter().map(|s| s.text.clone()).collect()
}

fn refused(src: &str) -> String {
    parse("t.sh", src).map(|sc| format!("{:?}", sc.steps.len())).expect_err("refused").to_string()
}

#[test]
fn variables_arrays_functions_and_loops() {
    let src = r#"set -e
NODES=("c0" "c1")
IPS=("10.0.1.1/24" "10.0.2.1/24")
function make() {
    local idx=${1:?}
    local ns="ns-${NODES[$idx]}"
    local ip="${IPS[$idx]}"
    ip netns add "${ns}"
    ip -n "$ns" addr add dev lo "${ip%/*}/32"
}
i=0
for _ in "${NODES[@]}"; do
    echo $i
    make ${i}
    i=$((i + 1))
done
"#;
    assert_eq!(
        lines(src),
        [
            "echo 0",
            "ip netns add ns-c0",
            "ip -n ns-c0 addr add dev lo 10.0.1.1/32",
            "echo 1",
            "ip netns add ns-c1",
            "ip -n ns-c1 addr add dev lo 10.0.2.1/32"
        ]
    );
}

#[test]
fn case_if_and_tests() {
    let src = r#"T=restcone
case "$T" in
  fullcone | restcone) echo cone ;;
  *) echo other ;;
esac
case "$T" in
  full*) echo full ;;
  rest?one) echo rest ;;
esac
if [[ "$T" = "fullcone" ]]; then echo a; elif [[ $T == rest* && -n "$T" ]]; then echo b; else echo c; fi
[ "$T" != x ] && echo yes
[[ -z "$U" ]] || echo never
(( 2 > 1 )) && echo math
x=5; while (( x > 3 )); do echo "w$x"; x=$((x-1)); done
for ((k=0; k<2; k++)); do echo "k$k"; done
echo "${#T}" "${T:0:4}" "${T#rest}" "${U:-dflt}" "${T/cone/x}"
"#;
    let l = refused(src);
    assert!(l.contains("not supported yet: this parameter expansion"), "{l}");
    let src = src.replace(r#" "${T/cone/x}""#, "");
    assert_eq!(
        lines(&src),
        [
            "echo cone",
            "echo rest",
            "echo b",
            "echo yes",
            "echo math",
            "echo w5",
            "echo w4",
            "echo k0",
            "echo k1",
            "echo 8 rest cone dflt"
        ]
    );
}

#[test]
fn quoting_and_splitting() {
    let src = r#"A="a b"
echo $A "$A" '$A' "x${A}y" \$A
B=()
echo "${B[@]}" end
C=(1 "2 3")
echo "${C[@]}" ${#C[@]} "${C[*]}"
"#;
    let sc = parse("t.sh", src).unwrap();
    let args: Vec<Vec<String>> = sc
        .steps
        .iter()
        .map(|s| match &s.run {
            Command::Echo { args } => args.clone(),
            c => panic!("{c}"),
        })
        .collect();
    assert_eq!(args[0], ["a", "b", "a b", "$A", "xa by", "$A"]);
    assert_eq!(args[1], ["end"]);
    assert_eq!(args[2], ["1", "2 3", "2", "1 2 3"]);
}

#[test]
fn what_the_run_alone_knows_is_refused() {
    for (src, want) in [
        ("X=$(ip link)\necho $X\n", "command substitution"),
        ("ip netns add a\necho $?\n", "`$?`"),
        ("if ip link show x; then echo y; fi\n", "a condition on a command the lab runs"),
        ("X=1\nip link show x || echo no\n", "`||` after a command"),
        ("f() { f; }\nf\n", "maximum function nesting level exceeded"),
        ("while true; do :; done\n", "the scripts take more than 200000 steps"),
        ("set -x\n", "not supported yet: set -x"),
        ("X=1\n[[ -f /etc/x ]] && echo y\n", "nslab has no files"),
        ("CMD=\"${1:?}\"\n", "1: parameter null or not set"),
        ("set -u\necho $NOPE\n", "NOPE: unbound variable"),
        ("X=1\nexit 3\n", "the script stops here with status 3"),
        ("set -e\nX=1\n[[ $X = 2 ]]\necho no\n", "the script stops here with status 1"),
        ("X=1\nfor x in a; do\n", "syntax error"),
        ("X=1\nfrobnicate $X\n", "unknown command `frobnicate`"),
        ("X=1\n./missing.sh a\n", "./missing.sh: No such file or directory"),
    ] {
        let e = refused(src);
        assert!(e.contains(want), "{src:?}: {e}");
    }
    // The error names the script's line and column.
    let e = refused("X=1\nY=2\n  echo $(ls)\n");
    assert!(e.contains("t.sh:3:"), "{e}");
}

#[test]
fn expectations_belong_to_each_command_of_their_line() {
    let src = "f() {\n  echo \"hi $1\"\n  #> hi {}\n  #! exit: 0\n}\nf a\nf b\n#! seed: 7\n";
    let sc = parse("t.sh", src).unwrap();
    assert_eq!(sc.seed, Some(7));
    assert_eq!(sc.steps.len(), 2);
    for s in &sc.steps {
        assert_eq!(s.expect.len(), 2, "{:?}", s.expect);
    }
    let e = refused("f() { echo a; }\nf\n#> a\n");
    assert!(e.contains("a line that ran no command of its own"), "{e}");
}

#[test]
fn plain_scripts_are_not_programs() {
    use super::is_program;
    assert!(!is_program(&["ip netns add a", "# $HOME", "ping -c 1 10.0.0.1", "#> $ x"]));
    for p in
        ["X=1", "A[2]=x", "f() {", "function f {", "for i in 1 2; do", "echo $X", "echo ${X}", "set -e", "[[ -n x ]]"]
    {
        assert!(is_program(&[p]), "{p}");
    }
}

#[test]
fn nesting_is_bounded_before_the_parser_recurses() {
    for deep in [
        format!("X=1\n{}echo a;{}\n", "{ ".repeat(5000), " }".repeat(5000)),
        format!("X=$(({}1{}))\n", "(".repeat(5000), ")".repeat(5000)),
        format!("X=1\n{}echo a{}\n", "if true; then ".repeat(3000), "; fi".repeat(3000)),
    ] {
        let e = refused(&deep);
        assert!(e.contains("nested more than 100 deep"), "{e}");
    }
    // Just under the bound, in a test's 2 MiB thread: parsed and run.
    let ok = format!("X=1\n{}echo a;{}\n", "{ ".repeat(95), " }".repeat(95));
    assert_eq!(lines(&ok), ["echo a"]);
    let ok = format!("X=1\n{}echo $X{}\n", "if true; then ".repeat(95), "; fi".repeat(95));
    assert_eq!(lines(&ok), ["echo 1"]);
    let ok = format!("echo $(({}1{}))\n", "(".repeat(95), ")".repeat(95));
    assert_eq!(lines(&ok), ["echo 1"]);
}

#[test]
fn a_shell_opened_in_a_namespace_is_left_by_exit() {
    let sc = parse(
        "t.sh",
        "X=n1\nip netns add $X\nip netns exec $X bash\nip link\nexit\nip netns\nexit 0\nip netns del n1\n",
    )
    .unwrap();
    let at: Vec<(Option<&str>, &str)> = sc.steps.iter().map(|s| (s.ns.as_deref(), s.text.as_str())).collect();
    assert_eq!(at, [(None, "ip netns add n1"), (Some("n1"), "ip link"), (None, "ip netns")]);
}

#[test]
fn break_and_continue_leave_the_loops_they_name() {
    let src = "X=1\nfor a in 1 2 3; do\n  for b in x y; do\n    [[ $b = y ]] && continue 2\n    [[ $a = 3 ]] && break 2\n    echo $a$b\n  done\ndone\nfor ((i=0; i<5; i++)); do (( i == 2 )) && break; echo i$i; done\n";
    assert_eq!(lines(src), ["echo 1x", "echo 2x", "echo i0", "echo i1"]);
}

/// The echo lines a script prints (what each `echo` would print), to compare with bash.
fn echoes(src: &str) -> Vec<String> {
    let sc = parse("t.sh", src).unwrap_or_else(|e| panic!("{e}"));
    sc.steps
        .iter()
        .filter_map(|s| if let Command::Echo { args } = &s.run { Some(args.join(" ")) } else { None })
        .collect()
}

/// Each case is what bash 5.2 prints for the same script (checked with `bash -c`).
#[test]
fn statuses_and_set_e_as_bash_has_them() {
    // `set -e` stops only on the last command of a `&&` list.
    assert_eq!(echoes("set -e\n[ x = y ] && echo hi\necho after\n"), ["after"]);
    assert!(refused("set -e\ntrue && false\necho no\n").contains("status 1"));
    // A function's status is its last command's; `return` without a number gives it too.
    let src =
        "is_x() { [[ $1 = x ]]; }\nis_x y && echo yes\nis_x x && echo ok\nr() { false; return; }\nr || echo failed\n";
    assert_eq!(echoes(src), ["ok", "failed"]);
    assert_eq!(echoes("set -e\nis_x() { [[ $1 = x ]]; }\nif is_x y; then echo a; else echo b; fi\n"), ["b"]);
    // A function whose status only the run knows is no condition.
    assert!(refused("has() { ip link show $1; }\nif has eth0; then echo y; fi\n").contains("not supported yet"));
    // `break 2` in one loop leaves that loop; the script goes on.
    assert_eq!(echoes("for i in 1; do break 2; done\necho after\n"), ["after"]);
    // `set -euo pipefail`, the usual header.
    assert_eq!(echoes("set -euo pipefail\necho ok\n"), ["ok"]);
}

#[test]
fn words_as_bash_expands_them() {
    // An assignment's backslash quotes as outside quotes; a here-document's `\$` is `$`.
    assert_eq!(echoes("x=a\\ b\necho \"$x\"\n[[ a\\ b = \"a b\" ]] && echo same\n"), ["a b", "same"]);
    // Unset arrays give no field; `${#a[*]}` counts; a negative index counts from the end.
    assert_eq!(echoes("f() { local -a arr; arr+=(a); echo ${#arr[@]}; }\nf\n"), ["1"]);
    // `local x` without a value is unset yet hides the caller's; `unset` of the running
    // function's local keeps it local (bash 5.2, `bash -c`).
    let src = "x=g\nf() { local x; echo \"[${x-unset}]\"; x=1; echo \"[$x]\"; unset x; echo \"[${x-unset}]\"; }\n\
               f\necho \"[$x]\"\nh() { local -a a; echo \"[${a-u}]\"; a+=(p q); echo ${a[@]}; }\nh\necho \"[${a-u}]\"\n";
    assert_eq!(echoes(src), ["[unset]", "[1]", "[unset]", "[g]", "[u]", "p q", "[u]"]);
    let src = "x=g\nf() { local x=1; g; echo \"[${x-unset}]\"; }\ng() { unset x; }\nf\necho \"[$x]\"\n";
    assert_eq!(echoes(src), ["[g]", "[g]"]);
    assert_eq!(echoes("set -- \"${none[@]}\"\necho $#\n"), ["0"]);
    assert_eq!(
        echoes("a=(1 2 3)\necho ${#a[*]}\na[-1]=x\necho ${a[@]}\nunset 'a[0]'\necho ${a[@]}\n"),
        ["3", "1 2 x", "2 x"]
    );
    // Substrings: past the start is empty; a huge length is the rest.
    assert_eq!(echoes("x=abc\necho \"[${x: -5}]\" ${x:1:9223372036854775807}\n"), ["[] bc"]);
    // `[ ]` reads decimal, arithmetic reads octal.
    assert_eq!(echoes("[ 010 -eq 10 ] && echo dec\nx=010\necho $((x))\n"), ["dec", "8"]);
    // A quoted regular expression matches itself; BASH_REMATCH holds the groups.
    let src = "[[ axb =~ \"a.b\" ]] || echo literal\n[[ ab12 =~ ([a-z]+)([0-9]+) ]] && echo ${BASH_REMATCH[2]}\n";
    assert_eq!(echoes(src), ["literal", "12"]);
    // `unset -f` forgets a function.
    assert!(refused("f() { echo a; }\nunset -f f\nf\n").contains("unknown command `f`"));
}

#[test]
fn what_bash_takes_from_the_machine_is_refused() {
    assert!(refused("for i in {1..3}; do echo $i; done\n").contains("not supported yet: brace expansion"));
    assert!(refused("set -e\necho $HOME\n").contains("not supported yet: $HOME"));
    assert!(refused("set -e\nIFS=,\n").contains("bash's own variable IFS"));
    assert!(refused("set -e\nreadonly x=1\n").contains("not supported yet: `readonly`"));
    // The same name set by the script is the script's.
    assert_eq!(echoes("set -e\nUSER=me\necho $USER\n"), ["me"]);
}

#[test]
fn work_and_memory_are_bounded() {
    // Nested loops: each is under its own bound; together under the file's.
    let e = refused("set -e\nfor ((i=0;i<90000;i++)); do for ((j=0;j<90000;j++)); do :; done; done\n");
    assert!(e.contains("more than 200000 steps"), "{e}");
    // A function calling itself twice at each level.
    let e = refused("f() { (( $1 < 30 )) || return 0; f $(( $1 + 1 )); f $(( $1 + 1 )); }\nf 0\n");
    assert!(e.contains("more than 200000 steps"), "{e}");
    // A value that doubles.
    let e = refused("set -e\nx=ab\nwhile true; do x=$x$x; done\n");
    assert!(e.contains("a value longer than"), "{e}");
    // Many elements, written in place (quick, not quadratic).
    assert_eq!(echoes("for ((i=0;i<20000;i++)); do a[i]=x; done\necho ${#a[@]}\n"), ["20000"]);
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    // `done` as an argument closes nothing, so braces around it still count.
    let mut src = String::from("X=1\n");
    src.push_str(&"{ echo done; ".repeat(5000));
    src.push_str(&" }".repeat(5000));
    src.push('\n');
    assert!(refused(&src).contains("nested more than"), "braces");
    // Inside double quotes, `$((` and `${` nest too.
    let src = format!("x=\"{}1{}\"\n", "$(( (".repeat(3000), ") ))".repeat(3000));
    assert!(refused(&src).contains("nested more than"), "arithmetic in quotes");
    // An expression built while the script runs, too long for bash's parsers.
    let e = refused("s=''\nfor ((i=0;i<11000;i++)); do s+='! '; done\n[ $s x ]\n");
    assert!(e.contains("longer than 10000 characters"), "{e}");
}

/// However the nesting scan is fooled, bash's parser meets at most `MAX_OPENERS` openers,
/// and the front end's stack (`super::super::STACK`) holds that many nested: each kind the
/// parser recurses on, parsed on a thread with that stack.
#[test]
fn the_front_end_stack_holds_the_most_openers() {
    let n = super::MAX_OPENERS / 2;
    let kinds = [
        format!("{}:{}\n", "{ ".repeat(n), "; }".repeat(n)),
        format!("{}:{}\n", "if :; then ".repeat(n / 2), "; fi".repeat(n / 2)),
        format!("x=$(({}1{}))\n", "(".repeat(n), ")".repeat(n)),
        format!("x=\"{}1{}\"\n", "${x:-".repeat(n / 2), "}".repeat(n / 2)),
        format!("{}:{}\n", "case x in x) ".repeat(n / 2), ";; esac".repeat(n / 2)),
    ];
    // (A stack overflow aborts the test binary; whether each parses is not the point.)
    for src in kinds {
        let _parsed = std::thread::Builder::new()
            .stack_size(super::super::STACK)
            .spawn(move || {
                let opts = brush_parser::ParserOptions::default();
                brush_parser::Parser::new(std::io::BufReader::new(src.as_bytes()), &opts).parse_program().is_ok()
            })
            .unwrap()
            .join()
            .unwrap();
    }
}

/// From the second review: `set -e` and compound commands, `return`'s status after a lab
/// command, a regex's backslash, `break` inside a function (each as bash 5.2 prints it).
#[test]
fn second_review_cases_as_bash_has_them() {
    assert_eq!(echoes("set -e\nif true; then [ a = b ] && echo x; fi\necho after\n"), ["after"]);
    assert_eq!(
        echoes("set -e\n{ [ a = b ] && echo x; }\ncase y in y) [ a = b ] && echo x ;; esac\necho after\n"),
        ["after"]
    );
    assert!(refused("set -e\nf() { [ a = b ] && echo x; }\nf\necho no\n").contains("status 1"));
    let src = "set -e\nf() { [ -n \"$V\" ] && echo v; ip netns add a; return; }\nf\necho after\n";
    assert_eq!(echoes(src), ["after"]);
    assert_eq!(echoes("[[ axb =~ a\\.b ]] || echo no\n[[ a.b =~ ^a\\.b$ ]] && echo yes\n"), ["no", "yes"]);
    let src = "f() { for i in 1 2; do break 2; done; echo in-f; }\nfor j in a b; do f; done\n";
    assert_eq!(echoes(src), ["in-f", "in-f"]);
}

#[test]
fn what_scripts_hold_is_bounded_in_all() {
    // Values under the 1 MiB bound each, but many of them.
    let src = "x=a\nfor ((i=0;i<20;i++)); do x=$x$x; done\nfor ((i=0;i<1000;i++)); do a[i]=\"$x\"; done\n";
    let e = refused(src);
    assert!(e.contains("write more than 268435456 bytes"), "{e}");
}
