//! Microservice pipelines: the operators a service applies to each consumed record (filter, map,
//! rekey, stream–table join, aggregate), the tables it materializes (key → latest value, a null
//! value deletes), and the values producers generate from their templates.
//!
//! Operators follow Kafka Streams' semantics where it defines them (`KStream#filter`,
//! `mapValues`, `selectKey`, `KStream#join(KTable)` — an inner join that drops records whose key
//! is not in the table, `leftJoin` keeps them with null —, `groupByKey().count()`/`aggregate`).
//! A record with a null value (a tombstone) passes `rekey` and `join` untouched in Kafka
//! Streams' stream–table join it is dropped; here: filter, map, rekey and join drop tombstones,
//! and `materialize` applies them as deletes, as a KTable does.

mod generate;
mod operator;
mod sink;
mod table;

pub use generate::generate_value;
pub use operator::{Flowing, apply_steps};
pub use sink::{PipelineSink, value_of};
pub use table::{Table, TableMismatch, check_table_against_stream};
