//! Reporters: each a function of a [`crate::report::RunReport`] writing into any `Write`.

pub mod catalogue;
pub mod diff;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod terminal;
