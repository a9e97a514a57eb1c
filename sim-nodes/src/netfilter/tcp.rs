//! TCP connection tracking as `nf_conntrack_proto_tcp.c` does it: the header check
//! (`tcp_error`), the state table `tcp_conntracks[dir][flags][state]`, ignored and invalid
//! segments, reopening from TIME_WAIT/CLOSE, simultaneous open, and each state's timeout
//! (`nf_conntrack_tcp_timeout_*`, capped at `…_unacknowledged` while data is in flight).
//!
//! Window tracking is liberal: sequence numbers are followed only far enough to know whether
//! data is unacknowledged; no segment is found out of window, and retransmissions are not
//! counted (`…_max_retrans` never applies).

use super::conntrack::Dir;

/// A connection's TCP state (`tcp_conntrack_names`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// `NONE`: nothing seen yet.
    #[default]
    None,
    /// `SYN_SENT`.
    SynSent,
    /// `SYN_RECV`.
    SynRecv,
    /// `ESTABLISHED`.
    Established,
    /// `FIN_WAIT`.
    FinWait,
    /// `CLOSE_WAIT`.
    CloseWait,
    /// `LAST_ACK`.
    LastAck,
    /// `TIME_WAIT`.
    TimeWait,
    /// `CLOSE`.
    Close,
    /// `SYN_SENT2`: simultaneous open.
    SynSent2,
}

impl State {
    /// The name conntrack-tools prints.
    pub fn name(self) -> &'static str {
        match self {
            State::None => "NONE",
            State::SynSent => "SYN_SENT",
            State::SynRecv => "SYN_RECV",
            State::Established => "ESTABLISHED",
            State::FinWait => "FIN_WAIT",
            State::CloseWait => "CLOSE_WAIT",
            State::LastAck => "LAST_ACK",
            State::TimeWait => "TIME_WAIT",
            State::Close => "CLOSE",
            State::SynSent2 => "SYN_SENT2",
        }
    }
}

/// The `nf_conntrack_tcp_timeout_*` sysctls, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// `…_syn_sent` (also SYN_SENT2).
    pub syn_sent: u64,
    /// `…_syn_recv`.
    pub syn_recv: u64,
    /// `…_established`.
    pub established: u64,
    /// `…_fin_wait`.
    pub fin_wait: u64,
    /// `…_close_wait`.
    pub close_wait: u64,
    /// `…_last_ack`.
    pub last_ack: u64,
    /// `…_time_wait`.
    pub time_wait: u64,
    /// `…_close`.
    pub close: u64,
    /// `…_unacknowledged`.
    pub unacknowledged: u64,
}

impl Default for Timeouts {
    /// The kernel's defaults.
    fn default() -> Self {
        Timeouts {
            syn_sent: 120,
            syn_recv: 60,
            established: 432_000,
            fin_wait: 120,
            close_wait: 60,
            last_ack: 30,
            time_wait: 120,
            close: 10,
            unacknowledged: 300,
        }
    }
}

impl Timeouts {
    fn of(&self, s: State) -> u64 {
        match s {
            State::None => self.close,
            State::SynSent | State::SynSent2 => self.syn_sent,
            State::SynRecv => self.syn_recv,
            State::Established => self.established,
            State::FinWait => self.fin_wait,
            State::CloseWait => self.close_wait,
            State::LastAck => self.last_ack,
            State::TimeWait => self.time_wait,
            State::Close => self.close,
        }
    }
}

const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;
const URG: u8 = 0x20;
const ECE: u8 = 0x40;
const CWR: u8 = 0x80;

/// What conntrack reads of a TCP segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The flags byte.
    pub flags: u8,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number.
    pub ack: u32,
    /// Payload bytes.
    pub len: u32,
}

impl Segment {
    /// Reads the TCP header at the start of `l4` (the whole segment). `None` where
    /// `tcp_error` finds it invalid: truncated, a bad data offset, or a flag combination
    /// no TCP sends.
    pub fn parse(l4: &[u8]) -> Option<Segment> {
        let p = smoltcp::wire::TcpPacket::new_checked(l4).ok()?;
        let flags = l4[13];
        const VALID: [u8; 9] = [SYN, SYN | URG, SYN | ACK, RST, RST | ACK, FIN | ACK, FIN | ACK | URG, ACK, ACK | URG];
        VALID.contains(&(flags & !(ECE | CWR | PSH))).then(|| Segment {
            flags,
            seq: p.seq_number().0 as u32,
            ack: p.ack_number().0 as u32,
            len: (l4.len() - usize::from(p.header_len())) as u32,
        })
    }

