//! What every part of validation shares: the `Validator` that collects problems in the order the
//! walk finds them, range and choice checks worded once, and stream-name resolution.
//!
//! It knows no part of a scenario; the files beside it (streams, produces, consumes, …) do, and
//! they import this one, never each other's walk.

use std::collections::BTreeMap;

use crate::model::StreamId;
use crate::scenario::choice::Choices;
use crate::scenario::defaults::Setting;
use crate::scenario::error::{ScenarioError, did_you_mean};

pub(in crate::scenario) struct Validator<'a> {
    origin: &'a str,
    errors: Vec<ScenarioError>,
}

impl<'a> Validator<'a> {
    pub(in crate::scenario) fn new(origin: &'a str) -> Self {
        Validator {
            origin,
            errors: Vec::new(),
        }
    }

    /// The problems found, in the order they were found.
    pub(in crate::scenario) fn finish(self) -> Vec<ScenarioError> {
        self.errors
    }

    pub(in crate::scenario) fn error(
        &mut self,
        location: impl Into<String>,
        problem: impl Into<String>,
    ) {
        self.errors.push(ScenarioError {
            origin: self.origin.to_string(),
            location: location.into(),
            problem: problem.into(),
        });
    }

    /// Runs `check` on a fresh list of problems and returns them beside its result, for a part
    /// whose problems must come out in a place other than where they are found (a cross-check
    /// that needs a later section, or a timeline checked in time order).
    pub(super) fn aside<T>(
        &mut self,
        check: impl FnOnce(&mut Validator<'a>) -> T,
    ) -> (T, Vec<ScenarioError>) {
        let mut part = Validator::new(self.origin);
        let result = check(&mut part);
        (result, part.errors)
    }

    /// Appends problems found aside, in their order.
    pub(super) fn extend(&mut self, errors: Vec<ScenarioError>) {
        self.errors.extend(errors);
    }

    /// A count or size in `min..=max`, else an error naming the bound.
    pub(super) fn ranged(&mut self, path: &str, value: u64, min: u64, max: u64, what: &str) -> u64 {
        if value < min {
            self.error(path, format!("{what} must be at least {min}, not {value}"));
            return min;
        }
        if value > max {
            self.error(
                path,
                format!("{value} is more than {max}, the most eventlab allows for {what}"),
            );
            return max;
        }
        value
    }

    /// A whole-number setting: the file's value or the table's default, in the table's range.
    pub(super) fn setting(
        &mut self,
        path: &str,
        given: Option<u64>,
        setting: &Setting,
        what: &str,
    ) -> u64 {
        let value = given.unwrap_or_else(|| setting.count());
        self.ranged(path, value, setting.min(), setting.max(), what)
    }

    /// A setting in milliseconds, as microseconds.
    pub(super) fn setting_ms(
        &mut self,
        path: &str,
        given: Option<u64>,
        setting: &Setting,
        what: &str,
    ) -> u64 {
        1_000 * self.setting(path, given, setting, what)
    }

    /// A decimal (ratio, probability, factor) in parts per million.
    pub(super) fn ppm(&mut self, path: &str, value: f64, min_exclusive: f64, max: f64) -> u64 {
        if !value.is_finite() || value <= min_exclusive || value > max {
            self.error(
                path,
                format!(
                    "{value} is out of range (expected more than {min_exclusive} and at most {max})"
                ),
            );
            return 1_000_000;
        }
        to_ppm(value)
    }

    /// One of a setting's names: the file's, or `default` (one of the table's names) when the
    /// file gives none. An unknown name is an error and gives the default.
    pub(super) fn choose<T: Copy>(
        &mut self,
        path: impl Into<String>,
        given: Option<&str>,
        choices: &Choices<T>,
        default: &str,
    ) -> T {
        let name = given.unwrap_or(default);
        match choices.find(name) {
            Some(value) => value,
            None => {
                self.error(path, choices.unknown(name));
                choices.known(default)
            }
        }
    }

    /// One of a setting's names that has no default: the value, or an error and `None`.
    pub(super) fn choose_required<T: Copy>(
        &mut self,
        path: impl Into<String>,
        name: &str,
        choices: &Choices<T>,
    ) -> Option<T> {
        let found = choices.find(name);
        if found.is_none() {
            self.error(path, choices.unknown(name));
        }
        found
    }
}

/// A decimal in parts per million. Validation is the only place a float becomes an integer;
/// IEEE rounding is exact here.
pub(super) fn to_ppm(value: f64) -> u64 {
    (value * 1_000_000.0).round() as u64
}

/// The declared stream names and how a name resolves to an id.
///
/// Two lookups that differ only for a scenario that is already invalid (a name declared twice,
/// or blank) are kept exactly as they were, because the problems reported after such an error
/// depend on them: `last` maps each non-blank name to its last declaration (the streams,
/// services, admin and expect sections use it), `first` maps every name, blank ones included,
/// to its first declaration (the topology fields use it).
pub(super) struct StreamNames<'r> {
    pub(super) names: Vec<&'r str>,
    last: BTreeMap<&'r str, StreamId>,
    first: BTreeMap<&'r str, StreamId>,
}

/// Which declaration of a repeated name a lookup finds (see `StreamNames`).
#[derive(Clone, Copy)]
pub(super) enum Declaration {
    Last,
    First,
}

impl<'r> StreamNames<'r> {
    pub(in crate::scenario) fn new(names: Vec<&'r str>) -> Self {
        let mut last = BTreeMap::new();
        let mut first = BTreeMap::new();
        for (index, &name) in names.iter().enumerate() {
            first.entry(name).or_insert(StreamId(index as u32));
            if !name.trim().is_empty() {
                last.insert(name, StreamId(index as u32));
            }
        }
        StreamNames { names, last, first }
    }

    /// Whether an earlier stream already has this (non-blank) name.
    pub(super) fn declared_before(&self, index: usize) -> bool {
        let name = self.names[index];
        self.names[..index].contains(&name)
    }

    /// The stream's index, without reporting anything when there is none.
    pub(super) fn find(&self, name: &str, declaration: Declaration) -> Option<StreamId> {
        match declaration {
            Declaration::Last => self.last.get(name).copied(),
            Declaration::First => self.first.get(name).copied(),
        }
    }

    /// The stream's index, or an `unknown stream` error at `path` naming the nearest stream.
    pub(super) fn resolve(
        &self,
        v: &mut Validator,
        path: impl Into<String>,
        name: &str,
        declaration: Declaration,
    ) -> Option<StreamId> {
        let found = self.find(name, declaration);
        if found.is_none() {
            v.error(
                path,
                format!(
                    "unknown stream \"{name}\"{}",
                    did_you_mean(name, self.names.iter().copied())
                ),
            );
        }
        found
    }
}
