using System.Globalization;
using Pgark.Cli.Parsing;
using Pgark.Cli.Progress;
using Pgark.Verification;

namespace Pgark.Cli.Commands.Verification;

/// <summary><c>pgark verify</c>: are the backups restorable, and to which moments can the WAL archive recover?</summary>
internal static class VerifyCommand
{
    public static readonly CommandSpec Spec = new(
        "verify",
        "Prove the backups are restorable and list the point-in-time recovery windows.",
        "Checks the repository's structure as check does, then each backup: every chunk it needs is indexed (and, where read, "
        + "decodes and hashes right), its WAL from start to end is present (in its own pg_wal/ or in the archive), and a "
        + "physical backup's files are exactly those of the server's backup_manifest with the listed sizes. Then the WAL archive: "
        + "the gaps on each timeline, each named with the recovery window it cuts short, and the windows themselves: any time "
        + "from the end of a backup to the end of the WAL that follows it without a gap, per timeline.\n\n"
        + "--read-data reads and re-hashes the packs and WAL objects no earlier verify has read (--full: all of them), and "
        + "records what it found intact in the repository (verify/, spec/repository-format.md §17), so a daily verify reads only "
        + "what is new. --read-data PERCENT reads that share of them, a window that moves on each run, so 100/PERCENT runs cover "
        + "everything. With --backup ID --read-data (or --full --read-data) every file of the backup is also rebuilt and compared "
        + "with backup_manifest's SHA-256.\n\n"
        + "check remains as the structural repository check (no WAL, windows or recorded state). Exit code 1 when any error is "
        + "found: a damaged or missing chunk, missing WAL of a backup, a manifest mismatch, or a gap that cuts a recovery window.",
        Arguments: "[PERCENT]",
        MaxPositionals: 1,
        RunAsync,
        Output: """
            backup 4c1d9e0a  physical  2026-11-21 06:00:03  ok: 1290 files match backup_manifest, 2 WAL segments present
            backup 77e0f1aa  logical   2026-11-21 06:10:00  ok
            WAL archive:
              timeline 1: segment 000000010000000000000009 is missing (0/9000000 .. 0/A000000); it cuts the window from 0/3000100 short
            PITR windows:
              timeline 1: any time from 2026-11-21 06:05:01 UTC (0/3000100) to 2026-11-21 07:59:58 UTC (0/9000000), from backup 4c1d9e0a
              timeline 2: any time from 2026-11-21 08:10:00 UTC (0/B000100) to (0/D3A5F10), from backup 9a8b7c6d
            read 3 pack(s), 1204 chunk(s), 5 WAL object(s); 12 pack(s) verified earlier
            verify: FAILED, 1 error(s)
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        using var bar = TerminalProgress.For(context, arguments.Flag(Options.Json));
        var options = new VerifyOptions
        {
            Backup = arguments.Text(Options.Backup),
            ReadData = arguments.Flag(Options.ReadData),
            ReadDataPercent = Percent(arguments),
            Full = arguments.Flag(Options.Full),
            Progress = EngineProgress.Check(bar, "verify"),
        };
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        if (options.Backup is { } prefix)
            options = options with { Backup = (await Retention.SnapshotArgument.FindAsync(repository, prefix, cancellationToken).ConfigureAwait(false)).Id.ToString() };
        var report = await new RepositoryVerifier(repository).RunAsync(options, cancellationToken).ConfigureAwait(false);
        bar.Clear();
        if (arguments.Flag(Options.Json))
            VerifyJson.Write(context.Out, report);
        else
            WriteText(context.Out, report);
        return report.Healthy ? ExitCode.Ok : ExitCode.CheckFailed;
    }

    private static int Percent(ParsedArguments arguments)
    {
        if (arguments.Positionals.Count == 0)
            return 100;
        var text = arguments.Positionals[0].TrimEnd('%');
        if (!arguments.Flag(Options.ReadData))
            throw new UsageException($"unexpected argument \"{arguments.Positionals[0]}\"", "a percentage follows --read-data: pgark verify --read-data 10");
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var percent) && percent is >= 1 and <= 100 ? percent
            : throw new UsageException($"--read-data percentage \"{arguments.Positionals[0]}\" is not a whole number from 1 to 100",
                "give the share of packs to read per run, e.g. --read-data 10 (ten runs cover everything)");
    }

    internal static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static void WriteText(TextWriter output, VerifyReport report)
    {
        foreach (var problem in report.Repository.Problems)
            output.WriteLine(problem.ToString());
        foreach (var backup in report.Backups)
        {
            var m = backup.Snapshot.Record.Metadata;
            var what = backup.Intact ? "ok" + Details(backup) : "FAILED";
            output.WriteLine($"backup {backup.Snapshot.ShortId}  {m.Kind.ToString().ToLowerInvariant(),-8}  {Time(m.StartTime)}  {what}");
            foreach (var problem in backup.Problems)
                output.WriteLine($"  - {problem}");
        }
        if (report.Archive.Count > 0)
        {
            output.WriteLine("WAL archive:");
            foreach (var problem in report.Archive)
            {
                var cut = problem.Breaks is { } w ? $"; it cuts the window from {w.From} (backup {string.Join(", ", w.Backups)}) short at {w.To}" : "";
                output.WriteLine($"  timeline {problem.Timeline}: {problem.Reason} ({problem.From} .. {problem.To}){cut}");
            }
        }
        output.WriteLine(report.Windows.Count == 0 ? "PITR windows: none" : "PITR windows:");
        foreach (var window in report.Windows)
        {
            var to = window.ToTime is { } t ? $"{Time(t)} UTC ({window.To})" : $"({window.To})";
            output.WriteLine($"  timeline {window.Timeline}: any time from {Time(window.FromTime)} UTC ({window.From}) to {to}, "
                + $"from backup {string.Join(", ", window.Backups)}");
        }
        output.WriteLine($"read {report.PacksRead} pack(s), {report.Repository.ChunksRead} chunk(s), {report.WalObjectsRead} WAL object(s); "
            + $"{report.PacksSkippedAsVerified} pack(s) verified earlier" + (report.PacksNotSampled > 0 ? $", {report.PacksNotSampled} left for later runs" : ""));
        var errors = report.Repository.Errors.Count() + report.Backups.Count(b => !b.Intact) + report.Archive.Count(a => a.IsError);
        output.WriteLine(report.Healthy ? "verify: OK" : $"verify: FAILED, {errors} error(s)");
    }

    private static string Details(BackupVerification backup)
    {
        if (backup.Snapshot.Record.Metadata.Kind != Repository.Format.SnapshotKind.Physical)
            return "";
        var manifest = backup.ManifestFiles == 0 ? "" : $"{backup.ManifestFiles} files match backup_manifest{(backup.ManifestHashed ? " (SHA-256)" : "")}, ";
        return $": {manifest}{backup.WalSegmentsNeeded} WAL segment(s) present";
    }
}
