//! End-to-end tests of scimcheck: the harness against the reference server (clean and with
//! faults), against wiremock where a hand-made response is clearer, and the binary itself.

mod cli;
mod entitlements;
mod fault_table;
mod hostile;
mod html_report;
mod ipsie_oauth;
mod network;
mod oauth;
mod okta_org;
mod packager;
mod profile_sourcing;
mod profiles;
mod refserver_lists;
mod reporters;
mod rerun;
mod runscope;
mod schedule;
mod scim11;
mod secrets;
mod spec_suite;
mod support;
mod transport;
mod verdicts;
