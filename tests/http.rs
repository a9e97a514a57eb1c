//! curl and Python's http.server on the sim's TCP: what each prints when the other side
//! misbehaves, as the kernel run of the same steps printed it (`nslab diff` agreed).

mod common;

/// E8's lan - router - wan, up to its first iptables step.
fn topology() -> String {
    let text = std::fs::read_to_string(common::scenario_path("e08-masquerade.sh")).unwrap();
    let end = text.find("# No NAT rule yet").unwrap();
    text[..end].to_string()
}

fn out(r: &nslab::scenarios::run::sim::Run, step_starts: &str) -> Vec<String> {
    let i = r.steps.iter().position(|s| s.text.starts_with(step_starts)).expect("step");
    r.rendered.steps[i].output.clone()
}

#[test]
fn curl_reports_a_server_that_closes_without_an_answer() {
    let text = format!(
        "{}$ ip netns exec wan nc -l 9000 &\n$ ip netns exec lan curl -I http://203.0.113.1:9000/ &\n\
         $ sleep 0.5\n$ kill %1\n$ sleep 0.5\n",
        topology()
    );
    let r = common::run_text("curl52.sh", &text).unwrap();
    assert_eq!(out(&r, "nc -l")[0], "HEAD / HTTP/1.1");
    assert_eq!(out(&r, "curl -I"), vec!["curl: (52) Empty reply from server"]);
}

#[test]
fn python_answers_a_line_it_cannot_parse_with_the_page_alone() {
    let text = format!(
        "{}$ ip netns exec wan python3 -m http.server 8000 --bind 203.0.113.1 &\n\
         $ echo GARBAGE | ip netns exec lan nc 203.0.113.1 8000\n$ sleep 0.5\n",
        topology()
    );
    let r = common::run_text("http400.sh", &text).unwrap();
    let page = out(&r, "echo GARBAGE");
    // No status line or headers: the request never said its HTTP version.
    assert_eq!(page[0], "<!DOCTYPE HTML>", "{page:#?}");
    assert!(page.contains(&"        <p>Message: Bad request syntax ('GARBAGE').</p>".to_string()), "{page:#?}");
    let log = out(&r, "python3");
    assert!(log[1].ends_with("] code 400, message Bad request syntax ('GARBAGE')"), "{log:#?}");
    assert!(log[2].ends_with("] \"GARBAGE\" 400 -"), "{log:#?}");
}

/// curl's `-w` as curl 7.88 writes it (each checked with the real curl against Python in a
/// namespace): after a file, after headers alone (`-I`: nothing downloaded), after a 404's
/// page, and on a refused connection (`000`, exit 7); escapes `\t` and `\n`.
#[test]
fn curl_writes_out_what_it_got() {
    let w = "-w '%{http_code} %{size_download}\\t%{speed_download}\\n'";
    let text = format!(
        "{}$ ip netns exec wan truncate -s 4K f.txt\n\
         $ ip netns exec wan python3 -m http.server 8000 --bind 203.0.113.1 &\n$ sleep 0.5\n\
         $ ip netns exec lan curl -s -o /dev/null {w} http://203.0.113.1:8000/f.txt\n\
         $ ip netns exec lan curl -sI {w} http://203.0.113.1:8000/f.txt\n\
         $ ip netns exec lan curl -s -o /dev/null {w} http://203.0.113.1:8000/nope\n\
         $ ip netns exec lan curl -s -o /dev/null {w} http://203.0.113.1:9/\n",
        topology()
    );
    let r = common::run_text("curlw.sh", &text).unwrap_or_else(|e| panic!("{e}"));
    let file = out(
        &r,
        "curl -s -o /dev/null -w '%{http_code} %{size_download}\\t%{speed_download}\\n' http://203.0.113.1:8000/f.txt",
    );
    let (head, speed) = file[0].split_once('\t').expect("a tab");
    assert_eq!(head, "200 4096", "{file:?}");
    assert!(speed.parse::<u64>().is_ok_and(|s| s > 0), "{file:?}");
    let headers = out(&r, "curl -sI");
    assert!(headers.contains(&"Content-type: text/plain".to_string()), "{headers:?}");
    assert_eq!(headers.last().unwrap().split('\t').next(), Some("200 0"), "{headers:?}");
    let missing = out(
        &r,
        "curl -s -o /dev/null -w '%{http_code} %{size_download}\\t%{speed_download}\\n' http://203.0.113.1:8000/nope",
    );
    assert!(missing[0].starts_with("404 335\t"), "{missing:?}");
    let refused =
        out(&r, "curl -s -o /dev/null -w '%{http_code} %{size_download}\\t%{speed_download}\\n' http://203.0.113.1:9/");
    assert_eq!(refused, ["000 0\t0"]);
    let i = r.steps.iter().position(|s| s.text.ends_with("http://203.0.113.1:9/")).unwrap();
    assert_eq!(r.rendered.steps[i].exit, Some(7));
}

/// A directory's `index.html` is what `/` serves (Python's `send_head`); curl's `-w`
/// writes `%%` as `%`, and an unknown escape or a lone `%X` as it stands.
#[test]
fn slash_serves_index_html_and_write_out_keeps_what_it_does_not_know() {
    let text = format!(
        "{}$ ip netns exec wan truncate -s 10 index.html\n\
         $ ip netns exec wan python3 -m http.server 8000 --bind 203.0.113.1 &\n$ sleep 0.5\n\
         $ ip netns exec lan curl -sI http://203.0.113.1:8000/\n\
         $ ip netns exec lan curl -s -o /dev/null -w '%%{{http_code}} %x \\q %{{http_code}}\\n' http://203.0.113.1:8000/\n",
        topology()
    );
    let r = common::run_text("index.sh", &text).unwrap_or_else(|e| panic!("{e}"));
    let head = out(&r, "curl -sI");
    assert!(head.contains(&"Content-type: text/html".to_string()), "{head:?}");
    assert!(head.contains(&"Content-Length: 10".to_string()), "{head:?}");
    assert_eq!(out(&r, "curl -s -o"), ["%{http_code} %x \\q 200"]);
}
