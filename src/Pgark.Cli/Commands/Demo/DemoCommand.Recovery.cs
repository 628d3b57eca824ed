using Pgark.Cluster;
using Pgark.Drill;
using Pgark.Physical;
using Pgark.Repository.Check;
using Pgark.Wire.Connection;
using static Pgark.Cli.Commands.DemoFormat;

namespace Pgark.Cli.Commands;

/// <summary>The demo's second half: find the mistake, check the repository, undo the mistake, drill, report RPO and RTO.</summary>
internal static partial class DemoCommand
{
    private static async Task<ExitCode> RecoverAsync(CliContext context, DemoScratch scratch, LocalCluster source, Repository.Repository repository,
        string repositoryDirectory, PhysicalBackupResult backup, DemoMistake mistake, DemoRpo rpo, CancellationToken cancellationToken)
    {
        TextWriter output = context.Out;

        // Step 8: what `pgark wal show --around TIME` does: the archived WAL names the transaction.
        if (await DemoWalSearch.FindMassDeleteAsync(repository, mistake.Time, cancellationToken).ConfigureAwait(false) is not { } found)
            return Fail(context, $"wal show found no transaction that deleted rows around {mistake.Time:O}");
        Say(output, 8, $"wal show found it: xid {found.Transaction.Xid} {found.Transaction.KindName} at {found.Transaction.Time:HH:mm:ss.fff}, "
            + $"deleted {found.Deleted} rows");

        // Step 9: prove the repository reads back: every chunk decompressed and re-hashed.
        CheckReport check = await repository.CheckAsync(readData: true, cancellationToken).ConfigureAwait(false);
        if (check.HasErrors)
            return Fail(context, string.Join("\npgark: check: ", check.Errors));
        Say(output, 9, "check --read-data: every pack, index and snapshot reads back and re-hashes clean");

        // Step 10: undo the mistake: restore to just before its transaction, start, and count.
        DemoRestore restore = await DemoPointInTime.RunAsync(context, repository, repositoryDirectory, found.Transaction.Xid, scratch, source,
            cancellationToken).ConfigureAwait(false);
        ConnectionSettings restored = Settings(restore.Server, ReplicationMode.None);
        (long orders, long afterMistake) = await DemoMistakes.CountAsync(restored, cancellationToken).ConfigureAwait(false);
        if (orders != mistake.OrdersBefore || afterMistake != 0)
        {
            return Fail(context, $"the restored server has {orders} orders (expected {mistake.OrdersBefore}) and {afterMistake} of the writes "
                + "after the mistake (expected 0)");
        }
        Say(output, 10, $"restored to just before xid {found.Transaction.Xid} from backup {restore.Plan.Backup.ShortId} + "
            + $"{Mib(restore.Plan.Wal.Bytes)} of WAL in {Seconds(restore.Restore)}, replayed in {Seconds(restore.Replay)}: "
            + $"{orders} orders back, {afterMistake} of the {DemoMistakes.AfterMistakeRows} later writes");

        // Step 11: a restore drill of the physical backup: restored, recovered, every table counted against the backup's figures.
        DrillResult drill = await new RestoreDrill(repository, new DrillOptions
        {
            Backup = backup.Snapshot.Id.ToString(),
            PgBinDirectory = source.Installation.BinDirectory,
        }).RunAsync(cancellationToken).ConfigureAwait(false);
        if (!drill.Passed)
            return Fail(context, "the drill failed: " + string.Join("; ", drill.Problems));
        int matched = drill.Tables.Count(t => t.Match == TableMatch.Match);
        Say(output, 11, $"drill of {drill.ShortId} passed: row counts match the backup's for {matched} of {Count(drill.Tables.Count, "table")}; "
            + $"RTO {Seconds(drill.Timings.Rto)}");

        DemoReport.WriteTable(output, rpo, restore, drill);
        output.WriteLine("demo finished: archived, backed up, undid a mistake to the transaction, drilled a real PostgreSQL cluster");
        return ExitCode.Ok;
    }

    private static ExitCode Fail(CliContext context, string message)
    {
        context.Error.WriteLine($"pgark: {message}");
        return ExitCode.CheckFailed;
    }
}
