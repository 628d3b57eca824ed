using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.IntegrationTests.Physical;
using Pgark.IntegrationTests.Wal;
using Pgark.Physical;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Recovery;

/// <summary>
/// The seed scenario, played once per test class on a real server whose WAL pgark streams into a repository: a backup,
/// 200 orders inserted after it (so replay is needed), the time, LSN, xid and a restore point noted, then
/// <c>DELETE FROM orders</c> without WHERE, then more writes (orders 1001..1010) across a few segment switches.
/// </summary>
public sealed class PitrScenario : IAsyncLifetime
{
    private readonly CancellationTokenSource _stopReceiver = new();
    private Task? _receiverRun;

    public LocalCluster Cluster { get; private set; } = null!;
    public string RepositoryDirectory { get; } = Path.Combine("/tmp", $"pgark-pitr-{Guid.NewGuid():N}"[..22]);
    public DateTimeOffset BeforeDelete { get; private set; }
    public Lsn LsnBeforeDelete { get; private set; }
    public uint LastInsertXid { get; private set; }
    public uint DeleteXid { get; private set; }
    public DateTimeOffset AfterDelete { get; private set; }
    public Lsn BackupEnd { get; private set; }
    public Lsn ArchivedThrough { get; private set; }
    public const string RestorePoint = "before-delete";

    public async Task InitializeAsync()
    {
        Cluster = await LocalCluster.StartAsync(new LocalClusterOptions());
        var repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(RepositoryDirectory), new RepositoryInitOptions());

        // Continuous archiving first, so the archive covers the backup's start.
        var receiver = new Pgark.Wal.WalReceiver(repository, new WalReceiverOptions
        {
            Connection = ConnectionSettings.Parse(Cluster.ConnInfo(), ReplicationMode.Physical),
            SlotName = "pitr", CreateSlot = true, StatusInterval = TimeSpan.FromMilliseconds(200),
            InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromSeconds(1),
        });
        _receiverRun = Task.Run(() => receiver.RunAsync(_stopReceiver.Token));
        await Cluster.ExecuteAsync("CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL)");
        var backup = await PhysicalTestBed.BackupAsync(await Pgark.Repository.Repository.OpenAsync(new LocalStore(RepositoryDirectory)), Cluster);
        BackupEnd = new Lsn(backup.Snapshot.Record.Metadata.EndLsn);

        // Orders after the backup, across a segment switch; the moment before the mistake.
        await Cluster.ExecuteAsync("INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 100) g");
        await Cluster.ExecuteAsync("SELECT pg_switch_wal()");
        LastInsertXid = await InTransactionAsync("INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(101, 200) g");
        BeforeDelete = await Cluster.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        await Cluster.ExecuteAsync($"SELECT pg_create_restore_point('{RestorePoint}')");
        LsnBeforeDelete = Lsn.Parse(await Cluster.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text"));

        // The mistake, then life goes on.
        DeleteXid = await InTransactionAsync("DELETE FROM orders");
        AfterDelete = await Cluster.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        await Cluster.ExecuteAsync("SELECT pg_switch_wal()");
        await Cluster.ExecuteAsync("INSERT INTO orders SELECT g, 'late ' || g FROM generate_series(1001, 1005) g");
        await Cluster.ExecuteAsync("SELECT pg_switch_wal()");
        await Cluster.ExecuteAsync("INSERT INTO orders SELECT g, 'late ' || g FROM generate_series(1006, 1010) g");
        ArchivedThrough = Lsn.Parse(await Cluster.ScalarAsync<string>("SELECT pg_current_wal_lsn()::text"));
        await WalStreamHarness.WaitDurableAsync(receiver, _receiverRun, ArchivedThrough);
    }

    /// <summary>Runs <paramref name="sql"/> in one transaction and returns its xid (32 bits, as WAL records it).</summary>
    private async Task<uint> InTransactionAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Cluster.NpgsqlConnectionString());
        await connection.OpenAsync();
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
            await command.ExecuteNonQueryAsync();
        long xid = await connection.ScalarAsync<long>("SELECT txid_current()");
        await transaction.CommitAsync();
        return (uint)xid;
    }

    /// <summary>A copy of the repository, for tests that damage or extend it.</summary>
    public string CopyRepository()
    {
        string copy = Path.Combine("/tmp", $"pgark-pitr-copy-{Guid.NewGuid():N}"[..27]);
        Os.Run("cp", "-a", RepositoryDirectory, copy);
        return copy;
    }

    public async Task DisposeAsync()
    {
        await _stopReceiver.CancelAsync();
        try
        {
            if (_receiverRun is not null)
                await _receiverRun;
        }
        catch (OperationCanceledException)
        {
        }
        await Cluster.DisposeAsync();
        Directory.Delete(RepositoryDirectory, recursive: true);
    }
}
