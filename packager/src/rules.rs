//! The OIN form's rules, applied to a submission: every field is checked against Okta's
//! guideline, and the result is the form's progress indicator — a percentage and, per section,
//! what is missing or wrong ([`Completeness`]). Facts come from Okta's submission guides (the
//! seed documents for the OIN Manager, the OIN Wizard's documentation for the current form).

use serde::Serialize;

use crate::fields::*;
use crate::submission::{Form, Submission};

/// A problem with one field.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// The field (`app.logo`).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// Okta's guideline it breaks.
    pub guideline: String,
    /// A blocking problem (counts against completeness) or a recommendation.
    pub blocking: bool,
}

/// One section of the form.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// The section's name on the form.
    pub name: String,
    /// Required fields in the section.
    pub required: usize,
    /// Required fields that are filled in and valid.
    pub satisfied: usize,
    /// What is missing, wrong, or only recommended.
    pub findings: Vec<Finding>,
}

/// The form's progress indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Completeness {
    /// 0–100, rounded down (100 only when nothing blocks).
    pub percent: u32,
    /// Per section.
    pub sections: Vec<Section>,
}

impl Completeness {
    /// Whether the form could be submitted.
    pub fn complete(&self) -> bool {
        self.sections.iter().all(|s| s.satisfied == s.required)
    }
}

/// The use cases of the OIN Manager (up to five).
pub const MANAGER_USE_CASES: &[&str] = &[
    "Automation",
    "Centralized Logging",
    "Directory and HR Sync",
    "Bot or Fraud Detection",
    "IGA",
    "Identity Verification",
    "Lifecycle Management",
    "MFA",
    "Risk Signal Sharing",
    "Zero Trust",
];

/// The use cases the OIN Wizard offers (up to three).
pub const WIZARD_USE_CASES: &[&str] = &[
    "Automation",
    "Centralized Logging",
    "Directory and HR Sync",
    "IGA",
    "Identity Verification",
    "MFA",
    "Zero Trust",
];

/// The provisioning features a submission can declare.
pub const FEATURES: &[&str] = &[
    "create-users",
    "update-users",
    "deactivate-users",
    "import-users",
    "import-groups",
    "group-push",
    "sync-password",
    "profile-sourcing",
    "entitlement-management",
];

/// Tells whether a variable of this process's environment is set and not empty.
pub fn process_env(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}

struct Checker {
    sections: Vec<Section>,
}

impl Checker {
    fn section(&mut self, name: &str) {
        self.sections.push(Section {
            name: name.into(),
            required: 0,
            satisfied: 0,
            findings: Vec::new(),
        });
    }

    fn current(&mut self) -> &mut Section {
        self.sections.last_mut().expect("a section is open")
    }

    /// A required field: counts toward completeness; an error is a blocking finding.
    fn require(&mut self, field: &str, guideline: &str, check: Result<(), String>) {
        let s = self.current();
        s.required += 1;
        match check {
            Ok(()) => s.satisfied += 1,
            Err(message) => s.findings.push(Finding {
                field: field.into(),
                message,
                guideline: guideline.into(),
                blocking: true,
            }),
        }
    }

    /// A recommendation: shown, never blocking.
    fn recommend(&mut self, field: &str, guideline: &str, check: Result<(), String>) {
        if let Err(message) = check {
            self.current().findings.push(Finding {
                field: field.into(),
                message,
                guideline: guideline.into(),
                blocking: false,
            });
        }
    }
}

/// The sections Okta's QA reads a configuration guide for (test case C9299), each with the
/// headings that count for it; a section may say "N/A".
const GUIDE_SECTIONS: &[(&str, &[&str])] = &[
    ("Supported Features", &["supported features", "features"]),
    ("Requirements", &["requirements", "prerequisites"]),
    (
        "Configuration Steps",
        &[
            "configuration steps",
            "configuration",
            "configure",
            "procedure",
            "setup",
            "set up",
        ],
    ),
    (
        "Attributes and Mapping",
        &["attributes", "mapping", "mappings", "schema"],
    ),
    (
        "Known Issues / Troubleshooting",
        &["known issues", "troubleshooting", "troubleshoot"],
    ),
];

/// Words a finished guide does not hold.
const DRAFT_MARKERS: &[&str] = &["lorem ipsum", "todo", "tbd", "[placeholder]", "xxx"];

