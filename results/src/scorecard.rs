//! The profile scorecard: for each suite that grades a profile of 2026 (the SCIM 2.0
//! Interoperability Profile, IPSIE AL1 and AL2, RFC 9865 cursor pagination), how many of its
//! MUST, SHOULD and MAY requirements the run showed met, not met, or could not judge, and the
//! unmet ones with their section. A function of the suites' results: every report shows the
//! same figures, and a bundle's results carry them.

use serde::{Deserialize, Serialize};

use crate::{CheckResult, Keyword, Outcome, SuiteReport};

/// One profile (one level of it), as the run graded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileScore {
    /// The suite that grades it.
    pub suite: String,
    /// The profile and level, as the suite names it.
    pub profile: String,
    /// Its MUST requirements.
    pub must: Tally,
    /// Its SHOULD requirements.
    pub should: Tally,
    /// Its MAY requirements.
    pub may: Tally,
    /// The requirements not met, in check order.
    pub unmet: Vec<Unmet>,
    /// The verdict in words.
    pub verdict: ScoreVerdict,
}

/// Requirements of one keyword.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Shown met (passed).
    pub met: usize,
    /// Shown not met (failed, erred, or a warning).
    pub unmet: usize,
    /// Not judged: skipped, blocked, or shown only in part.
    pub not_judged: usize,
}

/// A requirement the run showed not met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unmet {
    /// The check's id.
    pub check: String,
    /// Its keyword.
    pub keyword: Keyword,
    /// The section it cites (`§6.5.1`), or its whole reference when it cites none.
    pub section: String,
    /// The check's title.
    pub title: String,
}

impl Unmet {
    /// The requirement in a few words: keyword, section and check (`MUST §5.3 (undefined-schema-refused)`).
    pub fn label(&self) -> String {
        format!(
            "{} {} ({})",
            self.keyword.as_str(),
            self.section,
            self.check
        )
    }
}

impl ProfileScore {
    /// Every unmet requirement's label, in check order.
    pub fn unmet_labels(&self) -> Vec<String> {
        self.unmet.iter().map(Unmet::label).collect()
    }
}

/// What a scorecard row says of the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScoreVerdict {
    /// Every MUST judged was met, and none went unjudged.
    Meets,
    /// A MUST was shown not met.
    DoesNotMeet,
    /// No MUST was shown not met, but some were not judged (skipped, blocked, partial).
    NotFullyJudged,
}

impl ScoreVerdict {
    /// The verdict in words.
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreVerdict::Meets => "meets its MUSTs",
            ScoreVerdict::DoesNotMeet => "does not meet",
            ScoreVerdict::NotFullyJudged => "not fully judged",
        }
    }
}

impl Tally {
    /// `met/judged` and what was not judged, e.g. "12/13 (2 not judged)".
    pub fn line(&self) -> String {
        let judged = self.met + self.unmet;
        match self.not_judged {
            0 => format!("{}/{judged}", self.met),
            n => format!("{}/{judged} ({n} not judged)", self.met),
        }
    }
}

/// The scorecard of a run: a row for each suite that grades a profile.
pub fn scorecard(suites: &[SuiteReport]) -> Vec<ProfileScore> {
    suites
        .iter()
        .filter_map(|s| Some((s, s.profile.as_ref()?)))
        .map(|(suite, profile)| score(suite, profile))
        .collect()
}

fn score(suite: &SuiteReport, profile: &str) -> ProfileScore {
    let mut row = ProfileScore {
        suite: suite.id.clone(),
        profile: profile.to_string(),
        must: Tally::default(),
        should: Tally::default(),
        may: Tally::default(),
        unmet: Vec::new(),
        verdict: ScoreVerdict::Meets,
    };
    for check in &suite.checks {
        let keyword = check.keyword.unwrap_or(Keyword::Must);
        let tally = match keyword {
            Keyword::Must => &mut row.must,
            Keyword::Should => &mut row.should,
            Keyword::May => &mut row.may,
        };
        match &check.outcome {
            Outcome::Pass => tally.met += 1,
            Outcome::Fail { .. } | Outcome::Error { .. } => {
                tally.unmet += 1;
                row.unmet.push(unmet(check, keyword));
            }
            // A warning: the check's own requirement held; what it recommends besides (a
            // SHOULD or MAY of its assertions) did not.
            Outcome::Warn { mismatches } => {
                tally.met += usize::from(keyword == Keyword::Must);
                let weaker = mismatches
                    .iter()
                    .filter_map(|m| m.keyword)
                    .find(|k| *k != Keyword::Must)
                    .unwrap_or(Keyword::Should);
                match weaker {
                    Keyword::May => row.may.unmet += 1,
                    _ => row.should.unmet += 1,
                }
                row.unmet.push(unmet(check, weaker));
            }
            _ => tally.not_judged += 1,
        }
    }
    row.verdict = if row.must.unmet > 0 {
        ScoreVerdict::DoesNotMeet
    } else if row.must.not_judged > 0 {
        ScoreVerdict::NotFullyJudged
    } else {
        ScoreVerdict::Meets
    };
    row
}

