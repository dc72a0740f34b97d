//! Exchange routing: which bound queues a routing key reaches.
//!
//! Follows RabbitMQ's exchange types (docs "Exchanges", and `rabbit_exchange_type_topic`):
//! fanout ignores the key; direct matches the binding key exactly; topic splits both on `.`,
//! where `*` matches exactly one word and `#` zero or more words. A queue bound with several
//! keys gets one copy when any of them matches.

use crate::model::Binding;

// The binding itself is model data (`model::Binding`, built with the queue layout); matching a
// routing key against it is routing.
impl Binding {
    pub fn matches(&self, routing_key: &str) -> bool {
        match self {
            Binding::All => true,
            Binding::Direct(keys) => keys.iter().any(|key| key == routing_key),
            Binding::Topic(patterns) => {
                let words: Vec<&str> = routing_key.split('.').collect();
                patterns.iter().any(|pattern| topic_match(pattern, &words))
            }
        }
    }
}

/// Whether `pattern` (words, with `*` and `#`) matches the routing key's `words`.
pub fn topic_match(pattern: &[String], words: &[&str]) -> bool {
    match pattern.split_first() {
        None => words.is_empty(),
        Some((first, rest)) if first == "#" => {
            // `#` takes zero or more words: try every split.
            (0..=words.len()).any(|taken| topic_match(rest, &words[taken..]))
        }
        Some((first, rest)) => match words.split_first() {
            Some((word, remaining)) if first == "*" || first == word => {
                topic_match(rest, remaining)
            }
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ExchangeType;

    fn topic(pattern: &str) -> Binding {
        Binding::new(ExchangeType::Topic, &[pattern.to_string()])
    }

    // The examples of RabbitMQ's tutorial 5 ("Topics").
    #[test]
    fn topic_patterns_follow_the_rabbitmq_tutorial() {
        let orange = topic("*.orange.*");
        let rabbit = topic("*.*.rabbit");
        let lazy = topic("lazy.#");
        assert!(orange.matches("quick.orange.rabbit"));
        assert!(rabbit.matches("quick.orange.rabbit"));
        assert!(lazy.matches("lazy.orange.elephant"));
        assert!(!orange.matches("quick.brown.fox"));
        assert!(!rabbit.matches("quick.brown.fox"));
        assert!(lazy.matches("lazy.brown.fox"));
        assert!(lazy.matches("lazy.pink.rabbit"));
        assert!(!orange.matches("quick.orange.new.rabbit"));
        assert!(lazy.matches("lazy.orange.new.rabbit"));
        assert!(!orange.matches("orange"));
        assert!(!orange.matches("quick.orange.male.rabbit"));
    }

    #[test]
    fn hash_matches_zero_words_and_alone_matches_everything() {
        assert!(topic("#").matches("a.b.c"));
        assert!(topic("#").matches(""));
        assert!(topic("a.#").matches("a"));
        assert!(topic("#.c").matches("a.b.c"));
        assert!(!topic("a.*").matches("a"));
    }

    #[test]
    fn direct_matches_exactly_and_fanout_everything() {
        let direct = Binding::new(ExchangeType::Direct, &["eu".into(), "us".into()]);
        assert!(direct.matches("us"));
        assert!(!direct.matches("us.east"));
        assert!(Binding::new(ExchangeType::Fanout, &[]).matches("anything"));
    }
}