/// C9299: an HTML guide has the sections Okta's QA looks for and no draft markers. A PDF's
/// text cannot be read reliably here (compressed, font-encoded): the person checks it, and
/// the completeness says so; a link is checked for its shape only (no network here).
fn guide_content(c: &mut Checker, s: &Submission) {
    let g = &s.scim.config_guide;
    let guideline = "Okta's QA reads the guide for these sections (test case C9299); a section that does not apply may say N/A";
    if g.is_empty() || g.starts_with("https://") {
        return;
    }
    let Ok(bytes) = s.read_input(g, untrusted::files::GUIDE_MAX_BYTES) else {
        return;
    };
    if bytes.starts_with(b"%PDF") {
        c.recommend(
            "scim.config_guide",
            guideline,
            Err("a PDF's headings cannot be read here: check by hand that it has Supported Features, Requirements, Configuration Steps, Attributes and Mapping, and Known Issues or Troubleshooting".into()),
        );
        return;
    }
    let html = String::from_utf8_lossy(&bytes).to_lowercase();
    let headings: Vec<String> = html
        .split("<h")
        .skip(1)
        .filter(|rest| rest.starts_with(|ch: char| ('1'..='6').contains(&ch)))
        .filter_map(|rest| {
            let content = rest.split_once('>')?.1;
            let end = content.find("</h").unwrap_or(content.len());
            Some(strip_tags(&content[..end]))
        })
        .collect();
    for (section, names) in GUIDE_SECTIONS {
        let found = headings.iter().any(|h| names.iter().any(|n| h.contains(n)));
        c.require(
            &format!("scim.config_guide: {section}"),
            guideline,
            if found {
                Ok(())
            } else {
                Err(format!("{g} has no {section} heading"))
            },
        );
    }
    let text = strip_tags(&html);
    let marker = DRAFT_MARKERS.iter().find(|m| {
        text.split(|ch: char| !(ch.is_alphanumeric() || ch == '[' || ch == ']'))
            .any(|w| w == **m)
            || (m.contains(' ') && text.contains(**m))
    });
    c.require(
        "scim.config_guide: finished",
        "the guide customers read has no draft markers",
        match marker {
            Some(m) => Err(format!("{g} still says {m:?}")),
            None => Ok(()),
        },
    );
}

/// Text without markup (tags removed, whitespace collapsed).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            ch if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Applies every rule of the submission's form. `env` tells whether an environment variable
/// holds a value (the secret itself is never read here).
pub fn check(s: &Submission, env: &dyn Fn(&str) -> bool) -> Completeness {
    let wizard = s.form == Form::OinWizard;
    let mut c = Checker {
        sections: Vec::new(),
    };
    app_section(&mut c, s, wizard);
    support_section(&mut c, s, wizard);
    test_account_section(&mut c, s, wizard, env);
    scim_section(&mut c, s, wizard, env);
    if s.scim
        .features
        .iter()
        .any(|f| f == "entitlement-management")
    {
        entitlement_section(&mut c, s);
    }

    let required: usize = c.sections.iter().map(|s| s.required).sum();
    let satisfied: usize = c.sections.iter().map(|s| s.satisfied).sum();
    let percent = (satisfied * 100)
        .checked_div(required)
        .map_or(100, |p| p as u32);
    Completeness {
        percent,
        sections: c.sections,
    }
}

