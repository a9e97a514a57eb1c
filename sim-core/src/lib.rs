//! sim-core: the engine of nslab.
//!
//! Owns virtual time, the event queue ordered by `(time, seq)`, the seeded random streams
//! (one per node, derived from the run's seed and the node's name), the topology (a petgraph
//! graph: nodes are devices, edges are links), links (a fixed delay, an MTU, up or down), the sans-IO
//! [`Node`] trait, trace records, and the formatters every back end shares: `tcpdump -tnel`
//! lines and pcapng files.
//!
//! It knows nothing about IP routing, iptables or scenarios; those live in `sim-nodes` and
//! `scenarios`.
//!
//! | module | owns |
//! |---|---|
//! | [`time`] | `Instant` / `Duration` in nanoseconds |
//! | [`queue`] | the `(time, seq)` event heap |
//! | [`rng`] | per-node ChaCha streams |
//! | [`node`] | the `Node` trait, `Context`, the frame pool |
//! | [`link`] | a link: its delay, MTU and up/down (impairments are qdiscs, in `sim-nodes`) |
//! | [`world`] | the arena, topology and event loop |
//! | [`guard`] | the event budget and the memory ceilings that stop a runaway run |
//! | [`capture`] | tcpdump filters and the taps on interfaces |
//! | [`trace`] | trace records |
//! | [`tcpdump`] | the `tcpdump -tnel` line formatter |
//! | [`pcapng`] | the pcapng writer |
//! | [`mac`] | MAC addresses |

pub mod capture;
pub mod guard;
pub mod link;
pub mod mac;
pub mod node;
pub mod pcapng;
pub mod queue;
pub mod rng;
pub mod tcpdump;
pub mod time;
pub mod trace;
pub mod world;

pub use capture::{CaptureId, Cooked, Direction, Filter};
pub use link::{LinkConfig, LinkEnd, LinkId};
pub use mac::MacAddr;
pub use node::{Context, Node, NodeId, PortId};
pub use time::{Duration, Instant};
pub use trace::{DropContext, NsName, Record, Stream, Trace};
pub use world::World;
