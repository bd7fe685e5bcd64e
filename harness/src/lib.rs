//! scimcheck's harness: suites as data, the runner that sends them to a SCIM app, the results
//! model, and the reporters (terminal, JUnit, JSON).
//!
//! Data flows one way: [`suite`] files → [`runner`] (over [`http`]) → [`report::RunReport`]
//! → [`reporters`].
#![warn(missing_docs)]

pub mod assertion;
pub mod builtin;
mod cleanup;
pub mod config;
pub mod detect;
pub mod diagnosis;
pub mod entitlements;
pub mod events;
pub mod exchange;
pub mod http;
pub mod network;
pub mod oauth;
pub mod oauth_checks;
pub mod oauth_login;
pub mod qa_plan;
pub mod redact;
pub mod report;
pub mod reporters;
pub mod runner;
pub mod runscope;
pub mod schedule;
pub mod select;
pub mod suite;
pub mod template;
pub mod walk;