/// The app: OIN catalogue properties (Wizard) or app information (Manager).
fn app_section(c: &mut Checker, s: &Submission, wizard: bool) {
    c.section(if wizard {
        "OIN catalogue properties"
    } else {
        "App information"
    });
    if s.app.exists_in_oin {
        update_fields(c, s);
    }
    c.require(
        "dev_org",
        "the Okta developer org that holds the integration",
        https_url(&s.dev_org),
    );
    let name_rule = if wizard {
        "display name, at most 64 characters"
    } else {
        "the main title in the OIN catalogue"
    };
    c.require(
        "app.name",
        name_rule,
        filled(&s.app.name).and_then(|()| {
            let n = s.app.name.chars().count();
            if wizard && n > 64 {
                Err(format!("{n} characters"))
            } else {
                Ok(())
            }
        }),
    );
    if !wizard {
        c.require(
            "app.website",
            "a link to the product's homepage",
            https_url(&s.app.website).or_else(|_| {
                s.app
                    .website
                    .starts_with("http://")
                    .then_some(())
                    .ok_or_else(|| format!("{:?} is not a URL", s.app.website))
            }),
        );
    }
    c.require(
        "app.use_cases",
        if wizard {
            "up to 3 of the Wizard's use cases"
        } else {
            "one to five use cases from Okta's list"
        },
        use_cases(s, wizard),
    );
    c.require(
        "app.description",
        "a description under 1024 characters",
        filled(&s.app.description).and_then(|()| {
            let n = s.app.description.chars().count();
            if n >= 1024 {
                Err(format!("{n} characters"))
            } else {
                Ok(())
            }
        }),
    );
    c.require("app.logo", "a PNG, JPG or GIF under 1 MB", logo(s));
}

/// What an update of a published integration must say: which app, what changed, and the
/// dev org it was first submitted from.
fn update_fields(c: &mut Checker, s: &Submission) {
    c.require(
        "app.existing_name",
        "an update names the existing OIN app",
        filled(&s.app.existing_name),
    );
    c.require(
        "app.changes_summary",
        "an update summarises its changes",
        filled(&s.app.changes_summary),
    );
    c.require(
        "app.original_dev_org",
        "an update must come from the dev org of the original submission",
        filled(&s.app.original_dev_org).and_then(|()| {
            if s.app.original_dev_org.trim_end_matches('/') == s.dev_org.trim_end_matches('/') {
                Ok(())
            } else {
                Err(format!(
                    "dev_org {:?} is not the original dev org {:?}",
                    s.dev_org, s.app.original_dev_org
                ))
            }
        }),
    );
}

/// The use cases: from the form's list, at most three (Wizard) or one to five (Manager).
fn use_cases(s: &Submission, wizard: bool) -> Result<(), String> {
    let (allowed, most) = if wizard {
        (WIZARD_USE_CASES, 3)
    } else {
        (MANAGER_USE_CASES, 5)
    };
    if !wizard && s.app.use_cases.is_empty() {
        return Err("missing: choose at least one".into());
    }
    if s.app.use_cases.len() > most {
        return Err(format!("{} chosen; at most {most}", s.app.use_cases.len()));
    }
    if let Some(u) = s
        .app
        .use_cases
        .iter()
        .find(|u| !allowed.contains(&u.as_str()))
    {
        return Err(format!("{u:?} is not one of: {}", allowed.join(", ")));
    }
    Ok(())
}

/// Support contacts: public ones, and the private escalation contact.
fn support_section(c: &mut Checker, s: &Submission, wizard: bool) {
    c.section(if wizard {
        "Support contact"
    } else {
        "Customer support"
    });
    if !wizard {
        c.require(
            "support.contacts",
            "one or more public contacts: email, URL or phone",
            if s.support.contacts.is_empty() {
                Err("missing".into())
            } else {
                s.support
                    .contacts
                    .iter()
                    .enumerate()
                    .try_for_each(|(i, k)| {
                        contact(&k.kind, &k.value).map_err(|e| format!("contacts[{i}]: {e}"))
                    })
            },
        );
    }
    c.require(
        "support.escalation",
        "a private, monitored distribution list; not a generic address such as support@example.com, not a 1-800 number",
        escalation(&s.support.escalation),
    );
}

/// The test account Okta's reviewers use.
fn test_account_section(c: &mut Checker, s: &Submission, wizard: bool, env: &dyn Fn(&str) -> bool) {
    c.section(if wizard {
        "Test information for Okta review"
    } else {
        "Test account"
    });
    c.require(
        "test_account.url",
        "a static sign-in URL",
        https_url(&s.test_account.url),
    );
    c.require(
        "test_account.username",
        "the test account's username or email",
        filled(&s.test_account.username),
    );
    c.recommend(
        "test_account.username",
        "isvtest@okta.com is the preferred test account",
        if s.test_account.username.is_empty()
            || s.test_account
                .username
                .eq_ignore_ascii_case("isvtest@okta.com")
        {
            Ok(())
        } else {
            Err(format!(
                "{:?} instead of isvtest@okta.com",
                s.test_account.username
            ))
        },
    );
    c.require(
        "test_account.password_env",
        "the OIN form asks for the test account's password (you type it into the OIN Manager): it is set in the named environment variable, never in the file, and scimcheck neither bundles nor prints it",
        env_name(&s.test_account.password_env, env),
    );
    if wizard {
        c.require(
            "test_account.instructions",
            "for SCIM: the base URL and credentials, or how to get them",
            filled(&s.test_account.instructions),
        );
    }
}

