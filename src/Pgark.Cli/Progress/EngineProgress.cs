using System.Globalization;
using Pgark.Logical;
using Pgark.Logical.Restore;
using Pgark.Physical;
using Pgark.Physical.Restore;
using Pgark.Repository.Check;
using Pgark.Repository.Maintenance;

namespace Pgark.Cli.Progress;

/// <summary>The engine's progress reports, each drawn on a <see cref="TerminalProgress"/>; null when the bar is off.</summary>
internal static class EngineProgress
{
    /// <summary>Bytes received of the total the server announced (BASE_BACKUP PROGRESS; none: no bar, bytes and rate only).</summary>
    public static IProgress<PhysicalBackupProgress>? PhysicalBackup(TerminalProgress bar) =>
        bar.Reporter<PhysicalBackupProgress>(static (b, p) => b.Report("backup", p.ReceivedBytes, p.EstimatedTotalBytes, Count(p.Files, "files")));

    public static IProgress<PhysicalRestoreProgress>? PhysicalRestore(TerminalProgress bar) =>
        bar.Reporter<PhysicalRestoreProgress>(static (b, p) => b.Report("restore", p.WrittenBytes, p.TotalBytes, Of(p.Files, p.TotalFiles, "files")));

    /// <summary>COPY text bytes of the tables' on-disk size (an estimate: text and heap differ, so the bar is approximate).</summary>
    public static IProgress<LogicalBackupProgress>? LogicalBackup(TerminalProgress bar) =>
        bar.Reporter<LogicalBackupProgress>(static (b, p) => b.Report("backup", p.CopiedBytes, p.EstimatedTotalBytes, Of(p.TablesCopied, p.TotalTables, "tables")));

    public static IProgress<LogicalRestoreProgress>? LogicalRestore(TerminalProgress bar) =>
        bar.Reporter<LogicalRestoreProgress>(static (b, p) => b.Report("restore", p.LoadedBytes, p.TotalBytes, Of(p.TablesLoaded, p.TotalTables, "tables")));

    /// <summary>With read-data the bytes of the packs read whole; without, only headers are read and the bar counts packs.</summary>
    public static IProgress<CheckProgress>? Check(TerminalProgress bar, string phase) =>
        bar.Reporter<CheckProgress>((b, p) =>
        {
            if (p.BytesToRead > 0)
                b.Report(phase, p.BytesRead, p.BytesToRead, Of(p.PacksDone, p.TotalPacks, "packs"));
            else
                b.Report(phase, p.PacksDone, p.TotalPacks, unit: "packs");
        });

    public static IProgress<PruneProgress>? Prune(TerminalProgress bar) =>
        bar.Reporter<PruneProgress>(static (b, p) => b.Report(p.Step switch
        {
            PruneStep.Mark => "prune: marking",
            PruneStep.Repack => "prune: repacking",
            PruneStep.RewriteIndex => "prune: rewriting the index",
            _ => "prune: deleting",
        }, p.Done, p.Total, unit: p.Step switch
        {
            PruneStep.Mark => "snapshots",
            PruneStep.RewriteIndex => "index deltas",
            _ => "packs",
        }));

    private static string Count(long count, string what) => string.Create(CultureInfo.InvariantCulture, $"{count} {what}");

    private static string Of(long done, long total, string what) => string.Create(CultureInfo.InvariantCulture, $"{done}/{total} {what}");
}
