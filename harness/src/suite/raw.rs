//! The raw shape of a suite file, as TOML gives it: every key known (unknown keys are
//! refused), nothing checked yet. The loader (`load`) turns it into the model.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::suite::{Each, Generator, Keyword, Level, Rule, WalkRule};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSuite {
    pub(super) format: u32,
    pub(super) id: String,
    pub(super) title: String,
    pub(super) version: String,
    pub(super) scim_version: String,
    pub(super) reference: String,
    pub(super) profile: Option<String>,
    #[serde(default)]
    pub(super) builds_on: Vec<String>,
    #[serde(default)]
    pub(super) by_hand: Vec<String>,
    #[serde(default)]
    pub(super) vars: toml::Table,
    #[serde(default)]
    pub(super) inputs: Vec<String>,
    #[serde(default)]
    pub(super) headers: BTreeMap<String, toml::Table>,
    #[serde(default)]
    pub(super) check: Vec<Spanned<RawCheck>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVar {
    pub(super) generate: Option<Generator>,
    pub(super) template: Option<String>,
    pub(super) value: Option<String>,
    pub(super) case: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheck {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) level: Level,
    pub(super) reference: String,
    pub(super) request: RawRequest,
    #[serde(default)]
    pub(super) expect: Vec<Spanned<RawAssertion>>,
    #[serde(default)]
    pub(super) capture: toml::Table,
    pub(super) creates: Option<RawCreates>,
    pub(super) keyword: Option<Keyword>,
    pub(super) when: Option<String>,
    pub(super) capture_body: Option<String>,
    pub(super) walk: Option<RawWalk>,
    pub(super) oauth: Option<crate::suite::OAuthProbe>,
    pub(super) load: Option<RawLoad>,
    #[serde(default)]
    pub(super) not_run: Vec<String>,
    #[serde(default)]
    pub(super) pause_before_s: u64,
    pub(super) disabled: Option<String>,
    #[serde(default)]
    pub(super) needs: Vec<String>,
    #[serde(default)]
    pub(super) presupposes: Vec<String>,
    pub(super) refusal_of: Option<String>,
    pub(super) each: Option<Each>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLoad {
    pub(super) per_second: u32,
    pub(super) seconds: u32,
    #[serde(default)]
    pub(super) burst: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWalk {
    pub(super) rules: Vec<WalkRule>,
    pub(super) find: Option<RawFind>,
    pub(super) pagination: Option<crate::suite::Pagination>,
    pub(super) count: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFind {
    pub(super) id: String,
    pub(super) present: bool,
    #[serde(default)]
    pub(super) expect: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRequest {
    pub(super) method: String,
    pub(super) path: String,
    #[serde(default)]
    pub(super) query: toml::Table,
    pub(super) headers: Option<String>,
    pub(super) authorization: Option<String>,
    #[serde(default)]
    pub(super) omit_authorization: bool,
    pub(super) body: Option<toml::Table>,
    pub(super) body_raw: Option<String>,
    pub(super) body_from: Option<String>,
    #[serde(default)]
    pub(super) body_set: toml::Table,
    #[serde(default)]
    pub(super) body_remove: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCreates {
    pub(super) resource: String,
    pub(super) id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAssertion {
    pub(super) status: Option<u16>,
    pub(super) status_in: Option<Vec<u16>>,
    pub(super) json: Option<String>,
    pub(super) header: Option<String>,
    pub(super) time_below_ms: Option<u64>,
    pub(super) body_is_json: Option<bool>,
    pub(super) equals: Option<String>,
    pub(super) equals_ignoring_case: Option<String>,
    pub(super) equals_number: Option<f64>,
    pub(super) not_empty: Option<bool>,
    pub(super) has_value: Option<String>,
    pub(super) contains: Option<String>,
    pub(super) is_number: Option<bool>,
    pub(super) absent: Option<bool>,
    pub(super) less_than: Option<f64>,
    pub(super) lacks_value: Option<String>,
    pub(super) length: Option<usize>,
    pub(super) is_string: Option<bool>,
    pub(super) is_boolean: Option<bool>,
    pub(super) rule: Option<Rule>,
    pub(super) keyword: Option<Keyword>,
    pub(super) hint: Option<String>,
}
