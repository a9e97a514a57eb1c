//! sim-nodes: the devices of nslab.
//!
//! | module | owns |
//! |---|---|
//! | [`netns`] | `Netns`: one namespace's interfaces, addresses, FIB, neighbour table, forwarding, ICMP |
//! | [`sys`] | the boundary between stack and programs: `trait Program` and `Sys`, the system calls a program makes |
//! | [`proc`] | the built-in programs (ping, traceroute, tcpdump, dnsmasq, dhclient, conntrack -E, nc, curl, python3 -m http.server), one module each |
//! | [`clock`] | what a wall clock reads at a virtual time, in the tools' formats |
//! | [`files`] | the lab's directory: the files `truncate` makes and `http.server` serves (names and sizes only) |
//! | [`netfilter`] | iptables tables, conntrack and NAT with Linux's semantics |
//! | [`lab`] | `Lab`: the machine — namespaces, veth pairs, bridges, the `ip`/`bridge`/`brctl`/`sysctl` vocabulary |
//! | [`show`] | iproute2's output formats |
//! | [`tc`] | traffic control: the qdiscs on a device's transmit side (netem, tbf, htb with classes and u32 filters) and the `tc` command |
//! | [`wire`] | packet views and builders the stack needs beyond etherparse |
//!
//! Nothing here reads the host's files, parses shell, or uses wall-clock time or OS randomness.

pub mod clock;
pub mod files;
pub mod lab;
pub mod netfilter;
pub mod netns;
pub mod proc;
pub mod show;
pub mod sys;
pub mod tc;
pub mod wire;

pub use lab::{Job, Lab, LabError};
pub use netns::Netns;
