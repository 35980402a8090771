//! `tablevault keygen --out FILE`: a new encryption key for a store's `encryption_key_file`,
//! written with mode 0600 and never over an existing file (overwriting a key loses every backup
//! sealed with it). Prints the key's id, the name backups record.

use std::path::PathBuf;

use clap::Args;

use super::failure::Failure;
use crate::store::encryption::MasterKey;

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the key file (must not exist yet).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: KeygenArgs) -> Result<(), Failure> {
    let key = MasterKey::generate();
    key.write_new(&args.out)
        .map_err(|e| Failure::Input(e.to_string()))?;
    println!("wrote key {} to {}", key.id(), args.out.display());
    println!("keep a copy somewhere safe: without it, the backups sealed with it cannot be read");
    Ok(())
}
