namespace Pgark.Cli;

/// <summary>How an option's value is read.</summary>
internal enum OptionKind
{
    /// <summary>Present or absent; takes no value.</summary>
    Flag,
    /// <summary>Any text.</summary>
    Text,
    /// <summary>A whole number within [Min, Max].</summary>
    Integer,
}

/// <summary>One row of the option table.</summary>
/// <param name="Name">Long name without the leading "--".</param>
/// <param name="Commands">Commands that accept it; empty for a global option accepted everywhere.</param>
/// <param name="ValueName">Placeholder shown in usage (CONNINFO, SECONDS); null for flags.</param>
/// <param name="Default">The default as shown to users; null when absence has its own meaning explained in Help.</param>
/// <param name="EnvironmentVariable">Read when the option is not given on the command line.</param>
internal sealed record CliOption(
    string Name,
    OptionKind Kind,
    string Help,
    string[] Commands,
    string? ValueName = null,
    string? Default = null,
    long Min = 0,
    long Max = 0,
    string? EnvironmentVariable = null,
    char? ShortName = null,
    bool Repeatable = false)
{
    public bool IsGlobal => Commands.Length == 0;

    public string Usage => ShortName is { } s ? $"-{s}, --{Name}" : $"--{Name}";

    public string? Range => Kind == OptionKind.Integer ? $"{Min}..{Max}" : null;
}

/// <summary>
/// Every option of every command, defined once. Parsing, <c>--help</c> and spec/cli.md are all derived from
/// this table (no reflection, so the binary can be trimmed and compiled ahead of time).
/// </summary>
internal static class Options
{
    public static readonly CliOption Help = new("help", OptionKind.Flag,
        "Show help for the command and exit.", [], ShortName: 'h');

    public static readonly CliOption Verbose = new("verbose", OptionKind.Flag,
        "Print more detail, including the stack trace of an error.", [], ShortName: 'v');

    public static readonly CliOption Version = new("version", OptionKind.Flag,
        "Print pgark's version and exit.", []);

    public static readonly CliOption Db = new("db", OptionKind.Text,
        "Server to connect to: a libpq connection string (\"host=db1 user=backup\") or URI (postgresql://backup@db1/). "
        + "Unset keywords come from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE and the other libpq variables, "
        + "the password last from the password file (~/.pgpass).",
        ["ping", "wal stream", "status", "backup", "restore", "wal show", "tune", "info"], ValueName: "CONNINFO", Default: "libpq defaults", EnvironmentVariable: "PGARK_DB");

    public static readonly CliOption ConnectTimeout = new("connect-timeout", OptionKind.Integer,
        "Give up connecting after this many seconds; 0 waits forever. Overrides connect_timeout in --db.",
        ["ping", "wal stream", "status", "backup", "wal show", "tune"], ValueName: "SECONDS", Default: "connect_timeout, else 30", Min: 0, Max: 3600);

    public static readonly CliOption Json = new("json", OptionKind.Flag,
        "Print the result as one JSON object instead of text.", ["ping", "status", "backup", "restore", "stats", "verify", "info", "drill",
            "plan", "wal show", "tune"]);

    public static readonly CliOption Repo = new("repo", OptionKind.Text,
        "The repository: a directory initialized by pgark init. An encrypted repository's passphrase is read from "
        + "PGARK_PASSPHRASE or --passphrase-file.",
        ["init", "check", "prune", "stats", "cat", "snapshots", "backup", "restore", "ls", "wal stream", "wal push", "wal get", "status",
            "forget", "pin", "unpin", "verify", "info", "drill", "plan", "wal show", "tune"],
        ValueName: "DIR", EnvironmentVariable: "PGARK_REPO");

    public static readonly CliOption Slot = new("slot", OptionKind.Text,
        "The physical replication slot to stream from. pgark never streams without one: the slot keeps the server from removing "
        + "WAL before pgark has stored it.",
        ["wal stream"], ValueName: "NAME", Default: "pgark");

