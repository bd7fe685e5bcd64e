//! Judging responses: a check's assertions with Runscope's comparator semantics and the
//! structural rules (`assertion`), the rules an app's Okta-URN resource types must meet
//! (`entitlements`), and the root causes read from a run's results (`diagnosis`). Nothing here
//! sends a request or knows how a run is scheduled. `attributes` reads which attributes an
//! error text names.

pub mod assertion;
pub mod attributes;
pub mod diagnosis;
pub mod entitlements;
pub mod path;
pub mod profile_rules;
pub mod walk;
