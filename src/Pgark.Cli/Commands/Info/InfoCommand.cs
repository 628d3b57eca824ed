using System.Globalization;
using Pgark.Cli.Parsing;
using Pgark.Info;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Cli.Commands.Info;

/// <summary><c>pgark info</c>: the repository at a glance, or as stable JSON (spec/info-json.md).</summary>
internal static class InfoCommand
{
    public static readonly CommandSpec Spec = new(
        "info",
        "Show clusters, backups, WAL archive, recovery windows, last drill and RPO.",
        "Per cluster (system identifier) every backup with kind, times, timeline, LSNs, logical size (what a restore writes), "
        + "stored size (the packed chunks it references) and whether it is pinned; the WAL archive's ranges per timeline and "
        + "its gaps; the point-in-time recovery windows (as verify computes them, from names and headers, without reading data); "
        + "the last restore drill with its measured RTO; and the newest durable WAL position, whether a WAL streamer is "
        + "running and, with --db, the RPO against the server's current position (as status measures it).\n\n"
        + "--json prints one object whose members are fixed by spec/info-json.md.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            repository 6c0d1e2f3a4b5c6d (not encrypted)
            cluster 7301234567890123456:
              4c1d9e0a  physical  2026-11-21 06:00:03 .. 06:04:51  tl 1  0/3000028 .. 0/3000138  1.2 GB logical, 310 MB stored  pinned
              77e0f1aa  logical   2026-11-21 06:10:00 .. 06:11:12  tl 1  -                      95 MB logical, 21 MB stored
            WAL archive (16 MB segments):
              timeline 1: 000000010000000000000003 .. 00000001000000000000000B (9 segments), 0/3000000 .. 0/C000000
            PITR windows:
              timeline 1: any time from 2026-11-21 06:04:51 UTC (0/3000138) to 2026-11-21 08:59:58 UTC (0/C000000)
            last drill: passed, 4c1d9e0a restored 2026-11-21 07:00:12 UTC, RTO 41.3 s (restore 30.1, replay 8.9, checks 2.3)
            recovery point: newest durable 0/C000000 on timeline 1, stored 2026-11-21 09:00:00 UTC; streamer running (pid 4242 on db1)
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        IdentifySystemResult? server = null;
        if (arguments.Has(Options.Db))
        {
            ConnectionSettings settings = PingCommand.ResolveSettings(context, arguments);
            context.Connection = settings;
            await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            server = await connection.IdentifySystemAsync(cancellationToken).ConfigureAwait(false);
        }
        var info = await RepositoryInfoCollector.CollectAsync(repository, server, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (arguments.Flag(Options.Json))
            context.Out.WriteLine(InfoJson.Write(info));
        else
            WriteText(context.Out, info);
        return ExitCode.Ok;
    }

    private static void WriteText(TextWriter output, RepositoryInfo info)
    {
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine($"repository {info.RepositoryId} ({(info.Encrypted ? "encrypted" : "not encrypted")})");
        foreach (var cluster in info.Clusters)
        {
            output.WriteLine(string.Create(culture, $"cluster {cluster.SystemIdentifier}:"));
            foreach (var b in cluster.Backups)
            {
                var lsns = b.Kind == "physical" ? $"{b.StartLsn} .. {b.EndLsn}" : "-";
                output.WriteLine(string.Create(culture,
                    $"  {b.Id[..8]}  {b.Kind,-8}  {b.StartTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} .. {b.EndTime.UtcDateTime:HH:mm:ss}  tl {b.Timeline}  {lsns,-22} "
                    + $"{Size(b.LogicalBytes)} logical, {Size(b.StoredBytes)} stored{(b.Pinned ? "  pinned" : "")}"));
            }
        }
        output.WriteLine(info.WalSegmentSize == 0 ? "WAL archive: empty" : $"WAL archive ({info.WalSegmentSize >> 20} MB segments):");
        foreach (var range in info.WalRanges)
        {
            var first = range.Start.WalFileName(range.Timeline, info.WalSegmentSize);
            var last = Lsn.FromSegment(range.LastSegment, 0, info.WalSegmentSize).WalFileName(range.Timeline, info.WalSegmentSize);
            output.WriteLine($"  timeline {range.Timeline}: {first} .. {last} ({range.SegmentCount} segments{(range.EndsWithPartial ? ", last partial" : "")}), "
                + $"{range.Start} .. {range.End}");
        }
        foreach (var gap in info.WalGaps)
            output.WriteLine($"  gap on timeline {gap.Timeline}: {gap.Reason} ({gap.From} .. {gap.To})");
        output.WriteLine(info.PitrWindows.Count == 0 ? "PITR windows: none" : "PITR windows:");
        foreach (var w in info.PitrWindows)
        {
            var to = w.ToTime is { } t ? $"{Verification.VerifyCommand.Time(t)} UTC ({w.To})" : $"({w.To})";
            output.WriteLine($"  timeline {w.Timeline}: any time from {Verification.VerifyCommand.Time(w.FromTime)} UTC ({w.From}) to {to}");
        }
        if (info.LastDrill is { } d)
        {
            var id = d.SnapshotId[..Math.Min(8, d.SnapshotId.Length)];
            var times = string.Create(culture, $"RTO {d.RtoSeconds:0.0} s (restore {d.RestoreSeconds:0.0}, replay {d.ReplaySeconds:0.0}, checks {d.CheckSeconds:0.0})");
            var failure = d.Failure is { } f ? ": " + f : "";
            output.WriteLine($"last drill: {(d.Passed ? "passed" : "FAILED")}, {id} restored {Verification.VerifyCommand.Time(d.FinishedAt)} UTC, {times}{failure}");
        }
        else
            output.WriteLine("last drill: none (run pgark drill)");
        var rp = info.RecoveryPoint;
        var newest = rp.NewestDurableLsn is { } lsn
            ? $"newest durable {lsn} on timeline {rp.NewestTimeline}" + (rp.NewestDurableTime is { } at ? $", stored {Verification.VerifyCommand.Time(at)} UTC" : "")
            : "no WAL archived";
        var streamer = rp.StreamerRunning ? $"streamer running (pid {rp.StreamerPid} on {rp.StreamerHost})" : "no streamer running";
        var seconds = rp.RpoSeconds is { } s ? ", " + s.ToString("0.0", culture) + " s" : "";
        var rpo = rp.RpoBytes is { } bytes ? $"; RPO {bytes} bytes{seconds} behind server at {rp.ServerLsn}" : "";
        output.WriteLine($"recovery point: {newest}; {streamer}{rpo}");
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} kB"),
        _ => $"{bytes} B",
    };
}
