//! The examples at the end of each subcommand's `--help` (clap's `after_help`). Kept in one
//! place so they read as a set and stay consistent with docs/cli.md.

pub const EMULATOR: &str = "\
Examples:
  # A local instance for trying TableVault (the secret may come from the environment):
  tablevault emulator --listen 127.0.0.1:8800 --instance demo \\
      --access-key-id demo --access-key-secret demo-secret

  # Chaos testing: 5% of requests fail with OTSServerBusy, reproducibly:
  tablevault emulator --listen 127.0.0.1:0 --instance demo --access-key-id demo \\
      --access-key-secret demo-secret --fault-error-rate 0.05 --fault-seed 42";

pub const BACKUP: &str = "\
Examples:
  tablevault backup --config tablevault.toml --source prod --store local --table orders
  tablevault backup --config tablevault.toml --source prod --store mongo \\
      --table orders --table customers --output json";

pub const RESTORE: &str = "\
Examples:
  # See what would be written, then restore the newest backup under a new name:
  tablevault restore --config tablevault.toml --store local --source prod --backup latest \\
      --table orders --rename orders=orders_restored --dry-run
  tablevault restore --config tablevault.toml --store local --source prod --backup latest \\
      --table orders --rename orders=orders_restored";

pub const VERIFY: &str = "\
Examples:
  tablevault verify --config tablevault.toml --store local --backup latest
  tablevault verify --config tablevault.toml --store local --backup 20261127T210501Z-3fa9c1 \\
      --against-source prod";

pub const COPY: &str = "\
Examples:
  tablevault copy --config tablevault.toml --backup latest --from local --to offsite
  tablevault copy --config tablevault.toml --backup 20261127T210501Z-3fa9c1 --from mongo \\
      --to offsite --output json";

pub const BACKUPS: &str = "\
Examples:
  tablevault backups --config tablevault.toml --store local
  tablevault backups --config tablevault.toml --store mongo --output json | jq '.[-1].id'";

pub const SELFTEST: &str = "\
Examples:
  # Before anything else on a real instance (creates and deletes scratch tables):
  tablevault selftest --config tablevault.toml --source prod
  # Through a configured store, keeping the tables and the backup to look at:
  tablevault selftest --config tablevault.toml --source prod --store local --keep";

pub const SERVE: &str = "\
Examples:
  tablevault serve --config /etc/tablevault/tablevault.toml
  # No file: embedded defaults, tokens from the environment:
  TABLEVAULT_AUTH_ADMIN_TOKEN=$(openssl rand -hex 32) tablevault serve --listen 127.0.0.1:8080";

pub const HEALTH: &str = "\
Examples:
  tablevault health                                # http://127.0.0.1:8080/healthz
  tablevault health --ready --url http://10.0.0.5:8080
  # A container HEALTHCHECK (no curl in the image):
  HEALTHCHECK CMD [\"/usr/local/bin/tablevault\", \"health\"]";

pub const CONFIG: &str = "\
Examples:
  tablevault config check /etc/tablevault/tablevault.toml
  tablevault config defaults > tablevault.toml";

pub const CONFIG_CHECK: &str = "\
Examples:
  tablevault config check tablevault.toml
  # As the daemon would see it, with the secrets of its environment file:
  (set -a; . /etc/tablevault/tablevault.env; tablevault config check /etc/tablevault/tablevault.toml)
  tablevault config check tablevault.toml --output json | jq '.problems'";

pub const CONFIG_DEFAULTS: &str = "\
Examples:
  tablevault config defaults
  tablevault config defaults > tablevault.toml && tablevault config check tablevault.toml";

pub const KEYGEN: &str = "\
Examples:
  tablevault keygen --out /etc/tablevault/offsite.key
  # then, in the config: [stores.offsite] encryption_key_file = \"/etc/tablevault/offsite.key\"";

pub const COMPLETIONS: &str = "\
Examples:
  tablevault completions bash | sudo tee /etc/bash_completion.d/tablevault > /dev/null
  tablevault completions zsh > ~/.zfunc/_tablevault    # with fpath=(~/.zfunc $fpath) in ~/.zshrc
  tablevault completions fish > ~/.config/fish/completions/tablevault.fish";