    /// `get_conntrack_index`: which row of the state table.
    fn index(&self) -> Index {
        let f = self.flags;
        if f & RST != 0 {
            Index::Rst
        } else if f & SYN != 0 {
            if f & ACK != 0 { Index::SynAck } else { Index::Syn }
        } else if f & FIN != 0 {
            Index::Fin
        } else if f & ACK != 0 {
            Index::Ack
        } else {
            Index::None
        }
    }

    /// `segment_seq_plus_len`: where this segment ends in sequence space.
    fn end(&self) -> u32 {
        let syn_fin = u32::from(self.flags & SYN != 0) + u32::from(self.flags & FIN != 0);
        self.seq.wrapping_add(self.len).wrapping_add(syn_fin)
    }

    fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Index {
    Syn,
    SynAck,
    Fin,
    Ack,
    Rst,
    None,
}

/// A cell of the state table: a state, ignore, or invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    To(State),
    Ignore,
    Invalid,
}

/// `tcp_conntracks[dir][index][state]`, as in Linux 6.x.
fn table(dir: Dir, index: Index, state: State) -> Cell {
    use Cell::{Ignore as IG, Invalid as IV};
    const SS: Cell = Cell::To(State::SynSent);
    const SR: Cell = Cell::To(State::SynRecv);
    const ES: Cell = Cell::To(State::Established);
    const FW: Cell = Cell::To(State::FinWait);
    const CW: Cell = Cell::To(State::CloseWait);
    const LA: Cell = Cell::To(State::LastAck);
    const TW: Cell = Cell::To(State::TimeWait);
    const CL: Cell = Cell::To(State::Close);
    const S2: Cell = Cell::To(State::SynSent2);
    //                      sNO sSS sSR sES sFW sCW sLA sTW sCL sS2
    const ORIG: [[Cell; 10]; 6] = [
        /* syn    */ [SS, SS, IG, IG, IG, IG, IG, SS, SS, S2],
        /* synack */ [IV, IV, SR, IV, IV, IV, IV, IV, IV, SR],
        /* fin    */ [IV, IV, FW, FW, LA, LA, LA, TW, CL, IV],
        /* ack    */ [ES, IV, ES, ES, CW, CW, TW, TW, CL, IV],
        /* rst    */ [IV, CL, CL, CL, CL, CL, CL, CL, CL, CL],
        /* none   */ [IV, IV, IV, IV, IV, IV, IV, IV, IV, IV],
    ];
    const REPLY: [[Cell; 10]; 6] = [
        /* syn    */ [IV, S2, IV, IV, IV, IV, IV, SS, IV, S2],
        /* synack */ [IV, SR, IG, IG, IG, IG, IG, IG, IG, SR],
        /* fin    */ [IV, IV, FW, FW, LA, LA, LA, TW, CL, IV],
        /* ack    */ [IV, IG, SR, ES, CW, CW, TW, TW, CL, IG],
        /* rst    */ [IV, CL, CL, CL, CL, CL, CL, CL, CL, CL],
        /* none   */ [IV, IV, IV, IV, IV, IV, IV, IV, IV, IV],
    ];
    let row = match index {
        Index::Syn => 0,
        Index::SynAck => 1,
        Index::Fin => 2,
        Index::Ack => 3,
        Index::Rst => 4,
        Index::None => 5,
    };
    // The columns are the states in their declared order.
    let col = state as usize;
    match dir {
        Dir::Orig => ORIG[row][col],
        Dir::Reply => REPLY[row][col],
    }
}

/// One direction's sequence space, as far as liberal tracking needs it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Side {
    /// Highest sequence end sent.
    end: u32,
    /// `end` has been set.
    init: bool,
    /// Sent data the other side has not acknowledged yet.
    unacked: bool,
    /// This side began the close (`IP_CT_TCP_FLAG_CLOSE_INIT`).
    close_init: bool,
}

/// A connection's TCP tracking state (`struct ip_ct_tcp`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Track {
    /// The state.
    pub state: State,
    sides: [Side; 2],
    last: Option<(Index, Dir, u32)>,
    simultaneous: bool,
}

/// What a segment does to its connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Tracked.
    Tracked {
        /// The connection's new timeout (`None`: left as it is).
        refresh: Option<u64>,
        /// It becomes ASSURED.
        assure: bool,
        /// It ends now (a RST before any reply).
        kill: bool,
        /// The state changed.
        changed: bool,
    },
    /// INVALID: the packet goes on untracked.
    Invalid,
    /// A SYN reopening a closed connection: the old one goes and the SYN starts anew.
    Reopen,
}