    public static readonly CliOption CreateSlot = new("create-slot", OptionKind.Flag,
        "Create the slot (RESERVE_WAL) if the server does not have it; without this flag a missing slot is an error.", ["wal stream"]);

    public static readonly CliOption Synchronous = new("synchronous", OptionKind.Flag,
        "Store and acknowledge WAL as soon as it arrives, so the server can list pgark (application_name) in synchronous_standby_names.",
        ["wal stream"]);

    public static readonly CliOption StatusInterval = new("status-interval", OptionKind.Integer,
        "Report the durable position to the server at least this often (WAL that arrived is stored every 200 ms).",
        ["wal stream"], ValueName: "SECONDS", Default: "1", Min: 1, Max: 3600);

    public static readonly CliOption MaxRpo = new("max-rpo", OptionKind.Text,
        "Exit 1 when the archive is further behind the server than this: bytes with a unit (16MB, 1GB) or a time (30s, 5min, 1h). "
        + "May be given as \"SIZE,TIME\" to check both. Needs --db.",
        ["status"], ValueName: "LIMIT");

    public static readonly CliOption Major = new("major", OptionKind.Integer,
        "PostgreSQL major version of the scratch cluster; installed server binaries are searched in PG_BIN, "
        + "pg_config --bindir, /usr/lib/postgresql/*/bin and /opt/pgark/pg/*/bin.",
        ["demo"], ValueName: "N", Default: "the first installation found", Min: 13, Max: 18);

    public static readonly CliOption Keep = new("keep", OptionKind.Flag,
        "Leave the scratch cluster running and its directory in place at the end.", ["demo", "drill"]);

    public static readonly CliOption Markdown = new("markdown", OptionKind.Flag,
        "Print the reference of every command as Markdown (the text of spec/cli.md).", ["help"]);

    public static readonly CliOption Kind = new("kind", OptionKind.Text,
        "Kind of backup: physical (the cluster's files over BASE_BACKUP, with their WAL) or logical (one database's "
        + "catalog definitions and COPY streams).",
        ["backup", "restore"], ValueName: "physical|logical", Default: "physical");

    public static readonly CliOption Backup = new("backup", OptionKind.Text,
        "The snapshot: a unique id prefix (at least 4 hex digits), or latest (physical restore).", ["restore", "ls", "verify", "drill", "tune"], ValueName: "ID",
        Default: "latest (physical); required for logical");

    public static readonly CliOption Label = new("label", OptionKind.Text,
        "Label stored in the snapshot (and, for a physical backup, in backup_label).", ["backup"], ValueName: "TEXT",
        Default: "pgark (physical), logical <database> (logical)");

    public static readonly CliOption Checkpoint = new("checkpoint", OptionKind.Text,
        "How the physical backup's starting checkpoint is taken: fast (immediately, with I/O burst) or spread (paced by "
        + "checkpoint_completion_target, which can take minutes).", ["backup"], ValueName: "fast|spread", Default: "fast");

    public static readonly CliOption MaxRate = new("max-rate", OptionKind.Integer,
        "Limit the rate at which the server sends a physical backup, in kB/s (BASE_BACKUP MAX_RATE).", ["backup"],
        ValueName: "KB_PER_S", Default: "unlimited", Min: 32, Max: 1048576);

    public static readonly CliOption Target = new("target", OptionKind.Text,
        "Physical restore: the data directory to create. It must be missing or empty unless --force is given.", ["restore"], ValueName: "DIR");

    public static readonly CliOption Force = new("force", OptionKind.Flag,
        "Physical restore: delete what the target directory (and tablespace directories) hold before restoring.", ["restore"]);

    public static readonly CliOption Jobs = new("jobs", OptionKind.Integer,
        "Logical: connections copying tables in parallel, largest tables first.", ["backup", "restore"], ValueName: "N", Default: "1", Min: 1, Max: 64,
        ShortName: 'j');

