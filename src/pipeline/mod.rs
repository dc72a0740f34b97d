//! Microservice pipelines: the operators a service applies to each consumed record (filter, map,
//! rekey, stream–table join, aggregate), the tables it materializes (key → latest value, a null
//! value deletes), and the values producers generate from their templates.
//!
//! Operators follow Kafka Streams where it defines them: `filter` is `KStream#filter`, `map` a
//! `mapValues`, `rekey` a `selectKey`, `join` `KStream#join(KTable)` (inner: a record whose key
//! is not in the table is dropped) or `leftJoin` (kept, with null), `aggregate` a
//! `groupByKey().count()` / `reduce` per key. Kafka Streams skips records with a null value in
//! stream–table joins (`KStreamKTableJoinProcessor`) and aggregations (`KStreamAggregate`);
//! eventlab lets a tombstone through no operator at all, so tombstones reach a table only by a
//! plain `materialize`, where they delete the key, as in a KTable.

mod dataflow;
mod generate;
mod operator;
mod sink;
mod table;

pub use dataflow::{Dataflow, Emission};
pub use generate::generate_value;
pub use operator::{Flowing, apply_steps, run_steps};
pub use sink::{FlowFigures, PipelineFigures, PipelineSink, TableCheckFigures, TableFigures};
pub use table::{Table, TableMismatch, check_table_against_stream};
