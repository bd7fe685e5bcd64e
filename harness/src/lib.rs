//! scimcheck's harness, in rooms that follow a run's data: a [`suite`] is loaded (model,
//! built-in suites, selection, templates, Runscope exports, Okta's QA plan), requests go over
//! [`http`] (client, credential, network, OAuth 2, redaction, the recorded exchange), responses
//! are judged ([`judge`]: assertions, discovery rules, diagnosis), the [`run`] orchestrates
//! (version detection, phases, checks, walks, cleanup, events), and [`reporters`] write the
//! [`report`] model. Imports go one way (ARCHITECTURE.md; `.ci/imports.py` checks them):
//! `http` imports nothing above it, `judge` nothing from `run`, reporters only the model and
//! the events trait.
#![warn(missing_docs)]

pub mod http;
pub mod judge;
pub mod report;
pub mod reporters;
pub mod run;
pub mod suite;
