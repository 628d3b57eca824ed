using System.Globalization;
using System.Text.Json;
using Pgark.Cli.Parsing;
using Pgark.Cli.Progress;
using Pgark.Physical.Restore;
using Pgark.Repository.Snapshots;

namespace Pgark.Cli.Commands.Physical;

/// <summary><c>pgark restore --kind physical</c>: write a physical snapshot out as a startable data directory.</summary>
internal static class PhysicalRestoreRun
{
    public static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        string target = arguments.Text(Options.Target)
            ?? throw new UsageException("--target is required", "give the data directory to create with --target DIR");
        using var bar = TerminalProgress.For(context, arguments.Flag(Options.Json));
        var options = new PhysicalRestoreOptions
        {
            TargetDirectory = target,
            Force = arguments.Flag(Options.Force),
            Delta = arguments.Flag(Options.Delta),
            TablespaceMapping = ParseTablespaceMap(arguments.Texts(Options.TablespaceMap)),
            Progress = EngineProgress.PhysicalRestore(bar),
        };
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);

        // Find the snapshot, then restore and verify it.
        SnapshotInfo snapshot = await FindAsync(repository, arguments.Text(Options.Backup) ?? "latest", cancellationToken).ConfigureAwait(false);
        var restore = new PhysicalRestore(repository, options);
        PhysicalRestoreResult result = await restore.RunAsync(snapshot, cancellationToken).ConfigureAwait(false);
        bar.Clear();

        if (arguments.Flag(Options.Json))
        {
            context.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["snapshot"] = snapshot.Id.ToString(), ["target"] = Path.GetFullPath(target), ["files"] = result.Files,
                ["bytes"] = result.Bytes, ["manifest_files_verified"] = result.ManifestFilesVerified, ["wal_segments"] = result.WalSegments,
                ["files_kept"] = result.FilesKept, ["removed"] = result.Removed,
                ["signal_files_left_out"] = result.SignalFilesLeftOut.ToArray(),
            }, RestoreJsonContext.Default.DictionaryStringObject));
        }
        else
        {
            context.Out.WriteLine($"restored {snapshot.ShortId} into {Path.GetFullPath(target)}: {result.Files} files, "
                + $"{(result.Bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB, {result.ManifestFilesVerified} verified against backup_manifest, {result.WalSegments} WAL segment(s)"
                + (arguments.Flag(Options.Delta) ? $"; delta: {result.FilesKept} file(s) already matched, {result.Removed} removed" : ""));
            if (result.SignalFilesLeftOut.Count > 0)
                context.Out.WriteLine($"left out {string.Join(", ", result.SignalFilesLeftOut)} (a backup of a standby): the copy starts "
                    + "as a primary of its own; create standby.signal in the target to run it as a standby instead");
        }
        return ExitCode.Ok;
    }

    /// <summary>"OLD=NEW" pairs, both absolute (as pg_basebackup --tablespace-mapping).</summary>
    internal static Dictionary<string, string> ParseTablespaceMap(IReadOnlyList<string> pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            int at = pair.IndexOf('=', StringComparison.Ordinal);
            string old = at < 0 ? "" : pair[..at].TrimEnd('/'), @new = at < 0 ? "" : pair[(at + 1)..].TrimEnd('/');
            if (at < 0 || !Path.IsPathRooted(old) || !Path.IsPathRooted(@new) || old.Length == 0 || @new.Length == 0)
                throw new UsageException($"--tablespace-map '{pair}' is not OLD=NEW with two absolute directories",
                    "give the tablespace's location at backup time and its new place, e.g. --tablespace-map /srv/ts1=/mnt/ts1");
            if (!map.TryAdd(old, @new))
                throw new UsageException($"--tablespace-map maps {old} twice", "give one new place per tablespace");
        }
        return map;
    }

    private static async Task<SnapshotInfo> FindAsync(Repository.Repository repository, string which, CancellationToken cancellationToken)
    {
        if (which != "latest")
            return await repository.FindSnapshotAsync(which, cancellationToken).ConfigureAwait(false);
        var physical = (await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false))
            .Where(s => s.Record.Metadata.Kind == Repository.Format.SnapshotKind.Physical).ToList();
        return physical.Count > 0
            ? physical[^1]
            : throw new UsageException("the repository has no physical backup", "take one with pgark backup --repo DIR --db CONNINFO");
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class RestoreJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