/// The Entitlement Management properties (OIN Wizard), when the feature is declared: the
/// resource type mapping (resource type and endpoint required) and the schema mapping (ID and
/// display name required). The run proves each endpoint (`results::requirement_problems`).
fn entitlement_section(c: &mut Checker, s: &Submission) {
    c.section("Entitlement management");
    c.require(
        "scim.version",
        "entitlement management is offered for SCIM 2.0 apps",
        if s.scim.version == "2.0" {
            Ok(())
        } else {
            Err(format!("{:?} is not 2.0", s.scim.version))
        },
    );
    let e = s.scim.entitlements.clone().unwrap_or_default();
    c.require(
        "scim.entitlements.resource_types",
        "at least one resource type: resource type and endpoint",
        listed(
            &e.resource_types,
            "missing: list the app's entitlement resource types",
        ),
    );
    for (i, t) in e.resource_types.iter().enumerate() {
        let at = format!("scim.entitlements.resource_types[{i}]");
        c.require(
            &format!("{at}.resource_type"),
            "the resource type's id in /ResourceTypes, e.g. Role",
            filled(&t.resource_type),
        );
        c.require(
            &format!("{at}.endpoint"),
            "the endpoint relative to the SCIM base URL, e.g. /Roles",
            match t.endpoint.as_str() {
                "" => Err("missing".into()),
                e if !e.starts_with('/') || e.contains(char::is_whitespace) => {
                    Err(format!("{e:?} is not a path such as /Roles"))
                }
                _ => Ok(()),
            },
        );
    }
    c.require(
        "scim.entitlements.schema",
        "at least one attribute of the schema mapping: ID and display name",
        listed(&e.schema, "missing"),
    );
    for (i, a) in e.schema.iter().enumerate() {
        let at = format!("scim.entitlements.schema[{i}]");
        c.require(&format!("{at}.id"), "the attribute's ID", filled(&a.id));
        c.require(
            &format!("{at}.display_name"),
            "the attribute's display name",
            filled(&a.display_name),
        );
    }
}

/// The SCIM tab: version, base URL, authentication, guide, features.
fn scim_section(c: &mut Checker, s: &Submission, wizard: bool, env: &dyn Fn(&str) -> bool) {
    c.section("SCIM");
    c.require(
        "scim.version",
        "SCIM 2.0; SCIM 1.1 only for integrations already in the OIN",
        match s.scim.version.as_str() {
            "2.0" => Ok(()),
            "1.1" if s.app.exists_in_oin && !wizard => Ok(()),
            "1.1" => Err("new submissions must be SCIM 2.0".into()),
            "" => Err("missing".into()),
            other => Err(format!("{other:?} is not 2.0 or 1.1")),
        },
    );
    c.require(
        "scim.base_url",
        "an HTTPS base URL without \"_\", at most 1024 characters, on a host Okta's cloud can reach",
        https_url(&s.scim.base_url).and_then(|()| {
            if let Some(why) = unreachable_from_okta(&s.scim.base_url) {
                Err(format!(
                    "{why}: Okta provisions from its cloud over the public internet, so a local or private host can never be reached (a DRAFT bundle still works)"
                ))
            } else if s.scim.base_url.contains('_') {
                Err("contains \"_\"".into())
            } else if s.scim.base_url.len() > 1024 {
                Err(format!("{} characters", s.scim.base_url.len()))
            } else {
                Ok(())
            }
        }),
    );
    let auth_rule = if wizard {
        "header, bearer or oauth2 (Basic is not accepted for new SCIM submissions)"
    } else {
        "header or oauth2 (basic only for existing integrations)"
    };
    c.require(
        "scim.auth",
        auth_rule,
        match (s.scim.auth.as_str(), wizard) {
            ("header" | "oauth2", _) | ("bearer", true) => Ok(()),
            ("basic", false) if s.app.exists_in_oin => Ok(()),
            ("basic", _) => {
                Err("Basic authentication is not accepted for new SCIM submissions".into())
            }
            ("", _) => Err("missing".into()),
            (other, _) => Err(format!("{other:?} is not one of the form's modes")),
        },
    );
    if s.scim.auth == "oauth2" {
        oauth_fields(c, s, env);
    }
    c.require(
        "scim.config_guide",
        "a configuration guide: an https:// link, or an HTML or PDF file",
        config_guide(s),
    );
    guide_content(c, s);
    c.require("scim.features", "the supported provisioning features", if s.scim.features.is_empty() {
        Err("missing".into())
    } else if let Some(f) = s.scim.features.iter().find(|f| !FEATURES.contains(&f.as_str())) {
        Err(format!("{f:?} is not one of: {}", FEATURES.join(", ")))
    } else if wizard && s.scim.features.iter().any(|f| f == "profile-sourcing") {
        Err("the OIN Wizard does not offer profile sourcing; Okta enables it on request (oin@okta.com)".into())
    } else {
        Ok(())
    });
    if !wizard {
        manager_fields(c, s);
    }
}

