using Pgark.Cli.Commands.Ping;
using Pgark.Cli.Parsing;
using Pgark.Cluster;
using Pgark.Logical;
using Pgark.Physical;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;
using static Pgark.Cli.Commands.DemoFormat;

namespace Pgark.Cli.Commands;

/// <summary>
/// <c>pgark demo</c>: pgark's main job end to end on an embedded default — a scratch cluster pgark starts itself.
/// The quick start runs it; each capability adds its step here, so the demo is always what pgark can really do.
/// </summary>
internal static partial class DemoCommand
{
    private const int Steps = 11;

    public static readonly CommandSpec Spec = new(
        "demo",
        "Run pgark's whole story against a scratch PostgreSQL cluster it starts itself: archive, back up, undo a mistake, drill.",
        "Starts a throwaway PostgreSQL cluster from the installed server binaries (initdb with data checksums, wal_level=logical, "
        + "a free port on 127.0.0.1, run as the unprivileged postgres account when pgark runs as root) and, with pgark's own "
        + "protocol code: identifies it over a replication connection; streams its WAL continuously into a new repository "
        + "through a replication slot (what pgark wal stream does) while it fills a table; takes a physical backup (with "
        + "exact row counts), updates 1% of the rows and takes a second one (which stores little more than the changed "
        + "pages and the new WAL), and a logical backup; adds orders, then makes the classic mistake — DELETE FROM orders "
        + "with no WHERE — and writes a little more, measuring how far the archive was behind at the moment of the mistake "
        + "(the RPO); finds the mistake in the archived WAL (what pgark wal show does: its transaction id and the rows it "
        + "deleted); checks every chunk of the repository; plans and runs a point-in-time restore to just before the "
        + "mistake (PostgreSQL fetches the WAL with pgark wal get), starts the restored server and proves every order is "
        + "back and the later writes are not; runs a restore drill of the physical backup; and prints the measured RPO "
        + "and RTO. Everything lives in scratch directories under /tmp that are removed at the end unless --keep.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            [1/11] started PostgreSQL 15.18 in /tmp/pgark-cluster-356a2793dd (port 45903, data checksums on, wal_level=logical)
            [2/11] ping: system id 7710557369791436996, timeline 1, WAL at 0/1741918, backup allowed (superuser)
            [3/11] streaming WAL into a new repository through slot pgark_demo; filled table orders: 200000 rows
            [4/11] physical backup 52d712f0: 999 files, 44.5 MiB received, 9.5 MiB stored in 2.9 s, exact row counts recorded
            [5/11] updated 1% of the rows (one key range); backup 7e0139fb stored 0.3 MiB (3% of the first) in 1.3 s
            [6/11] logical backup 93dd5d41: 1 table, 200000 rows, 5.7 MiB stored in 1.2 s
            [7/11] 1000 more orders; 09:40:43 DELETE FROM orders (no WHERE) removed 201000 rows at 0/8E75438; 3 writes after; all archived (at the mistake the archive was 189.7 KiB behind, 0.3 s)
            [8/11] wal show found it: xid 730 COMMIT at 09:40:43.035, deleted 201000 rows
            [9/11] check --read-data: every pack, index and snapshot reads back and re-hashes clean
            [10/11] restored to just before xid 730 from backup 7e0139fb + 46.5 MiB of WAL in 1.6 s, replayed in 1.9 s: 201000 orders back, 0 of the 3 later writes
            [11/11] drill of 7e0139fb passed: row counts match the backup's for 1 of 1 table; RTO 1.9 s
                    RPO  at the mistake: 189.7 KiB of WAL not yet archived, archived 0.3 s later (streaming through slot pgark_demo)
                    RTO  point-in-time restore: 3.6 s (restore 1.6 s, replay 1.9 s); drill: 1.9 s (restore 1.4 s, replay 0.1 s, checks 0.3 s)
            demo finished: archived, backed up, undid a mistake to the transaction, drilled a real PostgreSQL cluster
            removed the scratch clusters and directories
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
        Say(output, 1, $"started PostgreSQL {source.Installation.Version} in {source.Directory} (port {source.Port}, data checksums on, wal_level=logical)");

        // Step 2: what `pgark ping` does.
        ConnectionSettings replication = Settings(source, ReplicationMode.Physical);
        ConnectionSettings sql = Settings(source, ReplicationMode.None);
        ServerIdentity server = await context.ServerProbe.IdentifyAsync(replication, cancellationToken).ConfigureAwait(false);
        Say(output, 2, $"ping: system id {server.SystemIdentifier}, timeline {server.Timeline}, WAL at {server.WalPosition}, "
            + $"backup allowed ({(server.IsSuperuser ? "superuser" : "REPLICATION")})");

        // Steps 3 to 7 run while the WAL streams; the streamer stops (storing what arrived) before recovery starts.
        string repositoryDirectory = scratch.NewDirectory("pgark-demo-repo-");
        Repository.Repository repository = await Repository.Repository.InitAsync(new LocalStore(repositoryDirectory),
            new RepositoryInitOptions(), cancellationToken: cancellationToken).ConfigureAwait(false);
        (PhysicalBackupResult backup, DemoMistake mistake, DemoRpo rpo) = await ArchiveAndBackUpAsync(output, repository, replication, sql, cancellationToken)
            .ConfigureAwait(false);

        // Steps 8 to 11: find the mistake, check, undo it, drill.
        return await RecoverAsync(context, scratch, source, repository, repositoryDirectory, backup, mistake, rpo, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(PhysicalBackupResult Backup, DemoMistake Mistake, DemoRpo Rpo)> ArchiveAndBackUpAsync(TextWriter output,
        Repository.Repository repository, ConnectionSettings replication, ConnectionSettings sql, CancellationToken cancellationToken)
    {
        // Step 3: continuous archiving first, so every later change (the mistake too) reaches the repository; then data.
        DemoStream stream = DemoStream.Start(repository, replication, cancellationToken);
        await using (stream.ConfigureAwait(false))
        {
            await DemoData.FillAsync(sql, cancellationToken).ConfigureAwait(false);
            Say(output, 3, $"streaming WAL into a new repository through slot {DemoStream.SlotName}; filled table orders: {DemoData.Rows} rows");

            // Step 4: a physical backup, with exact row counts for the drill.
            PhysicalBackupResult first = await new PhysicalBackup(repository, replication).RunAsync(cancellationToken).ConfigureAwait(false);
            Say(output, 4, $"physical backup {first.Snapshot.ShortId}: {first.Files} files, {Mib(first.ReceivedBytes)} received, "
                + $"{Mib(first.StoredBytes)} stored in {Seconds(first.Duration)}, "
                + (first.RowCounts is null ? $"no row counts ({first.RowCountsSkipped})" : "exact row counts recorded"));

            // Step 5: change a little, back up again: only the changed pages (and new WAL) are stored.
            await DemoData.UpdateOnePercentAsync(sql, cancellationToken).ConfigureAwait(false);
            PhysicalBackupResult second = await new PhysicalBackup(repository, replication).RunAsync(cancellationToken).ConfigureAwait(false);
            Say(output, 5, $"updated 1% of the rows (one key range); backup {second.Snapshot.ShortId} stored {Mib(second.StoredBytes)} "
                + $"({Percent(second.StoredBytes, first.StoredBytes)} of the first) in {Seconds(second.Duration)}");

            // Step 6: a logical backup of the same database (definitions and rows, restorable into any newer major).
            var logicalClock = System.Diagnostics.Stopwatch.StartNew();
            LogicalBackupResult logical = await LogicalBackup.RunAsync(repository, new LogicalBackupOptions { Source = sql }, cancellationToken)
                .ConfigureAwait(false);
            Say(output, 6, $"logical backup {logical.Snapshot.ShortId}: {Count(logical.Manifest.Tables.Count, "table")}, "
                + $"{logical.Manifest.Tables.Sum(t => t.Rows)} rows, {Mib(logical.StoredBytes)} stored in {Seconds(logicalClock.Elapsed)}");

            // Step 7: more orders, the mistake, and life going on after it; the archive's lag at the mistake is the RPO.
            await DemoMistakes.AddLateOrdersAsync(sql, cancellationToken).ConfigureAwait(false);
            // The RPO is what a loss of the server at the moment of the mistake would cost: WAL written, not yet archived.
            Lsn beforeMistake = await DemoMistakes.CurrentLsnAsync(sql, cancellationToken).ConfigureAwait(false);
            Lsn archived = stream.DurableLsn;
            var lagClock = System.Diagnostics.Stopwatch.StartNew();
            DemoMistake mistake = await DemoMistakes.DeleteEverythingAsync(sql, cancellationToken).ConfigureAwait(false);
            await stream.WaitDurableAsync(beforeMistake, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            var rpo = new DemoRpo(Math.Max(0, beforeMistake - archived), lagClock.Elapsed);
            Lsn afterWrites = await DemoMistakes.WriteAfterMistakeAsync(sql, cancellationToken).ConfigureAwait(false);
            await stream.WaitDurableAsync(afterWrites, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            Say(output, 7, $"{DemoMistakes.LateOrders} more orders; {mistake.Time.UtcDateTime:HH:mm:ss} DELETE FROM orders (no WHERE) removed "
                + $"{mistake.RowsDeleted} rows at {mistake.Lsn}; {DemoMistakes.AfterMistakeRows} writes after; all archived "
                + $"(at the mistake the archive was {Size(rpo.Bytes)} behind, {Seconds(rpo.Lag)})");
            return (second, mistake, rpo);
        }
    }

    private static ConnectionSettings Settings(LocalCluster cluster, ReplicationMode mode)
        => ConnectionSettings.Parse(cluster.ConnInfo(), mode, new Dictionary<string, string?>());

    private static void Say(TextWriter output, int step, string text) => output.WriteLine($"[{step}/{Steps}] {text}");
}