    public static readonly CliOption Table = new("table", OptionKind.Text,
        "Logical restore: only these tables, as schema.table (or table when unique), separated by commas. Other tables, their views "
        + "and foreign keys to them are left out; schemas, types and functions are restored.", ["restore"], ValueName: "T[,T...]");

    public static readonly CliOption SchemaOnly = new("schema-only", OptionKind.Flag, "Logical restore: definitions only, no rows.", ["restore"]);

    public static readonly CliOption DataOnly = new("data-only", OptionKind.Flag,
        "Logical restore: load rows (and sequence positions) into existing tables; no definitions.", ["restore"]);

    public static readonly CliOption CreateDb = new("create-db", OptionKind.Text,
        "Logical restore: create this database (TEMPLATE template0, the source's encoding) through --db and restore into it, " +
        "then give it the source database's owner, comment, connection limit, privileges and settings (without --create-db the database in " +
        "--db keeps its own).", ["restore"],
        ValueName: "NAME");

    public static readonly CliOption NoOwner = new("no-owner", OptionKind.Flag,
        "Logical restore: skip ALTER ... OWNER TO, so restored objects belong to the restoring role.", ["restore"]);

    public static readonly CliOption NoPrivileges = new("no-privileges", OptionKind.Flag,
        "Logical restore: skip privileges (GRANT/REVOKE from the backed-up ACLs, column privileges, default privileges).", ["restore"]);

    public static readonly CliOption NoTablespaces = new("no-tablespaces", OptionKind.Flag,
        "Logical restore: create every object, and a --create-db database, in the target's default tablespace instead of the source's.",
        ["restore"]);

    public static readonly CliOption NoRoleSettings = new("no-role-settings", OptionKind.Flag,
        "Logical restore with --create-db: skip the database's per-role settings (ALTER ROLE ... IN DATABASE ... SET), which name roles "
        + "the target may lack.", ["restore"]);

    public static readonly CliOption Globals = new("globals", OptionKind.Flag,
        "Logical backup: also the cluster's roles (attributes, settings, memberships) and tablespaces. Logical restore: create them "
        + "first (existing ones are kept).", ["backup", "restore"]);

    public static readonly CliOption RolePasswords = new("role-passwords", OptionKind.Flag,
        "Logical backup with --globals: the roles' password hashes too (a superuser reads pg_authid; otherwise a warning).", ["backup"]);

    public static readonly CliOption ExitOnError = new("exit-on-error", OptionKind.Flag,
        "Stop at the first failing statement (always the case: the error names the object and carries the server's message).", ["restore"]);

    public static readonly CliOption PassphraseFile = new("passphrase-file", OptionKind.Text,
        "Read the repository passphrase from the first line of this file instead of PGARK_PASSPHRASE.",
        ["init", "check", "prune", "stats", "cat", "snapshots", "backup", "restore", "ls", "wal stream", "wal push", "wal get", "status",
            "forget", "pin", "unpin", "verify", "info", "drill", "plan", "wal show", "tune"],
        ValueName: "FILE");

    public static readonly CliOption Encrypt = new("encrypt", OptionKind.Flag,
        "Encrypt the repository with a key wrapped by the passphrase (PGARK_PASSPHRASE or --passphrase-file).", ["init"]);

    public static readonly CliOption Compression = new("compression", OptionKind.Text,
        "Chunk compression: zstd:N (N from -7 to 22) or none.", ["init"], ValueName: "METHOD", Default: "zstd:3");

    public static readonly CliOption PackSize = new("pack-size", OptionKind.Integer,
        "Target size of a pack in MiB.", ["init"], ValueName: "MIB", Default: "32", Min: 1, Max: 1024);

    public static readonly CliOption ExtentSize = new("extent-size", OptionKind.Integer,
        "Page-dedup granularity of relation files in KiB: a power of two from 8 to 4096. Smaller extents store less after scattered "
        + "changes, larger ones compress better and keep the index smaller.", ["init"], ValueName: "KIB", Default: "256", Min: 8, Max: 4096);