/// The OAuth 2 endpoints, client id and the variable that holds the client secret.
fn oauth_fields(c: &mut Checker, s: &Submission, env: &dyn Fn(&str) -> bool) {
    let o = s.scim.oauth.clone().unwrap_or_default();
    c.require(
        "scim.oauth.authorize_url",
        "the authorize endpoint",
        https_url(&o.authorize_url),
    );
    c.require(
        "scim.oauth.token_url",
        "the token endpoint",
        https_url(&o.token_url),
    );
    c.require(
        "scim.oauth.client_id",
        "the client id (the same for every tenant)",
        filled(&o.client_id),
    );
    c.require(
        "scim.oauth.client_secret_env",
        "the client secret, held in the named environment variable",
        env_name(&o.client_secret_env, env),
    );
}

/// What the OIN Manager form asks of a SCIM integration besides the Wizard's.
fn manager_fields(c: &mut Checker, s: &Submission) {
    c.require(
        "scim.patch_supported",
        "whether the SCIM server supports PATCH",
        s.scim
            .patch_supported
            .map(|_| ())
            .ok_or_else(|| "missing".to_string()),
    );
    c.require(
        "scim.group_patch_limit",
        "group membership changes per PATCH: 100 to 1000",
        match s.scim.group_patch_limit {
            None => Err("missing".into()),
            Some(n) if (100..=1000).contains(&n) => Ok(()),
            Some(n) => Err(format!("{n} is outside 100-1000")),
        },
    );
    c.require(
        "scim.instance_url",
        "the app instance page in the dev org",
        https_url(&s.scim.instance_url),
    );
}

