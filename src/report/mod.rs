//! Every output format leakpath prints, in one place: findings (native JSON Lines, OCSF),
//! command results (`inventory --json`, `can --json`, `is-public --json`, `classify --json`)
//! and terminal tables. Analysis stages return data; only this module serializes it.

pub mod atomic;
pub mod can_verdict;
pub mod classify_output;
pub mod diff_output;
pub mod findings;
pub mod html;
pub mod inventory;
pub mod public_verdict;
pub mod table;
pub mod who_can;
