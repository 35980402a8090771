//! The in-process emulator as the daemon's source `prod`, holding an `orders` table.

use tablevault::emulator::EmulatorHandle;
use tablevault::tablestore::client::RowExistence;
use tablevault::tablestore::{
    Cell, PkSchema, PkType, PkValue, PrimaryKey, Row, TableDescription, Value,
};

use crate::support::emulator::production_client;

/// Creates `orders` with one row in `emulator` and returns the `[sources.prod]` config
/// section pointing at it.
pub async fn orders_source(emulator: &EmulatorHandle) -> String {
    let e = emulator.config();
    let client = production_client(emulator);
    let table = TableDescription::new("orders", vec![PkSchema::new("id", PkType::Integer)]);
    client.create_table(&table).await.expect("table");
    let row = Row::new(
        PrimaryKey::new([("id", PkValue::Integer(1))]),
        vec![Cell::put("note", Value::String("one".into()))],
    );
    client
        .put_row("orders", &row, RowExistence::Ignore)
        .await
        .expect("row");
    format!(
        "[sources.prod]\nendpoint = \"{}\"\ninstance = \"{}\"\naccess_key_id = \"{}\"\n\
         access_key_secret = \"{}\"\n",
        emulator.endpoint(),
        e.instance,
        e.access_key_id,
        e.access_key_secret,
    )
}
