//! The formatter's unit tests (the golden test against the real tcpdump is
//! `tests/tcpdump_oracle.rs` at the workspace root).
use super::*;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

// Frames captured from the kernel on this project's reference machine (see
// EXPERIMENTS.md E2), with the lines tcpdump 4.99.3 printed for them.
const ARP_REQUEST: &str =
    "ffffffffffff 00005e005301 0806 0001 0800 0604 0001 00005e005301 c0000201 000000000000 c0000202";
const ARP_REPLY: &str =
    "00005e005301 00005e005302 0806 0001 0800 0604 0002 00005e005302 c0000202 00005e005301 c0000201";

#[test]
fn arp_lines_match_tcpdump() {
    let mut f = Formatter::default();
    assert_eq!(
        f.line(0, &hex(ARP_REQUEST)),
        "00:00:5e:00:53:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.2 tell 192.0.2.1, length 28"
    );
    assert_eq!(
        f.line(0, &hex(ARP_REPLY)),
        "00:00:5e:00:53:02 > 00:00:5e:00:53:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.2 is-at 00:00:5e:00:53:02, length 28"
    );
    let mut plain = Formatter::new(Options { link_header: false, ..Options::default() });
    assert_eq!(plain.line(0, &hex(ARP_REQUEST)), "ARP, Request who-has 192.0.2.2 tell 192.0.2.1, length 28");
}

#[test]
fn tcp_relative_sequence_numbers() {
    // SYN, SYN-ACK, ACK, data: the real capture's numbers from fmt.sh on the reference
    // machine, options stripped.
    let mk = |s: [u8; 4], d: [u8; 4], sp: u16, dp: u16, seq: u32, ack: u32, flags: u8, data: &[u8]| {
        let mut f = vec![0u8; 12];
        f.extend([0x08, 0x00]);
        let tot = (20 + 20 + data.len()) as u16;
        f.extend([0x45, 0]);
        f.extend(tot.to_be_bytes());
        f.extend([0, 0, 0x40, 0, 64, 6, 0, 0]);
        f.extend(s);
        f.extend(d);
        f.extend(sp.to_be_bytes());
        f.extend(dp.to_be_bytes());
        f.extend(seq.to_be_bytes());
        f.extend(ack.to_be_bytes());
        f.extend([0x50, flags]);
        f.extend(502u16.to_be_bytes());
        f.extend([0, 0, 0, 0]);
        f.extend(data);
        f
    };
    let c = [192, 0, 2, 1];
    let s = [198, 51, 100, 1];
    let mut f = Formatter::new(Options { link_header: false, ..Options::default() });
    let l1 = f.line(0, &mk(c, s, 35234, 5555, 1175206699, 0, 0x02, b""));
    let l2 = f.line(0, &mk(s, c, 5555, 35234, 3261490245, 1175206700, 0x12, b""));
    let l3 = f.line(0, &mk(c, s, 35234, 5555, 1175206700, 3261490246, 0x10, b""));
    let l4 = f.line(0, &mk(c, s, 35234, 5555, 1175206700, 3261490246, 0x18, b"hello\n"));
    let l5 = f.line(0, &mk(s, c, 5555, 35234, 3261490246, 1175206706, 0x10, b""));
    assert_eq!(l1, "IP 192.0.2.1.35234 > 198.51.100.1.5555: Flags [S], seq 1175206699, win 502, length 0");
    assert_eq!(
        l2,
        "IP 198.51.100.1.5555 > 192.0.2.1.35234: Flags [S.], seq 3261490245, ack 1175206700, win 502, length 0"
    );
    assert_eq!(l3, "IP 192.0.2.1.35234 > 198.51.100.1.5555: Flags [.], ack 1, win 502, length 0");
    assert_eq!(l4, "IP 192.0.2.1.35234 > 198.51.100.1.5555: Flags [P.], seq 1:7, ack 1, win 502, length 6");
    assert_eq!(l5, "IP 198.51.100.1.5555 > 192.0.2.1.35234: Flags [.], ack 7, win 502, length 0");
}

#[test]
fn truncated_frames_do_not_panic() {
    let full = hex(ARP_REQUEST);
    let mut f = Formatter::default();
    for n in 0..full.len() {
        let _ = f.line(0, &full[..n]);
    }
    assert_eq!(f.line(0, &full[..10]), " [|ether]");
}

#[test]
fn timestamps_are_clock_time() {
    assert_eq!(timestamp(3_723_000_004_000), "01:02:03.000004");
}

/// A 64 KiB packet of ICMP errors each quoting the next (2,000 levels, as a user's program
/// could send one on `lo`) prints under `-v` on a small stack: the nesting stops at 100.
#[test]
fn errors_quoting_errors_do_not_overflow_the_stack() {
    let mut pkt = vec![0u8; 8];
    pkt[..2].copy_from_slice(&[0x12, 0x34]);
    for _ in 0..2000 {
        let mut icmp = vec![11, 0, 0, 0, 0, 0, 0, 0];
        icmp.extend_from_slice(&ip_header(1, pkt.len()));
        icmp.extend_from_slice(&pkt);
        pkt = icmp;
    }
    let mut frame = vec![0, 0, 0x5e, 0, 0x53, 2, 0, 0, 0x5e, 0, 0x53, 1, 0x08, 0x00];
    frame.extend_from_slice(&ip_header(1, pkt.len()));
    frame.extend_from_slice(&pkt);
    let line = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || Formatter::new(Options { verbose: 1, ..Options::default() }).line(0, &frame))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(line.matches("time exceeded in-transit").count(), 101);
}

fn ip_header(proto: u8, payload: usize) -> [u8; 20] {
    let len = ((20 + payload).min(0xffff) as u16).to_be_bytes();
    [0x45, 0, len[0], len[1], 0, 1, 0, 0, 64, proto, 0, 0, 192, 0, 2, 1, 198, 51, 100, 1]
}
