using Pgark.Cli.Parsing;
using Pgark.Wal;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Cli.Commands.Wal;

/// <summary><c>pgark status</c>: how complete and how current the WAL archive is.</summary>
internal static class StatusCommand
{
    public static readonly CommandSpec Spec = new(
        "status",
        "Show the WAL archive's coverage, gaps and recovery point objective.",
        "Lists the archive's timeline path (first and last segment per timeline, where each timeline switched), the newest "
        + "durable WAL position and when it was stored, and every gap: missing segments, a partial segment followed by "
        + "later ones, a timeline with no history file linking it. With --db it also asks the server for its current WAL "
        + "position (IDENTIFY_SYSTEM) and reports the RPO: how many bytes of WAL the archive lacks and, when it lacks any, "
        + "for how long it has not advanced.\n\n"
        + "A repository holding WAL of several clusters is reported per cluster: a \"clusters: N\" line, then one such "
        + "section per cluster (by system identifier); with --db the RPO is the server's cluster's.\n\n"
        + "Exits 1 when the archive is empty, when any cluster's WAL has a gap, when the archive holds no WAL of the server's "
        + "cluster, or when the RPO exceeds --max-rpo.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            system id:       7301234567890123456
            segment size:    16 MB
            timeline 1:      000000010000000000000001 .. 000000010000000000000007 (7 segments, switched at 0/7000A0)
            timeline 2:      000000020000000000000007 .. 000000020000000000000009 (3 segments, ends with a partial)
            newest durable:  0/9345678 on timeline 2, stored 2026-11-21T06:00:00Z
            server:          0/9345A10 on timeline 2
            RPO:             920 bytes, 1.2 s
            gaps:            none
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        RpoLimit? limit = arguments.Text(Options.MaxRpo) is { } text ? RpoLimit.Parse(text) : null;
        Pgark.Repository.Repository repository = await RepositoryLocation.OpenAsync(context, arguments, loadIndex: false, cancellationToken).ConfigureAwait(false);

        // The server's view, when asked: its position gives the RPO.
        IdentifySystemResult? server = null;
        if (arguments.Has(Options.Db))
        {
            ConnectionSettings settings = PingCommand.ResolveSettings(context, arguments);
            context.Connection = settings;
            await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
            server = await connection.IdentifySystemAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (limit is not null)
        {
            throw new UsageException("--max-rpo needs --db", "the RPO is measured against the server's current WAL position");
        }

        // The archive's view, per cluster: timelines, gaps, newest durable position.
        var report = await RepositoryStatusReport.ComputeAsync(repository, server, DateTimeOffset.UtcNow, limit, cancellationToken).ConfigureAwait(false);

        // Report, and fail on anything that threatens recovery.
        if (arguments.Flag(Options.Json))
            report.WriteJson(context.Out);
        else
            report.WriteText(context.Out);
        return report.Healthy ? ExitCode.Ok : ExitCode.CheckFailed;
    }
}
