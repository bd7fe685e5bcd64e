//! A run's options besides the target ([`RunOptions`]), with their defaults.

use crate::http::Pace;
use crate::report::VersionChoice;

/// Options of a run besides the target.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Domain of generated email addresses and user names.
    pub email_domain: String,
    /// Leave created resources in the app (reported as kept).
    pub keep: bool,
    /// Fail on SHOULD and MAY violations too (otherwise they are warnings).
    pub strict: bool,
    /// The SCIM version targeted and the evidence for it, kept in the report.
    pub scim_version: Option<VersionChoice>,
    /// `count` of each page of an import walk (Okta uses 100).
    pub page_size: usize,
    /// Values of the suites' inputs (`--var`, `--var-env`).
    pub inputs: Vec<(String, String)>,
    /// Wait the pauses a suite asks for (Runscope exports pause 5-40 s between steps).
    pub honor_pauses: bool,
    /// What the user should know about how the run was made, kept in the report.
    pub notices: Vec<String>,
    /// The most resources one import walk reads (`--max-import-resources`).
    pub max_import_resources: usize,
    /// Pages of an import walk in flight at once (`--import-concurrency`, default 1: the
    /// next page is fetched while this one is judged).
    pub import_concurrency: usize,
    /// How import walks page (`--pagination`); none: as the app's ServiceProviderConfig
    /// says (RFC 9865 §4), else by index as Okta does. `run` settles it before the first check.
    pub pagination: Option<crate::suite::Pagination>,
    /// The longest the checks may take (`--max-duration`); cleanup runs after it.
    pub max_duration: std::time::Duration,
    /// Entitlement endpoints named by hand (`--entitlement-endpoint`), instead of those the
    /// app's `/ResourceTypes` declares.
    pub entitlement_endpoints: Vec<String>,
    /// How fast the run talks to the app (`--concurrency`, `--rate`): the schedule plans
    /// for it, and the client the run is given must keep to it (`Client::paced`).
    pub pace: Pace,
    /// `--suite oauth`: the OAuth 2 checks, run after the others with the run's OAuth 2 client.
    pub oauth_suite: Option<OAuthSuiteOptions>,
    /// `--load-probe`: run the checks that load the app (a few seconds at a steady rate);
    /// without it they are skipped with the reason.
    pub load_probe: bool,
}

/// The settings of the `oauth` suite (Okta's QA case C21902).
#[derive(Debug, Clone)]
pub struct OAuthSuiteOptions {
    /// The authorize endpoint, when the app has one (the authorization code grant).
    pub authorize_url: Option<String>,
    /// The revocation endpoint (RFC 7009); none: found in the server's metadata.
    pub revocation_url: Option<String>,
    /// The longest the suite waits for a token to expire.
    pub max_wait: std::time::Duration,
}

/// The default of `--max-duration`: an hour, enough for every suite and a 100,000-user
/// import against an app 100 ms away.
pub const DEFAULT_MAX_DURATION: std::time::Duration =
    std::time::Duration::from_secs(scim_results::DEFAULT_MAX_DURATION_SECS);

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            email_domain: "atko.com".into(),
            keep: false,
            strict: false,
            scim_version: None,
            page_size: 100,
            inputs: Vec::new(),
            honor_pauses: false,
            notices: Vec::new(),
            max_import_resources: crate::run::walk::DEFAULT_MAX_IMPORT_RESOURCES,
            import_concurrency: 1,
            pagination: None,
            max_duration: DEFAULT_MAX_DURATION,
            entitlement_endpoints: Vec::new(),
            pace: Pace::default(),
            oauth_suite: None,
            load_probe: false,
        }
    }
}
