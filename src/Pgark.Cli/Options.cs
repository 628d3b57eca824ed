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
        ["ping", "backup"], ValueName: "CONNINFO", Default: "libpq defaults", EnvironmentVariable: "PGARK_DB");

    public static readonly CliOption ConnectTimeout = new("connect-timeout", OptionKind.Integer,
        "Give up connecting after this many seconds; 0 waits forever. Overrides connect_timeout in --db.",
        ["ping", "backup"], ValueName: "SECONDS", Default: "connect_timeout, else 30", Min: 0, Max: 3600);

    public static readonly CliOption Json = new("json", OptionKind.Flag,
        "Print the result as one JSON object instead of text.", ["ping", "backup", "restore"]);

    public static readonly CliOption Markdown = new("markdown", OptionKind.Flag,
        "Print the reference of every command as Markdown (the text of spec/cli.md).", ["help"]);

    public static readonly CliOption Repo = new("repo", OptionKind.Text,
        "The repository: a local directory. An encrypted repository's passphrase is read from PGARK_PASSPHRASE.",
        ["init", "backup", "restore"], ValueName: "DIR", EnvironmentVariable: "PGARK_REPO");

    public static readonly CliOption Label = new("label", OptionKind.Text,
        "The backup label, written into backup_label and the snapshot.", ["backup"], ValueName: "TEXT", Default: "pgark");

    public static readonly CliOption Checkpoint = new("checkpoint", OptionKind.Text,
        "How the backup's starting checkpoint is taken: fast (immediately, with I/O burst) or spread (paced by "
        + "checkpoint_completion_target, which can take minutes).", ["backup"], ValueName: "fast|spread", Default: "fast");

    public static readonly CliOption MaxRate = new("max-rate", OptionKind.Integer,
        "Limit the rate at which the server sends the backup, in kB/s (BASE_BACKUP MAX_RATE).", ["backup"],
        ValueName: "KB_PER_S", Default: "unlimited", Min: 32, Max: 1048576);

    public static readonly CliOption Backup = new("backup", OptionKind.Text,
        "The snapshot to restore: a unique id prefix (at least 4 hex digits) or latest.", ["restore"], ValueName: "ID", Default: "latest");

    public static readonly CliOption Target = new("target", OptionKind.Text,
        "The data directory to create. It must be missing or empty unless --force is given.", ["restore"], ValueName: "DIR");

    public static readonly CliOption Force = new("force", OptionKind.Flag,
        "Delete what the target directory (and tablespace directories) hold before restoring.", ["restore"]);

    /// <summary>The table, in the order help lists options.</summary>
    public static readonly CliOption[] All = [Help, Verbose, Version, Db, ConnectTimeout, Repo, Label, Checkpoint, MaxRate, Backup, Target, Force, Json, Markdown];

    public static IEnumerable<CliOption> Global => All.Where(o => o.IsGlobal);

    public static IEnumerable<CliOption> For(string command) => All.Where(o => o.Commands.Contains(command));
}
