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
