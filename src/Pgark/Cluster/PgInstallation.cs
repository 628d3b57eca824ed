namespace Pgark.Cluster;

/// <summary>One set of PostgreSQL server programs: the directory holding initdb, pg_ctl and postgres.</summary>
/// <param name="BinDirectory">Absolute directory of the programs.</param>
/// <param name="Major">Major version (13, 14, ... 18).</param>
/// <param name="Version">Full version as <c>postgres --version</c> reports it, e.g. "15.14".</param>
/// <param name="FoundBy">Where the search found it: "option", "PG_BIN", "pg_config", a directory pattern.</param>
public sealed record PgInstallation(string BinDirectory, int Major, string Version, string FoundBy)
{
    public string Postgres => Path.Combine(BinDirectory, "postgres");
    public string Initdb => Path.Combine(BinDirectory, "initdb");
    public string PgCtl => Path.Combine(BinDirectory, "pg_ctl");

    public override string ToString() => $"PostgreSQL {Version} in {BinDirectory} (found by {FoundBy})";
}