fn unmet(check: &CheckResult, keyword: Keyword) -> Unmet {
    Unmet {
        check: check.id.clone(),
        keyword,
        section: section_of(check),
        title: check.title.clone(),
    }
}

/// The first section a check's reference cites (`§5.3`), with the text it belongs to when
/// the reference names one before it; the reference itself when it cites no section.
fn section_of(check: &CheckResult) -> String {
    let reference = check.reference.as_str();
    let Some(at) = reference.find('§') else {
        // No section number: the requirement's heading, before its explanation.
        return reference
            .split(['(', ';'])
            .next()
            .unwrap_or(reference)
            .trim()
            .to_string();
    };
    let number: String = reference[at + '§'.len_utf8()..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let number = number.trim_end_matches('.');
    // The document named just before the section (`RFC 9865 §2`), if any.
    let before = reference[..at].trim_end();
    let document = before
        .rsplit([',', '(', ';'])
        .next()
        .map(str::trim)
        .filter(|d| d.starts_with("RFC") || d.starts_with("draft") || d.starts_with("IPSIE"))
        .map(|d| format!("{d} "))
        .unwrap_or_default();
    format!("{document}§{number}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Level;

    fn check(id: &str, keyword: Keyword, outcome: Outcome, reference: &str) -> CheckResult {
        serde_json::from_value::<CheckResult>(serde_json::json!({
            "id": id, "title": id, "level": "required", "reference": reference,
            "keyword": keyword.as_str(), "outcome": {"status": "pass"}, "duration_ms": 0,
            "exchanges": []
        }))
        .map(|mut c| {
            c.outcome = outcome;
            c.level = Level::Required;
            c
        })
        .expect("a check result")
    }

    #[test]
    fn a_profile_is_met_only_when_every_must_was_shown_met() {
        let fail = Outcome::Fail {
            mismatches: Vec::new(),
        };
        let skip = Outcome::Skip {
            reason: "not run".into(),
        };
        let suite = |checks: Vec<CheckResult>| SuiteReport {
            id: "interop-profile".into(),
            title: String::new(),
            version: String::new(),
            scim_version: crate::ScimVersion::V2,
            reference: String::new(),
            profile: Some("SCIM 2.0 Interoperability Profile".into()),
            duration_ms: 0,
            checks,
            cleanup: Vec::new(),
        };
        let met = scorecard(&[suite(vec![
            check("a", Keyword::Must, Outcome::Pass, "x §5.3"),
            check(
                "b",
                Keyword::Should,
                fail.clone(),
                "draft-zollner-scim-interop-profile-01 §6.4 (count)",
            ),
        ])]);
        assert_eq!(met[0].verdict, ScoreVerdict::Meets);
        assert_eq!(met[0].should.unmet, 1);
        assert_eq!(
            met[0].unmet[0].section,
            "draft-zollner-scim-interop-profile-01 §6.4"
        );
        let unmet = scorecard(&[suite(vec![
            check("a", Keyword::Must, fail, "RFC 9865 §2.1 (x)"),
            check("b", Keyword::Must, skip.clone(), "x"),
        ])]);
        assert_eq!(unmet[0].verdict, ScoreVerdict::DoesNotMeet);
        assert_eq!(unmet[0].unmet[0].section, "RFC 9865 §2.1");
        assert_eq!(unmet[0].must.line(), "0/1 (1 not judged)");
        // A MUST check that warns met its MUST; its SHOULD is what went unmet.
        let warned = Outcome::Warn {
            mismatches: vec![crate::Mismatch {
                assertion: "json x".into(),
                expected: "y".into(),
                actual: "z".into(),
                hint: None,
                keyword: Some(Keyword::Should),
            }],
        };
        let row = &scorecard(&[suite(vec![check("w", Keyword::Must, warned, "x")])])[0];
        assert_eq!((row.must.met, row.must.unmet, row.should.unmet), (1, 0, 1));
        assert_eq!(row.verdict, ScoreVerdict::Meets);
        assert_eq!(row.unmet[0].keyword, Keyword::Should);
        let partly = scorecard(&[suite(vec![check("b", Keyword::Must, skip, "x")])]);
        assert_eq!(partly[0].verdict, ScoreVerdict::NotFullyJudged);
    }
}
