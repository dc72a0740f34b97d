//! The schema side of a run: each stream's subject in the schema registry (Confluent's
//! topic-name strategy, `<stream>-value`) with the versions the run's producers register, and
//! which schema each producer writes with and each consumer group reads with, over time.
//!
//! Registration is decided when the scenario is validated: a registry's answer depends only on
//! the order of registrations, and every registration of a scenario is requested at a time the
//! file states (a producer's start, or a `schema_upgrades` entry), so replaying them in time
//! order (declared order breaks ties) gives the ids, versions and refusals Confluent's registry
//! would give. The run carries them out: `service::RegistryActor` answers each producer's
//! request over its link, the producer holds its sends until the answer, and a producer whose
//! registration was refused fails every send from then on (as the Confluent serializer with
//! `auto.register.schemas` throws), and its records are rejected.

use std::sync::Arc;

use super::{GroupId, ServiceId, StreamId};
use crate::schema::{CompatibilityMode, Schema, VersionIncompatibility};

/// Everything schema-related of a scenario; empty when no stream declares a schema.
#[derive(Clone, Debug, Default)]
pub struct SchemaPlan {
    /// By `StreamId`: the stream's subject, when it has a schema.
    pub subjects: Vec<Option<Subject>>,
    /// What each production writes with, by (service, index in its `produces`).
    pub writers: Vec<WriterPlan>,
    /// What each consumer group reads with.
    pub readers: Vec<ReaderPlan>,
}

impl SchemaPlan {
    pub fn subject(&self, stream: StreamId) -> Option<&Subject> {
        self.subjects.get(stream.index()).and_then(Option::as_ref)
    }

    pub fn writer(&self, service: ServiceId, production: usize) -> Option<&WriterPlan> {
        self.writers
            .iter()
            .find(|plan| plan.service == service && plan.production == production)
    }

    pub fn reader(&self, group: GroupId) -> Option<&ReaderPlan> {
        self.readers.iter().find(|plan| plan.group == group)
    }

    pub fn is_empty(&self) -> bool {
        self.subjects.iter().all(Option::is_none)
    }
}

/// A registry subject: its compatibility level, registered versions and refused registrations.
#[derive(Clone, Debug)]
pub struct Subject {
    /// `<stream>-value` (Confluent's `TopicNameStrategy`).
    pub name: String,
    pub compatibility: CompatibilityMode,
    pub versions: Vec<SubjectVersion>,
    pub refusals: Vec<Refusal>,
}

#[derive(Clone, Debug)]
pub struct SubjectVersion {
    /// 1, 2, ... within the subject.
    pub version: u32,
    /// The registry-wide schema id (Confluent's ids count from 1 across subjects).
    pub id: u32,
    pub schema: Arc<Schema>,
    pub registered_at_us: u64,
    /// The service whose producer registered it.
    pub registered_by: String,
}

#[derive(Clone, Debug)]
pub struct Refusal {
    pub at_us: u64,
    pub service: String,
    /// Why: the incompatibilities with the versions the mode checks.
    pub incompatibilities: Vec<VersionIncompatibility>,
}

/// What one `produces` entry writes with: steps in time order, the first from the start.
#[derive(Clone, Debug)]
pub struct WriterPlan {
    pub service: ServiceId,
    pub production: usize,
    pub stream: StreamId,
    pub steps: Vec<WriterStep>,
}

#[derive(Clone, Debug)]
pub struct WriterStep {
    pub from_us: u64,
    pub writes: Writes,
}

#[derive(Clone, Debug)]
pub enum Writes {
    /// A registered version (index into the subject's `versions`).
    Version(usize),
    /// The registration was refused (index into the subject's `refusals`): every send fails.
    Refused(usize),
}

impl WriterPlan {
    /// The step in effect at `at_us`.
    pub fn at(&self, at_us: u64) -> &Writes {
        let step = self
            .steps
            .iter()
            .rev()
            .find(|step| step.from_us <= at_us)
            .unwrap_or(&self.steps[0]);
        &step.writes
    }
}

/// What one consumer group reads with: its reader schemas over time.
#[derive(Clone, Debug)]
pub struct ReaderPlan {
    pub group: GroupId,
    pub stream: StreamId,
    /// `(from_us, schema)` in time order, the first from the start.
    pub steps: Vec<(u64, Arc<Schema>)>,
}

impl ReaderPlan {
    pub fn at(&self, at_us: u64) -> &Arc<Schema> {
        let step = self
            .steps
            .iter()
            .rev()
            .find(|(from_us, _)| *from_us <= at_us)
            .unwrap_or(&self.steps[0]);
        &step.1
    }
}