    public static readonly CliOption ChunkSize = new("chunk-size", OptionKind.Integer,
        "Average FastCDC chunk size in KiB for non-relation files and logical dumps (a power of two from 4 to 4096; minimum is a "
        + "quarter, maximum four times it).", ["init"], ValueName: "KIB", Default: "128", Min: 4, Max: 4096);

    public static readonly CliOption Sample = new("sample", OptionKind.Text,
        "How much data tune measures: a size with a unit (B, kB, MB, GB; powers of 1024), at least 1MB.", ["tune"], ValueName: "SIZE",
        Default: "256MB");

    public static readonly CliOption Time = new("time", OptionKind.Text,
        "Upper bound of tune's work: s, min or h (90s, 5min). Sampling a live cluster may use half of it, the trials share the rest; "
        + "a candidate that runs out measures the part of the sample it reached.", ["tune"], ValueName: "DURATION", Default: "3min");

    public static readonly CliOption Goal = new("goal", OptionKind.Text,
        "What tune recommends: balanced (the lowest zstd level within 5% of the best size of levels up to 9), fastest (highest "
        + "ingest throughput) or smallest (least storage).", ["tune"], ValueName: "fastest|smallest|balanced", Default: "balanced");

    public static readonly CliOption Apply = new("apply", OptionKind.Flag,
        "Record the recommended settings in the repository (--repo): later backups use them; stored data stays readable.", ["tune"]);

    public static readonly CliOption Report = new("report", OptionKind.Text,
        "Also write a self-contained HTML report (table and throughput-against-size chart, no network needed) to this file.",
        ["tune"], ValueName: "FILE.html");

    public static readonly CliOption ReadData = new("read-data", OptionKind.Flag,
        "Also read, decrypt, decompress and re-hash every chunk (verify: those not verified before; a PERCENT after it reads that share).",
        ["check", "verify"]);

    public static readonly CliOption PgBin = new("pg-bin", OptionKind.Text,
        "Directory of the PostgreSQL server programs for the scratch server; it must hold the backup's major (physical) or a "
        + "newer one (logical).", ["drill"], ValueName: "DIR", Default: "the backup's major, searched as for demo");

    public static readonly CliOption Scratch = new("scratch", OptionKind.Text,
        "Where the drill creates its scratch directory (it needs room for the restored data).", ["drill"], ValueName: "DIR",
        Default: "/tmp");

    public static readonly CliOption NoAmcheck = new("no-amcheck", OptionKind.Flag,
        "Skip amcheck (bt_index_check and verify_heapam) after the row counts.", ["drill"]);

    public static readonly CliOption NoRowCounts = new("no-row-counts", OptionKind.Flag,
        "Physical backup: do not record the tables' row counts for restore drills (they are counted under a logical slot's "
        + "snapshot when wal_level=logical, which reads every table of the --db database once).", ["backup"]);

    public static readonly CliOption KeepLast = new("keep-last", OptionKind.Integer,
        "forget: keep the N newest backups of each cluster and kind (-1: all).", ["forget"], ValueName: "N", Min: -1, Max: 1_000_000);

    public static readonly CliOption KeepDaily = new("keep-daily", OptionKind.Integer,
        "forget: keep the newest backup of each of the N newest days (UTC) that have one (-1: every day).", ["forget"], ValueName: "N",
        Min: -1, Max: 1_000_000);

    public static readonly CliOption KeepWeekly = new("keep-weekly", OptionKind.Integer,
        "forget: keep the newest backup of each of the N newest ISO weeks that have one (-1: every week).", ["forget"], ValueName: "N",
        Min: -1, Max: 1_000_000);

    public static readonly CliOption KeepMonthly = new("keep-monthly", OptionKind.Integer,
        "forget: keep the newest backup of each of the N newest months that have one (-1: every month).", ["forget"], ValueName: "N",
        Min: -1, Max: 1_000_000);

