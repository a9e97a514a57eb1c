//! The front ends: a scenario file → `Command`s. The shell-script one reads a tutorial's
//! own lines; the RON one the canonical typed form; `convert` turns each into the other.
//! They know no back end.

pub mod convert;
pub mod ron;
pub mod script;