fn side(dir: Dir) -> usize {
    match dir {
        Dir::Orig => 0,
        Dir::Reply => 1,
    }
}

fn after(a: u32, b: u32) -> bool {
    (b.wrapping_sub(a) as i32) < 0
}

impl Track {
    /// `tcp_new`: may this first segment start a connection? (A SYN, or — with
    /// `nf_conntrack_tcp_loose` — an ACK picking one up in the middle.)
    pub fn may_start(seg: &Segment, loose: bool) -> bool {
        match table(Dir::Orig, seg.index(), State::None) {
            Cell::To(State::SynSent) => true,
            Cell::To(_) => loose,
            _ => false,
        }
    }

    /// `nf_conntrack_tcp_packet`: segment `seg` went `dir`. `seen_reply` and `assured` are
    /// the connection's flags before this packet.
    pub fn packet(&mut self, dir: Dir, seg: &Segment, seen_reply: bool, assured: bool, t: &Timeouts) -> Outcome {
        let index = seg.index();
        let mut old = self.state;
        let mut new = match table(dir, index, old) {
            Cell::To(s) => s,
            Cell::Invalid => return Outcome::Invalid,
            Cell::Ignore => {
                // A SYN/ACK answering a SYN we ignored: both ends are in sync, we were not.
                if let Some((Index::Syn, d, end)) = self.last
                    && index == Index::SynAck
                    && d != dir
                    && seg.ack == end
                {
                    old = State::SynSent;
                    self.sides[side(d)] = Side { end, init: true, ..Side::default() };
                    State::SynRecv
                } else {
                    self.last = Some((index, dir, seg.end()));
                    return Outcome::Tracked { refresh: None, assure: false, kill: false, changed: false };
                }
            }
        };
        match new {
            State::SynSent if old >= State::TimeWait => {
                let closing = self.sides.iter().any(|s| s.close_init);
                if closing || matches!(self.last, Some((Index::Rst, d, _)) if d == dir) {
                    return Outcome::Reopen;
                }
                // Otherwise ignored, as the kernel falls through.
                self.last = Some((index, dir, seg.end()));
                return Outcome::Tracked { refresh: None, assure: false, kill: false, changed: false };
            }
            State::SynSent2 => self.simultaneous = true,
            State::SynRecv if dir == Dir::Reply && index == Index::Ack && self.simultaneous => {
                new = State::Established;
            }
            _ => {}
        }
        self.window(dir, seg);
        self.last = Some((index, dir, seg.end()));
        self.state = new;
        if old != new && new == State::FinWait {
            self.sides[side(dir)].close_init = true;
        }
        let unacked = self.sides.iter().any(|s| s.unacked);
        let mut timeout = if index == Index::Rst {
            t.close
        } else if unacked && t.of(new) > t.unacknowledged {
            t.unacknowledged
        } else {
            t.of(new)
        };
        let changed = old != new;
        if !seen_reply {
            if index == Index::Rst {
                return Outcome::Tracked { refresh: None, assure: false, kill: true, changed };
            }
            if index == Index::Syn && old == State::SynSent {
                // A retransmitted SYN does not renew the timeout.
                return Outcome::Tracked { refresh: None, assure: false, kill: false, changed };
            }
            if new == State::Established && timeout > t.unacknowledged {
                timeout = t.unacknowledged;
            }
            return Outcome::Tracked { refresh: Some(timeout), assure: false, kill: false, changed };
        }
        let assure = !assured && matches!(old, State::SynRecv | State::Established) && new == State::Established;
        Outcome::Tracked { refresh: Some(timeout), assure, kill: false, changed }
    }