    public static readonly CliOption KeepYearly = new("keep-yearly", OptionKind.Integer,
        "forget: keep the newest backup of each of the N newest years that have one (-1: every year).", ["forget"], ValueName: "N",
        Min: -1, Max: 1_000_000);

    public static readonly CliOption KeepWithin = new("keep-within", OptionKind.Text,
        "forget: keep every backup that started within this duration before the newest backup (1y6m, 30d, 12h).", ["forget"],
        ValueName: "DURATION");

    public static readonly CliOption KeepWalWithin = new("keep-wal-within", OptionKind.Text,
        "forget: also keep the WAL, and the base backup it starts from, that point-in-time recovery to any moment of this duration "
        + "before now needs.", ["forget"], ValueName: "DURATION");

    public static readonly CliOption DryRun = new("dry-run", OptionKind.Flag,
        "forget: show what would be removed and why the rest is kept; change nothing.", ["forget"]);

    public static readonly CliOption Prune = new("prune", OptionKind.Flag,
        "forget: run prune afterwards to free the data only forgotten backups used.", ["forget"]);

    public static readonly CliOption Full = new("full", OptionKind.Flag,
        "verify: read again what earlier runs verified, and with --read-data rebuild every file and compare its SHA-256 with backup_manifest.",
        ["verify"]);

    public static readonly CliOption TargetTime = new("target-time", OptionKind.Text,
        "Recover to a time: the last transaction that completed at or before it (ISO 8601, e.g. \"2026-11-21 17:00:00+01\"; "
        + "no offset means UTC).", ["plan", "restore", "drill"], ValueName: "TIME");

    public static readonly CliOption TargetLsn = new("target-lsn", OptionKind.Text,
        "Recover to a WAL position (as pg_current_wal_lsn prints it, e.g. 0/3000148).", ["plan", "restore", "drill"], ValueName: "LSN");

    public static readonly CliOption TargetXid = new("target-xid", OptionKind.Text,
        "Recover to the commit (or abort) of a transaction id.", ["plan", "restore", "drill"], ValueName: "XID");

    public static readonly CliOption TargetName = new("target-name", OptionKind.Text,
        "Recover to a restore point made with pg_create_restore_point (replay stops just after it).", ["plan", "restore", "drill"], ValueName: "NAME");

    public static readonly CliOption Latest = new("latest", OptionKind.Flag,
        "Recover all archived WAL (no target).", ["plan", "restore", "drill"]);

    public static readonly CliOption Immediate = new("immediate", OptionKind.Flag,
        "Recover only until the backup is consistent (recovery_target = 'immediate').", ["plan", "restore", "drill"]);

    public static readonly CliOption Timeline = new("timeline", OptionKind.Text,
        "The timeline to recover along (wal show: to read): latest (the newest in the archive), current (the backup's; not for "
        + "wal show) or a number.", ["plan", "restore", "wal show", "drill"],
        ValueName: "N|latest|current", Default: "latest");

    public static readonly CliOption Exclusive = new("exclusive", OptionKind.Flag,
        "Stop just before the target transaction (or the last one at the target time, or the record at the LSN) instead of after it.",
        ["plan", "restore", "drill"]);

    public static readonly CliOption TargetAction = new("target-action", OptionKind.Text,
        "What the server does when it reaches the target: promote (end recovery and accept writes), pause (stay read-only "
        + "for inspection; pg_wal_replay_resume() promotes) or shutdown.", ["restore"], ValueName: "promote|pause|shutdown", Default: "promote");

    public static readonly CliOption NoVerifyChecksums = new("no-verify-checksums", OptionKind.Flag,
        "Physical backup: do not ask the server to verify page checksums while it reads the files (it otherwise fails the backup "
        + "on a corrupt page, SQLSTATE XX001).", ["backup"]);

