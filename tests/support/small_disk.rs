//! A small tmpfs a test fills to the last byte and frees again: a real full filesystem under
//! the state database (`support::small_disk`). Mounting needs
//! root, which CI and the dev container have; elsewhere [`SmallDisk::mount`] prints why the
//! test is skipped and returns `None`.

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// A mounted tmpfs; unmounted (lazily, in case a daemon still holds files) when dropped.
pub struct SmallDisk {
    dir: TempDir,
}

impl SmallDisk {
    /// Mounts a tmpfs of `size` (e.g. `"4m"`) on a fresh directory, or says why it cannot.
    pub fn mount(size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output();
        match mounted {
            Ok(out) if out.status.success() => Some(SmallDisk { dir }),
            Ok(out) => {
                eprintln!(
                    "SKIPPED: cannot mount a tmpfs for the full-disk test (needs root): {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot run mount for the full-disk test: {e}");
                None
            }
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn filler(&self) -> PathBuf {
        self.dir.path().join("filler")
    }

    /// Takes every free byte, as `dd if=/dev/zero of=filler` does: writes until the
    /// filesystem answers ENOSPC. Returns how many bytes it took.
    pub fn fill(&self) -> u64 {
        let mut file = File::options()
            .create(true)
            .append(true)
            .open(self.filler())
            .expect("filler file");
        let chunk = [0u8; 4096];
        let mut taken = 0u64;
        loop {
            match file.write(&chunk) {
                Ok(0) => break,
                Ok(n) => taken += n as u64,
                Err(e) if e.kind() == ErrorKind::StorageFull => break,
                Err(e) => panic!("filling {}: {e}", self.path().display()),
            }
        }
        taken
    }

    /// Gives the space back.
    pub fn free(&self) {
        std::fs::remove_file(self.filler()).expect("remove the filler");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}
