//! Interned record keys. Producers and brokers pass `KeyId`s; text appears only in output and
//! when a partitioner hashes the key bytes.

use std::collections::BTreeMap;

use super::ids::KeyId;

#[derive(Clone, Debug, Default)]
pub struct KeyTable {
    texts: Vec<String>,
    by_text: BTreeMap<String, KeyId>,
}

impl KeyTable {
    /// Returns the id of `text`, adding it if new.
    pub fn intern(&mut self, text: &str) -> KeyId {
        if let Some(&id) = self.by_text.get(text) {
            return id;
        }
        let id = KeyId::from_index(self.texts.len());
        self.texts.push(text.to_string());
        self.by_text.insert(text.to_string(), id);
        id
    }

    pub fn text(&self, id: KeyId) -> &str {
        &self.texts[id.index()]
    }

    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

impl KeyTable {
    /// The id of `text`, if the scenario knows it.
    pub fn get(&self, text: &str) -> Option<KeyId> {
        self.by_text.get(text).copied()
    }
}

/// The keys of one run: the scenario's `KeyTable`, then the keys records get while the run goes
/// on (a pipeline's `rekey` makes keys no scenario lists). Shared by the actors and sinks that
/// read key text (`Rc`); single-threaded, append-only, so an id never changes its text.
#[derive(Debug)]
pub struct RunKeys {
    base: KeyTable,
    extra: std::cell::RefCell<KeyTable>,
}

impl RunKeys {
    pub fn new(base: &KeyTable) -> Self {
        RunKeys {
            base: base.clone(),
            extra: std::cell::RefCell::new(KeyTable::default()),
        }
    }

    /// The id of `text`, adding it if new.
    pub fn intern(&self, text: &str) -> KeyId {
        if let Some(id) = self.base.get(text) {
            return id;
        }
        let extra = self.extra.borrow_mut().intern(text);
        KeyId::from_index(self.base.len() + extra.index())
    }

    /// The text of `id` (owned: a run-time key lives behind a `RefCell`).
    pub fn text(&self, id: KeyId) -> std::borrow::Cow<'_, str> {
        match id.index().checked_sub(self.base.len()) {
            None => std::borrow::Cow::Borrowed(self.base.text(id)),
            Some(extra) => std::borrow::Cow::Owned(
                self.extra
                    .borrow()
                    .text(KeyId::from_index(extra))
                    .to_string(),
            ),
        }
    }

    /// Whether `id` is one of the scenario's own keys.
    pub fn is_base(&self, id: KeyId) -> bool {
        id.index() < self.base.len()
    }
}

#[cfg(test)]
mod run_keys_tests {
    use super::*;

    #[test]
    fn run_time_keys_follow_the_scenario_keys_and_keep_their_text() {
        let mut base = KeyTable::default();
        let a = base.intern("a");
        let keys = RunKeys::new(&base);
        assert_eq!(keys.intern("a"), a);
        let b = keys.intern("b");
        assert_eq!(b.index(), 1);
        assert_eq!(keys.intern("b"), b);
        assert_eq!(keys.intern("c").index(), 2);
        assert_eq!(keys.text(a), "a");
        assert_eq!(keys.text(b), "b");
        assert!(keys.is_base(a) && !keys.is_base(b));
    }
}