    /// The part of `tcp_in_window` that decides whether data is unacknowledged.
    fn window(&mut self, dir: Dir, seg: &Segment) {
        let (s, r) = (side(dir), 1 - side(dir));
        let end = seg.end();
        let sender = &mut self.sides[s];
        if !sender.init {
            sender.end = end;
            sender.init = true;
        } else if after(end, sender.end) {
            sender.end = end;
            sender.unacked = true;
        }
        let receiver = &mut self.sides[r];
        let ack = if !seg.has(ACK) || (seg.has(RST) && seg.ack == 0) { receiver.end } else { seg.ack };
        if receiver.init && ack == receiver.end {
            receiver.unacked = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(flags: u8, seq: u32, ack: u32, len: u32) -> Segment {
        Segment { flags, seq, ack, len }
    }

    fn step(t: &mut Track, dir: Dir, s: Segment, seen: bool, assured: bool) -> Outcome {
        t.packet(dir, &s, seen, assured, &Timeouts::default())
    }

    fn refresh(o: Outcome) -> Option<u64> {
        match o {
            Outcome::Tracked { refresh, .. } => refresh,
            _ => panic!("{o:?}"),
        }
    }

    #[test]
    fn a_whole_connection_goes_through_the_kernels_states_and_timeouts() {
        let mut t = Track::default();
        let s = seg(SYN, 100, 0, 0);
        assert!(Track::may_start(&s, false));
        assert_eq!(refresh(step(&mut t, Dir::Orig, s, false, false)), Some(120));
        assert_eq!(t.state, State::SynSent);
        assert_eq!(refresh(step(&mut t, Dir::Reply, seg(SYN | ACK, 500, 101, 0), false, false)), Some(60));
        assert_eq!(t.state, State::SynRecv);
        let o = step(&mut t, Dir::Orig, seg(ACK, 101, 501, 0), true, false);
        assert_eq!(o, Outcome::Tracked { refresh: Some(432_000), assure: true, kill: false, changed: true });
        // Data in flight: the timeout drops to 300 s until it is acknowledged.
        assert_eq!(refresh(step(&mut t, Dir::Orig, seg(ACK | PSH, 101, 501, 13), true, true)), Some(300));
        assert_eq!(refresh(step(&mut t, Dir::Reply, seg(ACK, 501, 114, 0), true, true)), Some(432_000));
        assert_eq!(refresh(step(&mut t, Dir::Orig, seg(FIN | ACK, 114, 501, 0), true, true)), Some(120));
        assert_eq!(t.state, State::FinWait);
        assert_eq!(refresh(step(&mut t, Dir::Reply, seg(FIN | ACK, 501, 115, 0), true, true)), Some(30));
        assert_eq!(t.state, State::LastAck);
        assert_eq!(refresh(step(&mut t, Dir::Orig, seg(ACK, 115, 502, 0), true, true)), Some(120));
        assert_eq!(t.state, State::TimeWait);
        // The same ports again: the closed connection makes way for the new one.
        assert_eq!(step(&mut t, Dir::Orig, seg(SYN, 9000, 0, 0), true, true), Outcome::Reopen);
    }

    #[test]
    fn a_refused_connection_is_killed_by_its_rst() {
        let mut t = Track::default();
        step(&mut t, Dir::Orig, seg(SYN, 1, 0, 0), false, false);
        let o = step(&mut t, Dir::Reply, seg(RST | ACK, 0, 2, 0), false, false);
        assert_eq!(o, Outcome::Tracked { refresh: None, assure: false, kill: true, changed: true });
        assert_eq!(t.state, State::Close);
    }

    #[test]
    fn invalid_and_ignored_segments() {
        let mut t = Track::default();
        step(&mut t, Dir::Orig, seg(SYN, 1, 0, 0), false, false);
        // A client cannot ACK before the SYN/ACK.
        assert_eq!(step(&mut t, Dir::Orig, seg(ACK, 2, 7, 0), false, false), Outcome::Invalid);
        // A retransmitted SYN does not renew the timeout.
        assert_eq!(refresh(step(&mut t, Dir::Orig, seg(SYN, 1, 0, 0), false, false)), None);
        // No SYN, no loose pickup: no connection.
        assert!(!Track::may_start(&seg(ACK, 1, 1, 0), false));
        assert!(Track::may_start(&seg(ACK, 1, 1, 0), true));
        assert!(!Track::may_start(&seg(FIN | ACK, 1, 1, 0), true));
    }

    #[test]
    fn tcp_error_rejects_nonsense_headers() {
        let mut h = [0u8; 20];
        h[12] = 5 << 4;
        h[13] = SYN | FIN;
        assert_eq!(Segment::parse(&h), None);
        h[13] = SYN | ECE | CWR;
        assert!(Segment::parse(&h).is_some());
        h[12] = 6 << 4;
        assert_eq!(Segment::parse(&h), None, "data offset past the end");
        assert_eq!(Segment::parse(&h[..19]), None);
    }

    #[test]
    fn simultaneous_open_reaches_established() {
        let mut t = Track::default();
        step(&mut t, Dir::Orig, seg(SYN, 1, 0, 0), false, false);
        step(&mut t, Dir::Reply, seg(SYN, 50, 0, 0), false, false);
        assert_eq!(t.state, State::SynSent2);
        step(&mut t, Dir::Orig, seg(SYN | ACK, 1, 51, 0), true, false);
        assert_eq!(t.state, State::SynRecv);
        step(&mut t, Dir::Reply, seg(ACK, 51, 2, 0), true, false);
        assert_eq!(t.state, State::Established);
    }
}
