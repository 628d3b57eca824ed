using System.Globalization;
using System.Text.Json;
using Pgark.Cli.Parsing;
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
        var repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);

        // Find the snapshot, then restore and verify it.
        SnapshotInfo snapshot = await FindAsync(repository, arguments.Text(Options.Backup) ?? "latest", cancellationToken).ConfigureAwait(false);
        var restore = new PhysicalRestore(repository, new PhysicalRestoreOptions { TargetDirectory = target, Force = arguments.Flag(Options.Force) });
        PhysicalRestoreResult result = await restore.RunAsync(snapshot, cancellationToken).ConfigureAwait(false);

        if (arguments.Flag(Options.Json))
        {
            context.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["snapshot"] = snapshot.Id.ToString(), ["target"] = Path.GetFullPath(target), ["files"] = result.Files,
                ["bytes"] = result.Bytes, ["manifest_files_verified"] = result.ManifestFilesVerified, ["wal_segments"] = result.WalSegments,
            }, RestoreJsonContext.Default.DictionaryStringObject));
        }
        else
        {
            context.Out.WriteLine($"restored {snapshot.ShortId} into {Path.GetFullPath(target)}: {result.Files} files, "
                + $"{(result.Bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)} MiB, {result.ManifestFilesVerified} verified against backup_manifest, {result.WalSegments} WAL segment(s)");
        }
        return ExitCode.Ok;
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
internal sealed partial class RestoreJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
