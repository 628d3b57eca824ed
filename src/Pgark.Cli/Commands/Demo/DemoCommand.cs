using System.Globalization;
using Pgark.Cli.Commands.Ping;
using Pgark.Cli.Parsing;
using Pgark.Cluster;
using Pgark.Physical;
using Pgark.Physical.Restore;
using Pgark.Repository;
using Pgark.Repository.Check;
using Pgark.Repository.Storage;
using Pgark.Wire.Connection;

namespace Pgark.Cli.Commands;

/// <summary>
/// <c>pgark demo</c>: pgark's main job end to end on an embedded default — a scratch cluster pgark starts itself.
/// The quick start runs it; each capability adds its step here, so the demo is always what pgark can really do.
/// </summary>
internal static class DemoCommand
{
    private const int Steps = 8;

    public static readonly CommandSpec Spec = new(
        "demo",
        "Run pgark end to end against a scratch PostgreSQL cluster it starts itself.",
        "Starts a throwaway PostgreSQL cluster from the installed server binaries (initdb with data checksums, a free "
        + "port on 127.0.0.1, run as the unprivileged postgres account when pgark runs as root) and, with pgark's own "
        + "protocol code: identifies it over a replication connection, fills a table, takes a physical backup into a "
        + "new repository, updates 1% of the rows (one key range) and takes a second backup (which stores little more "
        + "than the changed pages and the new WAL), checks every chunk of the repository, restores the second backup into a new data "
        + "directory, starts a server on it and compares the table's contents with the source. Everything lives in "
        + "scratch directories under /tmp that are removed at the end unless --keep.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            [1/8] started PostgreSQL 15.18 in /tmp/pgark-cluster-1a2b3c (port 40123, data checksums on)
            [2/8] ping: system id 7301234567890123456, timeline 1, WAL at 0/1779E38, backup allowed (superuser)
            [3/8] filled table orders: 200000 rows
            [4/8] backup 3f2a9c1e: 1290 files, 43.2 MiB received, 4.1 MiB stored in 1.9 s
            [5/8] updated 1% of the rows (one key range); backup 8c1d2e3f stored 0.3 MiB (7% of the first) in 1.1 s
            [6/8] check --read-data: every pack, index and snapshot reads back and re-hashes clean
            [7/8] restored 8c1d2e3f: 1291 files, 47.0 MiB, 1271 verified against backup_manifest
            [8/8] started the restored copy: orders matches the source (200000 rows, md5 9b0c…)
            demo finished: backed up, verified, restored and compared a real PostgreSQL cluster
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var scratch = new DemoScratch(arguments.Flag(Options.Keep), (int?)arguments.Integer(Options.Major));
        try
        {
            return await RunStepsAsync(context, scratch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await scratch.DisposeAsync().ConfigureAwait(false);
            context.Out.WriteLine(scratch.Keep ? $"kept: {scratch.Describe()}" : "removed the scratch clusters and directories");
        }
    }

    private static async Task<ExitCode> RunStepsAsync(CliContext context, DemoScratch scratch, CancellationToken cancellationToken)
    {
        TextWriter output = context.Out;

        // Step 1: a scratch cluster of our own.
        LocalCluster source = await scratch.StartSourceAsync(cancellationToken).ConfigureAwait(false);
        Say(output, 1, $"started PostgreSQL {source.Installation.Version} in {source.Directory} (port {source.Port}, data checksums on)");

        // Step 2: what `pgark ping` does.
        ConnectionSettings replication = Settings(source, ReplicationMode.Physical);
        ServerIdentity server = await context.ServerProbe.IdentifyAsync(replication, cancellationToken).ConfigureAwait(false);
        Say(output, 2, $"ping: system id {server.SystemIdentifier}, timeline {server.Timeline}, WAL at {server.WalPosition}, "
            + $"backup allowed ({(server.IsSuperuser ? "superuser" : "REPLICATION")})");

        // Step 3: data worth backing up.
        await DemoData.FillAsync(Settings(source, ReplicationMode.None), cancellationToken).ConfigureAwait(false);
        Say(output, 3, $"filled table orders: {DemoData.Rows} rows");

        // Step 4: a physical backup into a new repository.
        Repository.Repository repository = await Repository.Repository.InitAsync(new LocalStore(scratch.NewDirectory("pgark-demo-repo-")),
            new RepositoryInitOptions(), cancellationToken: cancellationToken).ConfigureAwait(false);
        PhysicalBackupResult first = await new PhysicalBackup(repository, replication).RunAsync(cancellationToken).ConfigureAwait(false);
        Say(output, 4, $"backup {first.Snapshot.ShortId}: {first.Files} files, {Mib(first.ReceivedBytes)} received, "
            + $"{Mib(first.StoredBytes)} stored in {Seconds(first.Duration)}");

        // Step 5: change a little, back up again: only the changed pages (and new WAL) are stored.
        await DemoData.UpdateOnePercentAsync(Settings(source, ReplicationMode.None), cancellationToken).ConfigureAwait(false);
        PhysicalBackupResult second = await new PhysicalBackup(repository, replication).RunAsync(cancellationToken).ConfigureAwait(false);
        Say(output, 5, $"updated 1% of the rows (one key range); backup {second.Snapshot.ShortId} stored {Mib(second.StoredBytes)} "
            + $"({Percent(second.StoredBytes, first.StoredBytes)} of the first) in {Seconds(second.Duration)}");
        string expected = await DemoData.FingerprintAsync(Settings(source, ReplicationMode.None), cancellationToken).ConfigureAwait(false);

        // Step 6: prove the repository reads back: every chunk decompressed and re-hashed.
        CheckReport check = await repository.CheckAsync(readData: true, cancellationToken).ConfigureAwait(false);
        if (check.HasErrors)
        {
            foreach (CheckProblem problem in check.Errors)
                context.Error.WriteLine($"pgark: check: {problem}");
            return ExitCode.CheckFailed;
        }
        Say(output, 6, "check --read-data: every pack, index and snapshot reads back and re-hashes clean");

        // Step 7: restore the second backup into a new data directory, verified against backup_manifest.
        string target = Path.Combine(scratch.NewDirectory("pgark-demo-restore-"), "data");
        PhysicalRestoreResult restored = await new PhysicalRestore(repository, new PhysicalRestoreOptions { TargetDirectory = target })
            .RunAsync(second.Snapshot, cancellationToken).ConfigureAwait(false);
        Say(output, 7, $"restored {second.Snapshot.ShortId}: {restored.Files} files, {Mib(restored.Bytes)}, "
            + $"{restored.ManifestFilesVerified} verified against backup_manifest");

        // Step 8: a server on the restored directory must hold exactly what the source held.
        LocalCluster copy = await scratch.StartRestoredAsync(target, source, cancellationToken).ConfigureAwait(false);
        string actual = await DemoData.FingerprintAsync(Settings(copy, ReplicationMode.None), cancellationToken).ConfigureAwait(false);
        if (actual != expected)
        {
            context.Error.WriteLine($"pgark: the restored copy differs from the source: expected {expected}, found {actual}");
            return ExitCode.CheckFailed;
        }
        Say(output, 8, $"started the restored copy: orders matches the source ({actual})");
        output.WriteLine("demo finished: backed up, verified, restored and compared a real PostgreSQL cluster");
        return ExitCode.Ok;
    }

    private static ConnectionSettings Settings(LocalCluster cluster, ReplicationMode mode)
        => ConnectionSettings.Parse(cluster.ConnInfo(), mode, new Dictionary<string, string?>());

    private static void Say(TextWriter output, int step, string text) => output.WriteLine($"[{step}/{Steps}] {text}");

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Percent(long part, long whole)
        => (whole == 0 ? 0 : 100.0 * part / whole).ToString("0", CultureInfo.InvariantCulture) + "%";
}