    public static readonly CliOption Delta = new("delta", OptionKind.Flag,
        "Physical restore over an existing data directory (a crashed or diverged primary, server stopped): files whose size and "
        + "SHA-256 match backup_manifest are kept, the others rewritten, and what the backup does not have is removed.", ["restore"]);

    public static readonly CliOption TablespaceMap = new("tablespace-map", OptionKind.Text,
        "Physical restore: put the tablespace that lived at OLD into NEW instead (both absolute paths); repeat for each tablespace. "
        + "Logical restore with --globals: create the backed-up tablespace whose location was OLD at NEW.",
        ["restore"], ValueName: "OLD=NEW", Repeatable: true);

    public static readonly CliOption Around = new("around", OptionKind.Text,
        "wal show: list the transactions that ended within --window of this time (ISO 8601 or PostgreSQL's format, "
        + "e.g. \"2026-11-21 17:00:00+00\"; UTC when no offset is given).", ["wal show"], ValueName: "TIME");

    public static readonly CliOption Window = new("window", OptionKind.Text,
        "wal show --around: how far before and after the time to look (ms, s, m or min, h; default 5m). tune: the backup window; "
        + "tune recommends the smallest setting whose projected full backup fits it, overriding --goal.", ["wal show", "tune"],
        ValueName: "DURATION");

    public static readonly CliOption From = new("from", OptionKind.Text,
        "wal show: the first WAL position of the range to list (X/Y, as pg_current_wal_lsn() prints it).", ["wal show"], ValueName: "LSN");

    public static readonly CliOption To = new("to", OptionKind.Text,
        "wal show --from: the end of the range (exclusive).", ["wal show"], ValueName: "LSN", Default: "the end of the archive");

    public static readonly CliOption ReadBack = new("read-back", OptionKind.Flag,
        "Logical restore: also COPY every loaded table back out and compare its rows with the backup's row-set digest (a second full "
        + "read; without it each table is verified as it loads: its COPY text's BLAKE3 and row count, and the rows the server loaded).",
        ["restore"]);

    public static readonly CliOption SystemId = new("system-id", OptionKind.Text,
        "The cluster whose WAL to read (a repository may hold WAL of several): its system identifier as pg_controldata prints it "
        + "(decimal) or as pgark names its WAL directory (16 hex digits). Needed only when the repository holds WAL or backups "
        + "of more than one cluster; wal push: for a history file pushed from outside the data directory's pg_wal.",
        ["wal get", "wal push", "wal show", "plan", "restore", "drill"], ValueName: "ID");

    /// <summary>The table, in the order help lists options.</summary>
    public static readonly CliOption[] All = [Help, Verbose, Version, Repo, Db, ConnectTimeout, Kind, Backup, Label, Checkpoint, MaxRate,
        Target, Force, Jobs, Table, SchemaOnly, DataOnly, CreateDb, NoOwner, NoPrivileges, Globals, RolePasswords, ExitOnError,
        Slot, CreateSlot, Synchronous, StatusInterval,
        MaxRpo, Json, Major, Keep, PassphraseFile, Encrypt, Compression, PackSize, ReadData, Markdown,
        PgBin, Scratch, NoAmcheck, NoRowCounts,
        KeepLast, KeepDaily, KeepWeekly, KeepMonthly, KeepYearly, KeepWithin, KeepWalWithin, DryRun, Prune, Full,
        TargetTime, TargetLsn, TargetXid, TargetName, Latest, Immediate, Timeline, Exclusive, TargetAction,
        NoVerifyChecksums, Delta, TablespaceMap, Around, Window, From, To,
        ExtentSize, ChunkSize, Sample, Time, Goal, Apply, Report, ReadBack, NoTablespaces, NoRoleSettings, SystemId];

    public static IEnumerable<CliOption> Global => All.Where(o => o.IsGlobal);

    public static IEnumerable<CliOption> For(string command) => All.Where(o => o.Commands.Contains(command));
}
