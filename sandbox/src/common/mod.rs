//! What every simulator does the same way, written once: deterministic ids ([`ids`]), what a
//! request's headers say ([`headers`]), the sandbox clock ([`clock`]), reading JSON bodies
//! ([`body`]), the adapter from the faults these find to a provider's error shape
//! ([`errors`]), the state under a lock ([`store`]), and the one shape every simulator
//! registers through ([`simulator`]).
//!
//! A simulator states only what is its provider's own: its clock format, its error shape (an
//! error type that is `From` the common faults), its state, its handlers. Nothing here names a
//! provider, and no provider module uses another.

pub(crate) mod body;
pub(crate) mod clock;
pub(crate) mod errors;
pub(crate) mod headers;
pub(crate) mod ids;
pub(crate) mod simulator;
pub(crate) mod store;
