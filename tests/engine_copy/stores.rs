//! One store of each kind for the copy tests, on temp dirs and test servers that live as long
//! as the value.

use std::sync::Arc;

use tablevault::store::mongo::{MongoStore, MongoStoreConfig};
use tablevault::store::s3::S3Store;
use tablevault::store::{ArchiveStore, ArchiveStoreConfig, BackupStore};
use tempfile::TempDir;

use crate::support::mongo_server::MongoServer;
use crate::support::s3_server::S3Server;

/// An archive, a MongoDB and an S3 store, by kind.
pub struct ThreeStores {
    _dir: TempDir,
    _mongo_server: MongoServer,
    _s3_server: S3Server,
    pub archive: Arc<dyn BackupStore>,
    pub mongo: Arc<dyn BackupStore>,
    pub s3: Arc<dyn BackupStore>,
}

impl ThreeStores {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let archive = ArchiveStore::open(ArchiveStoreConfig::new(dir.path().join("archive")))
            .await
            .expect("archive opens");
        let mongo_server = MongoServer::start();
        let mongo = MongoStore::connect(&MongoStoreConfig::new(mongo_server.uri(), "tvcopy"))
            .await
            .expect("mongo store connects");
        let s3_server = S3Server::start();
        let s3 = s3_store(&s3_server);
        ThreeStores {
            _dir: dir,
            _mongo_server: mongo_server,
            _s3_server: s3_server,
            archive: Arc::new(archive),
            mongo: Arc::new(mongo),
            s3,
        }
    }

    pub fn by_kind(&self, kind: &str) -> Arc<dyn BackupStore> {
        match kind {
            "archive" => self.archive.clone(),
            "mongodb" => self.mongo.clone(),
            "s3" => self.s3.clone(),
            other => panic!("no store of kind {other}"),
        }
    }
}

pub fn s3_store(server: &S3Server) -> Arc<dyn BackupStore> {
    Arc::new(S3Store::new(&server.store_config("copies/")).expect("s3 store config"))
}
