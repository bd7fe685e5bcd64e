//! `scimcheck init`: the submission file to fill in, every field commented with Okta's
//! guideline, for either form.

use crate::submission::Form;

/// The commented `submission.toml` for a form.
pub fn submission_template(form: Form) -> String {
    let wizard = form == Form::OinWizard;
    let mut t = String::new();
    t.push_str(&format!(
        r#"# OIN submission for scimcheck's packager: `scimcheck package --submission THIS --results DIR`.
# Secrets never go here: name the environment variables that hold them (*_env).
# form: "oin-wizard" (Okta's current form for SCIM) or "oin-manager" (the older OIN Manager).
form = "{form}"

# The Okta developer org that holds the integration (updates must come from the original org).
dev_org = "https://dev-000000.okta.com"

[app]
# Does the app already exist in the OIN? An update keeps its existing entry.
exists_in_oin = false
# For an update: the existing OIN app name, a summary of the changes, the original dev org.
existing_name = ""
changes_summary = ""
original_dev_org = ""
# {name_help}
name = ""
"#,
        form = form.as_str(),
        name_help = if wizard { "Display name, at most 64 characters." } else { "App name: the main title in the OIN catalogue." }
    ));
    if !wizard {
        t.push_str("# App website: the product's homepage.\nwebsite = \"\"\n");
    }
    t.push_str(if wizard {
        "# Up to 3 of: Automation, Centralized Logging, Directory and HR Sync, IGA, Identity Verification, MFA, Zero Trust.\n"
    } else {
        "# One to five of: Automation, Centralized Logging, Directory and HR Sync, Bot or Fraud Detection, IGA,\n# Identity Verification, Lifecycle Management, MFA, Risk Signal Sharing, Zero Trust.\n"
    });
    t.push_str(
        r#"use_cases = []
# Under 1024 characters: the app, and what the Okta integration does.
description = ""
# PNG, JPG or GIF under 1 MB (checked by its bytes), relative to this file.
logo = "logo.png"

[support]
"#,
    );
    if !wizard {
        t.push_str("# Public contacts shown in the catalogue: type email, url or phone.\ncontacts = [{ type = \"email\", value = \"\" }]\n");
    }
    t.push_str(
        r#"# The private escalation contact: a monitored distribution list, not a generic address
# (support@…) and not a 1-800 number.
escalation = ""

[test_account]
# A static sign-in URL for Okta's reviewers.
url = ""
# isvtest@okta.com is preferred.
username = "isvtest@okta.com"
# The environment variable that holds the test account's password.
password_env = "OIN_TEST_ACCOUNT_PASSWORD"
# For SCIM: the base URL and credentials, or how to obtain them.
instructions = ""

[scim]
# "2.0"; "1.1" only for integrations already in the OIN.
version = "2.0"
# HTTPS, no "_", at most 1024 characters. The results must come from this URL.
base_url = ""
"#,
    );
    t.push_str(if wizard {
        "# header, bearer or oauth2 (Basic is not accepted for new SCIM submissions).\nauth = \"bearer\"\n"
    } else {
        "# header or oauth2 (basic only for integrations already in the OIN).\nauth = \"header\"\n"
    });
    t.push_str(
        r#"# With auth = "oauth2":
# oauth = { authorize_url = "", token_url = "", client_id = "", client_secret_env = "OIN_OAUTH_CLIENT_SECRET", scopes = [] }
# An https:// link, or an HTML or PDF file next to this one.
config_guide = ""
# Any of: create-users, update-users, deactivate-users, import-users, import-groups, group-push,
# sync-password, profile-sourcing, entitlement-management. They decide which suites must have
# passed.
features = ["create-users", "update-users", "deactivate-users"]
# With entitlement-management (SCIM 2.0), the Entitlement Management properties: every endpoint
# must be one the app's /ResourceTypes declares, proven by the okta-entitlements suite.
# entitlements = { resource_types = [{ resource_type = "Role", endpoint = "/Roles", required = false, multi_valued = true, description = "" }], schema = [{ id = "id", display_name = "displayName", description = "" }] }
"#,
    );
    if !wizard {
        t.push_str(
            "# Does the SCIM server support PATCH?\npatch_supported = true\n# Group membership changes per PATCH: 100 to 1000.\ngroup_patch_limit = 100\n# The app instance page in the dev org.\ninstance_url = \"\"\n",
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_as_submissions() {
        for form in [Form::OinWizard, Form::OinManager] {
            let s = crate::submission::parse("t.toml", &submission_template(form)).unwrap();
            assert_eq!(s.form, form);
        }
    }
}
