using System.Globalization;
using Pgark.Drill;
using Pgark.Repository.Format;

namespace Pgark.Cli.Commands.Drill;

/// <summary>The drill's text report: header, table of tables, damaged files, amcheck, times, verdict.</summary>
internal static class DrillText
{
    public static void Write(TextWriter output, DrillResult result)
    {
        string kind = result.Kind == SnapshotKind.Physical ? "physical" : "logical";
        string recovery = result.Kind == SnapshotKind.Logical ? "loaded into a scratch server"
            : result.RecoveryTargetTime is { } time ? $"recovered to {RecoverySettings.PostgresTime(time)} with archived WAL"
            : result.RecoveryTarget is { } target ? $"recovered to {target} with archived WAL"
            : result.RecoveryTargetLsn is { } lsn ? $"recovery stopped before {lsn}"
            : "recovered to the end of the backup's WAL";
        string counts = result.Kind == SnapshotKind.Logical ? "row counts and checksums recorded at backup"
            : result.RowCountsRecorded ? "row counts recorded at backup"
            : result.RecoveryTarget is not null ? "row counts are the backup's, not this moment's (restored counts only)"
            : "row counts not recorded at backup (restored counts only)";
        output.WriteLine($"drill of {result.ShortId} ({kind}, PostgreSQL {result.ServerVersionNumber}): {recovery}, {counts}");
        WriteTables(output, result.Tables);
        foreach (DamagedRelation damaged in result.Damaged)
            output.WriteLine($"damaged:  {damaged.Path}{(damaged.Relation is null ? "" : $" ({damaged.Relation})")}: {damaged.Problem}");
        output.WriteLine(Amcheck(result.Amcheck));
        var t = result.Timings;
        output.WriteLine($"time:     restore {Seconds(t.Restore)} + WAL replay {Seconds(t.WalReplay)} + checks {Seconds(t.Checks)} = RTO {Seconds(t.Rto)}");
        if (result.Kept is { } kept)
            output.WriteLine($"kept:     server running in {kept.Directory} ({kept.ConnInfo})");
        if (result.Passed)
        {
            output.WriteLine("drill passed");
            return;
        }
        foreach (string problem in result.Problems)
            output.WriteLine("problem:  " + problem);
        output.WriteLine($"drill FAILED: {result.Problems.Count} problem(s)");
    }

    private static void WriteTables(TextWriter output, IReadOnlyList<TableCheck> tables)
    {
        if (tables.Count == 0)
        {
            output.WriteLine("tables:   none to check (no user tables in the restored databases)");
            return;
        }
        var rows = tables.Select(t => new[] { t.Database, t.Table, Rows(t.ExpectedRows, t.Match), Rows(t.RestoredRows, t.Match), Match(t.Match) })
            .Prepend(["database", "table", "expected", "restored", "match"]).ToList();
        int[] widths = Enumerable.Range(0, 5).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (string[] row in rows)
        {
            output.WriteLine(string.Join("  ", row[0].PadRight(widths[0]), row[1].PadRight(widths[1]), row[2].PadLeft(widths[2]),
                row[3].PadLeft(widths[3]), row[4]).TrimEnd());
        }
    }

    private static string Rows(long? rows, TableMatch match) => rows?.ToString(CultureInfo.InvariantCulture)
        ?? (match == TableMatch.NotRecorded ? "not recorded" : "-");

    private static string Match(TableMatch match) => match switch
    {
        TableMatch.Match => "yes",
        TableMatch.Mismatch => "NO",
        TableMatch.NotRecorded => "-",
        TableMatch.Missing => "MISSING",
        _ => "DAMAGED",
    };

    private static string Amcheck(AmcheckReport amcheck) => !amcheck.Available
        ? "amcheck:  not run (the extension is not installed with these server programs, or --no-amcheck)"
        : amcheck.Failures.Count == 0
            ? $"amcheck:  {amcheck.IndexesChecked} btree indexes, {amcheck.TablesChecked} tables checked, no corruption"
            : $"amcheck:  {amcheck.IndexesChecked} btree indexes, {amcheck.TablesChecked} tables checked, {amcheck.Failures.Count} finding(s)";

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
