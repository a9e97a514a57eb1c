//! What runs a scenario: the shell ([`shell`]) drives a back end through one interface
//! ([`backend::Backend`]); the sim back end ([`sim`]) with the programs it starts
//! ([`spawn`], [`dhcp`]) is one implementation, kernel mode (`kernel_backend::runner`) the
//! other.

pub mod backend;
pub mod dhcp;
pub mod shell;
pub mod sim;
pub mod spawn;
