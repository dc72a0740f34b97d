//! The report's schema section: per stream with a schema, its registry subject (compatibility
//! level, versions with ids, refused registrations and why), records rejected on produce and,
//! per consumer group, the records it could not decode — each count with its first reasons.
//! Built from `model::schemas` (the registry's history) and `collect::schemas` (the run's
//! counts); rendered as text here and as JSON by serde.

use std::fmt::Write as _;

use serde::Serialize;

use crate::collect::Collector;
use crate::collect::schemas::ReasonCounts;
use crate::model::Scenario;

#[derive(Clone, Debug, Serialize)]
pub struct SubjectReport {
    pub stream: String,
    /// `<stream>-value` (Confluent's topic-name strategy).
    pub subject: String,
    pub compatibility: String,
    pub versions: Vec<VersionReport>,
    pub refused: Vec<RefusalReport>,
    /// Records whose send failed in the producer (invalid value, or refused schema).
    pub rejected_on_produce: CountReport,
    pub groups: Vec<GroupDecodeReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct VersionReport {
    pub version: u32,
    pub id: u32,
    pub registered_at_us: u64,
    pub registered_by: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RefusalReport {
    pub at_us: u64,
    pub service: String,
    pub incompatibilities: Vec<IncompatibilityReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct IncompatibilityReport {
    /// The registered version the new schema fails against.
    pub version: u32,
    /// `new` (the new schema reading that version's data) or `old` (that version reading the
    /// new schema's data).
    pub reader: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub location: String,
    pub message: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct CountReport {
    pub count: u64,
    /// The first distinct reasons (at most 5), each with how often it occurred.
    pub reasons: Vec<ReasonReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReasonReport {
    pub reason: String,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupDecodeReport {
    pub group: String,
    pub decode_failures: CountReport,
}

fn counts(counts: &ReasonCounts, texts: &crate::trace::Reasons) -> CountReport {
    CountReport {
        count: counts.count,
        reasons: counts
            .reasons
            .iter()
            .map(|(reason, count)| ReasonReport {
                reason: texts.text(*reason).to_string(),
                count: *count,
            })
            .collect(),
    }
}

pub fn reports(model: &Scenario, collector: &Collector) -> Vec<SubjectReport> {
    let found = collector.schemas();
    model
        .streams
        .iter()
        .filter_map(|stream| {
            let subject = model.schemas.subject(stream.id)?;
            Some(SubjectReport {
                stream: stream.name.clone(),
                subject: subject.name.clone(),
                compatibility: subject.compatibility.name().to_string(),
                versions: subject
                    .versions
                    .iter()
                    .map(|version| VersionReport {
                        version: version.version,
                        id: version.id,
                        registered_at_us: version.registered_at_us,
                        registered_by: version.registered_by.clone(),
                    })
                    .collect(),
                refused: subject
                    .refusals
                    .iter()
                    .map(|refusal| RefusalReport {
                        at_us: refusal.at_us,
                        service: refusal.service.clone(),
                        incompatibilities: refusal
                            .incompatibilities
                            .iter()
                            .map(|item| IncompatibilityReport {
                                version: item.version,
                                reader: item.reader.name().to_string(),
                                kind: item.incompatibility.kind.java_name().to_string(),
                                location: item.incompatibility.location.clone(),
                                message: item.incompatibility.message.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
                rejected_on_produce: counts(&found.rejected[stream.id.index()], &found.texts),
                groups: model
                    .groups_of(stream.id)
                    .filter(|group| model.schemas.reader(group.id).is_some())
                    .map(|group| GroupDecodeReport {
                        group: group.name.clone(),
                        decode_failures: counts(
                            &found.decode_failed[group.id.index()],
                            &found.texts,
                        ),
                    })
                    .collect(),
            })
        })
        .collect()
}

fn render_counts(out: &mut String, label: &str, counts: &CountReport) {
    let _ = writeln!(out, "  {label}: {}", counts.count);
    for reason in &counts.reasons {
        let _ = writeln!(out, "    {} × {}", reason.count, reason.reason);
    }
}

pub fn render_text(subjects: &[SubjectReport], out: &mut String) {
    for subject in subjects {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "schema registry subject {} (stream {}, compatibility {}):",
            subject.subject, subject.stream, subject.compatibility
        );
        for version in &subject.versions {
            let _ = writeln!(
                out,
                "  version {} (id {}) registered at {} µs by {}",
                version.version, version.id, version.registered_at_us, version.registered_by
            );
        }
        for refusal in &subject.refused {
            let _ = writeln!(
                out,
                "  REFUSED at {} µs: {}'s new schema breaks {}",
                refusal.at_us, refusal.service, subject.compatibility
            );
            for item in &refusal.incompatibilities {
                let direction = if item.reader == "new" {
                    "reading"
                } else {
                    "read by"
                };
                let _ = writeln!(
                    out,
                    "    {direction} version {}: {} at {}: {}",
                    item.version, item.kind, item.location, item.message
                );
            }
        }
        render_counts(out, "rejected on produce", &subject.rejected_on_produce);
        for group in &subject.groups {
            render_counts(
                out,
                &format!("group {} could not decode", group.group),
                &group.decode_failures,
            );
        }
    }
}
