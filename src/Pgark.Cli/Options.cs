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
    char? ShortName = null)
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
        ["ping", "wal stream", "status", "backup", "restore"], ValueName: "CONNINFO", Default: "libpq defaults", EnvironmentVariable: "PGARK_DB");

    public static readonly CliOption ConnectTimeout = new("connect-timeout", OptionKind.Integer,
        "Give up connecting after this many seconds; 0 waits forever. Overrides connect_timeout in --db.",
        ["ping", "wal stream", "status", "backup"], ValueName: "SECONDS", Default: "connect_timeout, else 30", Min: 0, Max: 3600);

    public static readonly CliOption Json = new("json", OptionKind.Flag,
        "Print the result as one JSON object instead of text.", ["ping", "status", "backup", "restore", "stats"]);

    public static readonly CliOption Repo = new("repo", OptionKind.Text,
        "The repository: a directory initialized by pgark init. An encrypted repository's passphrase is read from "
        + "PGARK_PASSPHRASE or --passphrase-file.",
        ["init", "check", "prune", "stats", "cat", "snapshots", "backup", "restore", "ls", "wal stream", "wal push", "wal get", "status"],
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
        "Store the segment in progress and report the durable position to the server at least this often.",
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
        "Leave the scratch cluster running and its directory in place at the end.", ["demo"]);

    public static readonly CliOption Markdown = new("markdown", OptionKind.Flag,
        "Print the reference of every command as Markdown (the text of spec/cli.md).", ["help"]);

    public static readonly CliOption Kind = new("kind", OptionKind.Text,
        "Kind of backup: physical (the cluster's files over BASE_BACKUP, with their WAL) or logical (one database's "
        + "catalog definitions and COPY streams).",
        ["backup", "restore"], ValueName: "physical|logical", Default: "physical");

    public static readonly CliOption Backup = new("backup", OptionKind.Text,
        "The snapshot: a unique id prefix (at least 4 hex digits), or latest (physical restore).", ["restore", "ls"], ValueName: "ID",
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
        "Logical restore: create this database (TEMPLATE template0, the source's encoding) through --db and restore into it.", ["restore"],
        ValueName: "NAME");

    public static readonly CliOption NoOwner = new("no-owner", OptionKind.Flag,
        "Logical restore: skip ALTER ... OWNER TO, so restored objects belong to the restoring role.", ["restore"]);

    public static readonly CliOption NoPrivileges = new("no-privileges", OptionKind.Flag,
        "Logical restore: skip privileges (GRANT/REVOKE from the backed-up ACLs, column privileges, default privileges).", ["restore"]);

    public static readonly CliOption Globals = new("globals", OptionKind.Flag,
        "Logical backup: also the cluster's roles (attributes, settings, memberships) and tablespaces. Logical restore: create them "
        + "first (existing ones are kept).", ["backup", "restore"]);

    public static readonly CliOption RolePasswords = new("role-passwords", OptionKind.Flag,
        "Logical backup with --globals: the roles' password hashes too (a superuser reads pg_authid; otherwise a warning).", ["backup"]);

    public static readonly CliOption ExitOnError = new("exit-on-error", OptionKind.Flag,
        "Stop at the first failing statement (always the case: the error names the object and carries the server's message).", ["restore"]);

    public static readonly CliOption PassphraseFile = new("passphrase-file", OptionKind.Text,
        "Read the repository passphrase from the first line of this file instead of PGARK_PASSPHRASE.",
        ["init", "check", "prune", "stats", "cat", "snapshots", "backup", "restore", "ls", "wal stream", "wal push", "wal get", "status"],
        ValueName: "FILE");

    public static readonly CliOption Encrypt = new("encrypt", OptionKind.Flag,
        "Encrypt the repository with a key wrapped by the passphrase (PGARK_PASSPHRASE or --passphrase-file).", ["init"]);

    public static readonly CliOption Compression = new("compression", OptionKind.Text,
        "Chunk compression: zstd:N (N from -7 to 22) or none.", ["init"], ValueName: "METHOD", Default: "zstd:3");

    public static readonly CliOption PackSize = new("pack-size", OptionKind.Integer,
        "Target size of a pack in MiB.", ["init"], ValueName: "MIB", Default: "32", Min: 1, Max: 1024);

    public static readonly CliOption ReadData = new("read-data", OptionKind.Flag,
        "Also read, decrypt, decompress and re-hash every chunk.", ["check"]);

    /// <summary>The table, in the order help lists options.</summary>
    public static readonly CliOption[] All = [Help, Verbose, Version, Repo, Db, ConnectTimeout, Kind, Backup, Label, Checkpoint, MaxRate,
        Target, Force, Jobs, Table, SchemaOnly, DataOnly, CreateDb, NoOwner, NoPrivileges, Globals, RolePasswords, ExitOnError, Slot, CreateSlot, Synchronous, StatusInterval,
        MaxRpo, Json, Major, Keep, PassphraseFile, Encrypt, Compression, PackSize, ReadData, Markdown];

    public static IEnumerable<CliOption> Global => All.Where(o => o.IsGlobal);

    public static IEnumerable<CliOption> For(string command) => All.Where(o => o.Commands.Contains(command));
}
