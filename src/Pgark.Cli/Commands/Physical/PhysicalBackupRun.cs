using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Cli.Parsing;
using Pgark.Cli.Progress;
using Pgark.Physical;
using Pgark.Wire.Replication;

namespace Pgark.Cli.Commands.Physical;

/// <summary><c>pgark backup --kind physical</c>: a physical backup of a server into the repository.</summary>
internal static class PhysicalBackupRun
{
    public static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        // Resolve the server, the repository and the options.
        var settings = PingCommand.ResolveSettings(context, arguments);
        context.Connection = settings;
        using var bar = TerminalProgress.For(context, arguments.Flag(Options.Json));
        var options = new PhysicalBackupOptions
        {
            Label = arguments.Text(Options.Label) ?? "pgark",
            Checkpoint = ParseCheckpoint(arguments.Text(Options.Checkpoint)),
            MaxRateKilobytesPerSecond = (int?)arguments.Integer(Options.MaxRate),
            CountRows = !arguments.Flag(Options.NoRowCounts),
            VerifyChecksums = !arguments.Flag(Options.NoVerifyChecksums),
            Progress = EngineProgress.PhysicalBackup(bar),
        };
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);

        // Back up, then report.
        PhysicalBackupResult result = await new PhysicalBackup(repository, settings, options).RunAsync(cancellationToken).ConfigureAwait(false);
        bar.Clear();
        if (arguments.Flag(Options.Json))
            WriteJson(context.Out, result);
        else
            WriteText(context.Out, result);
        return ExitCode.Ok;
    }

    private static BaseBackupCheckpoint ParseCheckpoint(string? text) => text switch
    {
        null or "fast" => BaseBackupCheckpoint.Fast,
        "spread" => BaseBackupCheckpoint.Spread,
        _ => throw new UsageException($"--checkpoint '{text}' is not fast or spread", "use --checkpoint fast or --checkpoint spread"),
    };

    private static void WriteText(TextWriter output, PhysicalBackupResult result)
    {
        var m = result.Snapshot.Record.Metadata;
        output.WriteLine($"snapshot:  {result.Snapshot.ShortId}  (label {m.Label}, PostgreSQL {m.PgVersion}, timeline {m.Timeline}, {new Lsn(m.StartLsn)} .. {new Lsn(m.EndLsn)})");
        output.WriteLine($"files:     {result.Files}, {Mib(result.ReceivedBytes)} received, {Mib(result.WalBytes)} WAL");
        output.WriteLine($"stored:    {Mib(result.StoredBytes)} in {result.StoredChunks} new chunks ({result.DeduplicatedChunks} deduplicated) in {result.Duration.TotalSeconds:0.0} s");
        output.WriteLine(result.RowCounts is { } counts
            ? $"rows:      {counts.Tables.Count} tables of {counts.Database} counted at {counts.Lsn} (for pgark drill)"
            : $"rows:      not recorded: {result.RowCountsSkipped}");
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static void WriteJson(TextWriter output, PhysicalBackupResult result)
    {
        var m = result.Snapshot.Record.Metadata;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("snapshot", result.Snapshot.Id.ToString());
            json.WriteString("label", m.Label);
            json.WriteString("system_identifier", m.SystemIdentifier.ToString(CultureInfo.InvariantCulture));
            json.WriteNumber("server_version_num", m.PgVersion);
            json.WriteNumber("timeline", m.Timeline);
            json.WriteString("start_lsn", new Lsn(m.StartLsn).ToString());
            json.WriteString("end_lsn", new Lsn(m.EndLsn).ToString());
            json.WriteNumber("files", result.Files);
            json.WriteNumber("received_bytes", result.ReceivedBytes);
            json.WriteNumber("wal_bytes", result.WalBytes);
            json.WriteNumber("stored_bytes", result.StoredBytes);
            json.WriteNumber("stored_chunks", result.StoredChunks);
            json.WriteNumber("deduplicated_chunks", result.DeduplicatedChunks);
            json.WriteNumber("seconds", Math.Round(result.Duration.TotalSeconds, 3));
            if (result.RowCounts is { } counts)
            {
                json.WriteStartObject("row_counts");
                json.WriteString("database", counts.Database);
                json.WriteString("lsn", counts.Lsn);
                json.WriteNumber("tables", counts.Tables.Count);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("row_counts");
            }
            json.WriteStartArray("phases");
            foreach (PhysicalBackupPhase phase in result.Phases)
            {
                json.WriteStartObject();
                json.WriteString("name", phase.Name);
                json.WriteNumber("seconds", Math.Round(phase.Elapsed.TotalSeconds, 3));
                json.WriteNumber("cpu_seconds", Math.Round(phase.ProcessorTime.TotalSeconds, 3));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("stream_server_wait_seconds", Math.Round(result.ServerWait.TotalSeconds, 3));
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
