//! Alibaba Cloud Tablestore: the data model, the wire protocol (protobuf messages, PlainBuffer,
//! signatures) and an async client. The emulator in [`crate::emulator`] speaks the same protocol
//! from the server side, built from the same pieces.

pub mod auth;
pub mod client;
pub mod codes;
pub mod encryption;
pub mod partitions;
pub mod plainbuffer;
pub mod proto;
pub mod row;
pub mod table;

pub use encryption::{SseKeyType, TableEncryption};
pub use row::{Cell, CellOp, PkColumn, PkValue, PrimaryKey, Row, Value};
pub use table::{
    ColumnType, DefinedColumn, IndexDefinition, PkSchema, PkType, SearchIndexDefinition,
    TableDescription, TableOptions,
};