/// Writes the completeness like the OIN form's progress indicator: the percentage, then each
/// section with what is missing or wrong (and what is only recommended).
pub fn write_completeness(c: &Completeness, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(out, "Completeness: {}%", c.percent)?;
    for s in &c.sections {
        writeln!(out, "  {:<34} {}/{}", s.name, s.satisfied, s.required)?;
        for f in &s.findings {
            let tag = if f.blocking { "-" } else { "~ recommended:" };
            // A finding may quote the submission's text (a bundle's, when verifying).
            writeln!(
                out,
                "    {tag} {}: {} ({})",
                f.field,
                untrusted::terminal_line(&f.message),
                f.guideline
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guide_without_okta_s_sections_or_with_draft_markers_is_named() {
        let mut c = Checker {
            sections: Vec::new(),
        };
        c.section("SCIM");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let mut s = crate::submission::parse(
            "submission.toml",
            &std::fs::read_to_string(dir.join("submission.toml")).unwrap(),
        )
        .unwrap();
        s.scim.config_guide = "guide.html".into();
        let guide = "<h1>Acme</h1><h2>Supported <b>features</b></h2><h2>Prerequisites</h2><p>TODO: write</p><h3>Troubleshooting</h3>";
        s.inputs = Some(std::sync::Arc::new(
            [("guide.html".to_string(), guide.as_bytes().to_vec())].into(),
        ));
        guide_content(&mut c, &s);
        let missing: Vec<&str> = c.sections[0]
            .findings
            .iter()
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            missing,
            [
                "guide.html has no Configuration Steps heading",
                "guide.html has no Attributes and Mapping heading",
                "guide.html still says \"todo\"",
            ]
        );
    }

    #[test]
    fn hosts_okta_cannot_reach_are_named() {
        for url in [
            "https://localhost:8443/scim/v2",
            "https://127.0.0.1/scim",
            "https://10.1.2.3/scim",
            "https://172.20.0.5:443/scim",
            "https://192.168.1.10/scim",
            "https://169.254.10.1/scim",
            "https://[::1]:8443/scim",
            "https://[fd00::1]/scim",
            "https://[fe80::1]/scim",
            "https://scim.corp.internal/scim",
            "https://printer.local/scim",
            "https://0.0.0.0/scim",
        ] {
            assert!(unreachable_from_okta(url).is_some(), "{url}");
        }
        for url in [
            "https://scim.acme.example/scim/v2",
            "https://8.8.8.8/scim",
            "https://172.32.0.1/scim",
            "https://[2001:db8::1]/scim",
            "https://user@app.example.com:8443/scim",
        ] {
            assert_eq!(unreachable_from_okta(url), None, "{url}");
        }
    }

    #[test]
    fn escalation_rejects_generic_and_toll_free() {
        assert!(escalation("oin-escalations@acme.example").is_ok());
        assert!(
            escalation("support@acme.example")
                .unwrap_err()
                .contains("generic")
        );
        assert!(
            escalation("1-800-555-0100")
                .unwrap_err()
                .contains("toll-free")
        );
        assert!(
            escalation("+1 (888) 555 0100")
                .unwrap_err()
                .contains("toll-free")
        );
        assert!(
            escalation("+44 20 7946 0000")
                .unwrap_err()
                .contains("phone number")
        );
        assert!(escalation("not an address").is_err());
    }

    #[test]
    fn images_are_known_by_their_bytes() {
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(image_kind(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("jpg"));
        assert_eq!(image_kind(b"GIF89a..."), Some("gif"));
        assert_eq!(image_kind(b"<svg>"), None);
    }

    #[test]
    fn contacts_by_type() {
        assert!(contact("email", "help@acme.example").is_ok());
        assert!(contact("url", "https://acme.example/help").is_ok());
        assert!(contact("phone", "+1 415 555 0100").is_ok());
        assert!(contact("fax", "1").is_err());
        assert!(contact("phone", "call us").is_err());
    }
}

#[cfg(test)]
mod form_rules {
    use super::*;
    use crate::submission::{Submission, parse};

    fn sample() -> Submission {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let mut s = parse(
            "submission.toml",
            &std::fs::read_to_string(dir.join("submission.toml")).unwrap(),
        )
        .unwrap();
        s.base_dir = dir;
        s
    }

    fn env_set(_: &str) -> bool {
        true
    }

    fn blocking(s: &Submission) -> Vec<String> {
        check(s, &env_set)
            .sections
            .iter()
            .flat_map(|sec| {
                sec.findings
                    .iter()
                    .filter(|f| f.blocking)
                    .map(|f| format!("{}: {}", f.field, f.message))
            })
            .collect()
    }

    #[test]
    fn the_sample_is_complete() {
        let c = check(&sample(), &env_set);
        assert_eq!(c.percent, 100, "{:#?}", c.sections);
        assert!(c.complete());
    }

    #[test]
    fn each_rule_names_its_field() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("fake.png"), b"this is text, not a PNG").unwrap();
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(LOGO_MAX_BYTES as usize, 0);
        std::fs::write(dir.path().join("big.png"), big).unwrap();
        let fake = dir.path().join("fake.png").display().to_string();
        let big = dir.path().join("big.png").display().to_string();
        type Mutation = Box<dyn Fn(&mut Submission)>;
        let cases: Vec<(&str, Mutation, &str)> = vec![
            (
                "app.name",
                Box::new(|s| s.app.name = "x".repeat(65)),
                "65 characters",
            ),
            ("app.name", Box::new(|s| s.app.name.clear()), "missing"),
            (
                "app.use_cases",
                Box::new(|s| {
                    s.app.use_cases = vec![
                        "IGA".into(),
                        "MFA".into(),
                        "Automation".into(),
                        "Zero Trust".into(),
                    ]
                }),
                "at most 3",
            ),
            (
                "app.use_cases",
                Box::new(|s| s.app.use_cases = vec!["Lifecycle Management".into()]),
                "not one of",
            ),
            (
                "app.description",
                Box::new(|s| s.app.description = "d".repeat(1024)),
                "1024 characters",
            ),
            (
                "app.logo",
                Box::new(|s| s.app.logo = "missing.png".into()),
                "cannot read",
            ),
            (
                "app.logo",
                Box::new(move |s| s.app.logo = fake.clone()),
                "not a PNG, JPG or GIF",
            ),
            (
                "app.logo",
                Box::new(move |s| s.app.logo = big.clone()),
                "the limit is under 1 MB",
            ),
            (
                "support.escalation",
                Box::new(|s| s.support.escalation = "support@acme.example".into()),
                "generic",
            ),
            (
                "support.escalation",
                Box::new(|s| s.support.escalation = "1-800-555-0100".into()),
                "toll-free",
            ),
            (
                "test_account.url",
                Box::new(|s| s.test_account.url = "ftp://x".into()),
                "not an https:// URL",
            ),
            (
                "scim.version",
                Box::new(|s| s.scim.version = "1.1".into()),
                "must be SCIM 2.0",
            ),
            (
                "scim.base_url",
                Box::new(|s| s.scim.base_url = "https://scim_host.example/scim".into()),
                "\"_\"",
            ),
            (
                "scim.auth",
                Box::new(|s| s.scim.auth = "basic".into()),
                "Basic authentication is not accepted",
            ),
            (
                "scim.features",
                Box::new(|s| s.scim.features.push("profile-sourcing".into())),
                "does not offer profile sourcing",
            ),
            (
                "scim.config_guide",
                Box::new(|s| s.scim.config_guide = "http://guide.example".into()),
                "neither an https:// link nor a file",
            ),
            // Regression: /dev/zero exhausted memory, a FIFO hung, a guide had no size limit.
            (
                "scim.config_guide",
                Box::new(|s| s.scim.config_guide = "/dev/zero".into()),
                "is not a regular file",
            ),
            (
                "app.logo",
                Box::new(|s| s.app.logo = "/dev/zero".into()),
                "is not a regular file",
            ),
            (
                "scim.oauth.client_secret_env",
                Box::new(|s| {
                    s.scim.auth = "oauth2".into();
                    s.scim.oauth = Some(Default::default());
                }),
                "missing",
            ),
            (
                "app.original_dev_org",
                Box::new(|s| {
                    s.app.exists_in_oin = true;
                    s.app.existing_name = "Old".into();
                    s.app.changes_summary = "c".into();
                    s.app.original_dev_org = "https://dev-1.okta.com".into();
                }),
                "is not the original dev org",
            ),
        ];
        for (field, mutate, expected) in cases {
            let mut s = sample();
            mutate(&mut s);
            let found = blocking(&s);
            assert!(
                found
                    .iter()
                    .any(|f| f.starts_with(&format!("{field}: ")) && f.contains(expected)),
                "{field} / {expected}: {found:#?}"
            );
        }
    }

    #[test]
    fn an_unset_password_variable_blocks() {
        let c = check(&sample(), &|_| false);
        assert!(
            c.sections
                .iter()
                .flat_map(|s| &s.findings)
                .any(|f| f.field == "test_account.password_env"
                    && f.message.contains("SCIMCHECK_SAMPLE_PASSWORD is not set"))
        );
        assert!(c.percent < 100);
    }

    #[test]
    fn the_manager_form_has_its_own_fields() {
        let mut s = sample();
        s.form = Form::OinManager;
        s.app.use_cases = vec!["Lifecycle Management".into()];
        let found = blocking(&s);
        for field in [
            "app.website",
            "support.contacts",
            "scim.patch_supported",
            "scim.group_patch_limit",
            "scim.instance_url",
        ] {
            assert!(
                found.iter().any(|f| f.starts_with(field)),
                "{field}: {found:#?}"
            );
        }
        // Bearer is a Wizard mode; the Manager form knows header and OAuth 2.
        assert!(
            found.iter().any(|f| f.starts_with("scim.auth")),
            "{found:#?}"
        );
    }
}
