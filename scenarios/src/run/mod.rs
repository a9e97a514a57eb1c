//! What runs a scenario: the shell both back ends share ([`shell`]), the sim back end's
//! runner ([`sim`]) with the programs it starts ([`spawn`], [`dhcp`]). Kernel mode's runner
//! lives in the `kernel-backend` crate and takes its shell from here too.

pub mod dhcp;
pub mod shell;
pub mod sim;
pub mod spawn;
