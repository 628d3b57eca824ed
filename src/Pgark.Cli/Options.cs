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
        ["ping"], ValueName: "CONNINFO", Default: "libpq defaults", EnvironmentVariable: "PGARK_DB");

    public static readonly CliOption ConnectTimeout = new("connect-timeout", OptionKind.Integer,
        "Give up connecting after this many seconds; 0 waits forever. Overrides connect_timeout in --db.",
        ["ping"], ValueName: "SECONDS", Default: "connect_timeout, else 30", Min: 0, Max: 3600);

    public static readonly CliOption Json = new("json", OptionKind.Flag,
        "Print the result as one JSON object instead of text.", ["ping", "stats"]);

    public static readonly CliOption Major = new("major", OptionKind.Integer,
        "PostgreSQL major version of the scratch cluster; installed server binaries are searched in PG_BIN, "
        + "pg_config --bindir, /usr/lib/postgresql/*/bin and /opt/pgark/pg/*/bin.",
        ["demo"], ValueName: "N", Default: "the first installation found", Min: 13, Max: 18);

    public static readonly CliOption Keep = new("keep", OptionKind.Flag,
        "Leave the scratch cluster running and its directory in place at the end.", ["demo"]);

    public static readonly CliOption Markdown = new("markdown", OptionKind.Flag,
        "Print the reference of every command as Markdown (the text of spec/cli.md).", ["help"]);

    // Repository commands (init, check, prune, stats, cat, snapshots).
    public static readonly CliOption Repo = new("repo", OptionKind.Text,
        "The repository: a local directory.", ["init", "check", "prune", "stats", "cat", "snapshots"],
        ValueName: "DIR", EnvironmentVariable: "PGARK_REPO");

    public static readonly CliOption PassphraseFile = new("passphrase-file", OptionKind.Text,
        "Read the repository passphrase from the first line of this file instead of PGARK_PASSPHRASE.",
        ["init", "check", "prune", "stats", "cat", "snapshots"], ValueName: "FILE");

    public static readonly CliOption Encrypt = new("encrypt", OptionKind.Flag,
        "Encrypt the repository with a key wrapped by the passphrase (PGARK_PASSPHRASE or --passphrase-file).", ["init"]);

    public static readonly CliOption Compression = new("compression", OptionKind.Text,
        "Chunk compression: zstd:N (N from -7 to 22) or none.", ["init"], ValueName: "METHOD", Default: "zstd:3");

    public static readonly CliOption PackSize = new("pack-size", OptionKind.Integer,
        "Target size of a pack in MiB.", ["init"], ValueName: "MIB", Default: "32", Min: 1, Max: 1024);

    public static readonly CliOption ReadData = new("read-data", OptionKind.Flag,
        "Also read, decrypt, decompress and re-hash every chunk.", ["check"]);

    /// <summary>The table, in the order help lists options.</summary>
    public static readonly CliOption[] All = [Help, Verbose, Version, Db, ConnectTimeout, Json, Major, Keep, Markdown,
        Repo, PassphraseFile, Encrypt, Compression, PackSize, ReadData];

    public static IEnumerable<CliOption> Global => All.Where(o => o.IsGlobal);

    public static IEnumerable<CliOption> For(string command) => All.Where(o => o.Commands.Contains(command));
}
