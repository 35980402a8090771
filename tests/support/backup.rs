//! Backups published straight through the store API, so a backup can hold what a live table
//! could not (month-old timestamps, rows the source never had) and tests of restore, the CLI
//! and retention need no backup run first.

use tablevault::store::{
    BackupStore, Manifest, SourceInfo, TableChecksum, TableManifest, FORMAT_VERSION,
};
use tablevault::tablestore::{Row, TableDescription};

/// Publishes backup `id` of `tables` (description, rows in key order) to `store`, as taken
/// from source `test` at `endpoint`, and returns its manifest.
pub async fn publish_backup(
    store: &dyn BackupStore,
    id: &str,
    endpoint: String,
    tables: &[(TableDescription, Vec<Row>)],
) -> Manifest {
    let staged = store.create(id).await.expect("create backup");
    let mut manifests = Vec::new();
    for (description, rows) in tables {
        let mut checksum = TableChecksum::default();
        for chunk in rows.chunks(50) {
            staged
                .write_rows(&description.name, 0, chunk, "")
                .await
                .expect("write rows");
            chunk.iter().for_each(|r| {
                checksum.add(r);
            });
        }
        manifests.push(TableManifest {
            description: description.clone(),
            rows: checksum.rows,
            cells: checksum.cells,
            bytes: checksum.bytes,
            checksum: checksum.digest(),
        });
    }
    let now = chrono::Utc::now();
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        tablevault_version: "test".into(),
        backup_id: id.into(),
        source: SourceInfo {
            name: "test".into(),
            endpoint,
            instance: "emulator".into(),
        },
        started_at: now,
        finished_at: now,
        all_versions: true,
        tables: manifests,
    };
    staged.publish(&manifest).await.expect("publish");
    manifest
}
