//! Interned record keys. Producers and brokers pass `KeyId`s; text appears only in output and
//! when a partitioner hashes the key bytes.

use super::ids::KeyId;

/// The interned keys: their texts in id order, and an index from text to id.
///
/// The index is an open-addressing table of ids by FNV-1a-64 of the text (linear probing, at
/// most half full). It is only ever looked up, never iterated, so nothing about it reaches
/// output; it replaced a `BTreeMap<String, KeyId>` whose string comparisons made interning a
/// scenario's keys (40,000 for the perf workloads) a visible part of start-up.
#[derive(Clone, Debug, Default)]
pub struct KeyTable {
    texts: Vec<String>,
    /// Key ids (`EMPTY`: a free slot); the length is zero or a power of two.
    slots: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

fn text_hash(text: &str) -> u64 {
    crate::sim::rng::fnv1a64(text.as_bytes())
}

impl KeyTable {
    /// Returns the id of `text`, adding it if new.
    pub fn intern(&mut self, text: &str) -> KeyId {
        if let Some(id) = self.get(text) {
            return id;
        }
        let id = KeyId::from_index(self.texts.len());
        self.texts.push(text.to_string());
        if self.texts.len() * 2 > self.slots.len() {
            self.rebuild((self.slots.len() * 2).max(64));
        } else {
            self.place(id.index());
        }
        id
    }

    /// The free slot for `text` (or its slot, when present).
    #[inline]
    fn slot_of(&self, text: &str) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = text_hash(text) as usize & mask;
        loop {
            let id = self.slots[slot];
            if id == EMPTY || self.texts[id as usize] == text {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    fn place(&mut self, index: usize) {
        let slot = self.slot_of(&self.texts[index]);
        self.slots[slot] = u32::try_from(index).expect("key ids fit u32");
    }

    fn rebuild(&mut self, len: usize) {
        self.slots = vec![EMPTY; len];
        for index in 0..self.texts.len() {
            self.place(index);
        }
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
        if self.slots.is_empty() {
            return None;
        }
        match self.slots[self.slot_of(text)] {
            EMPTY => None,
            id => Some(KeyId::from_index(id as usize)),
        }
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
