using Pgark.IntegrationTests.Infrastructure;
using Pgark.Logical;
using Pgark.Logical.Restore;
using Pgark.Repository;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;

namespace Pgark.IntegrationTests.Logical;

/// <summary>
/// The largest table of a restore loaded over several workers at once (TableParts), against a real server: each part sends
/// whole rows in a transaction of its own, and none commits unless the whole table's rows and BLAKE3 match the backup.
/// Parts are made small here (the restore's minimum part size is lowered) so a few MiB of rows split.
/// </summary>
public sealed class LogicalTablePartsTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    // Rows of very different lengths (a few bytes to ~9 KiB), so part boundaries fall inside short and long rows alike;
    // tabs, backslashes and newlines in values exercise COPY's escapes (a raw newline byte always ends a row).
    private const string Setup = """
        CREATE TABLE big (id int PRIMARY KEY, label text NOT NULL, body text);
        INSERT INTO big SELECT g, 'row ' || g || E'\tx\\y\nz', CASE WHEN g % 97 = 0 THEN repeat(md5(g::text), 1 + g % 280) ELSE md5(g::text) END
          FROM generate_series(1, 60000) g;
        CREATE INDEX big_label ON big (label);
        CREATE TABLE small (id int PRIMARY KEY, note text);
        INSERT INTO small SELECT g, 'note ' || g FROM generate_series(1, 500) g;
        """;

    private const string Contents = "SELECT count(*) || ' ' || md5(string_agg(t::text, '|' ORDER BY id)) FROM big t";

    [Fact]
    public async Task The_largest_table_loads_in_parts_with_every_row_once_and_its_keys_after_all_parts()
    {
        var (repository, backup, root) = await BackupAsync("parts_source");
        try
        {
            var result = await LogicalRestore.RunAsync(repository, new LogicalRestoreOptions
            {
                Target = LogicalFixture.Settings(fixture.Cluster, "postgres"),
                SnapshotId = backup.Snapshot.Id.ToString(),
                CreateDatabase = "parts_restored",
                Jobs = 3,
                MinTablePartBytes = 256 << 10,
            });

            Assert.Equal(new TableLoadedInParts("public.big", 3), result.LoadedInParts);
            Assert.Equal(2, result.TablesVerified);
            Assert.Equal(await fixture.Cluster.ScalarAsync<string>(Contents, "parts_source"), await fixture.Cluster.ScalarAsync<string>(Contents, "parts_restored"));
            // The primary key and the index were built once every part was in (a key built earlier would have missed rows or
            // failed on a later part's duplicate; the count through the index must be the table's).
            Assert.Equal(2L, await fixture.Cluster.ScalarAsync<long>(
                "SELECT count(*) FROM pg_index WHERE indrelid = 'big'::regclass AND indisvalid", "parts_restored"));
            Assert.Equal(60000L, await fixture.Cluster.ScalarAsync<long>(
                "SET enable_seqscan = off; SELECT count(*) FROM big WHERE id > 0", "parts_restored"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_damaged_chunk_in_one_part_fails_the_restore_with_no_part_committed()
    {
        var (repository, backup, root) = await BackupAsync("parts_damaged_source");
        try
        {
            // The table's first chunk, which only the first part reads: the other part loads rows, then rolls back (or stops
            // as soon as the first part fails).
            TableData big = backup.Manifest.Tables.Single(t => t.Name == "big");
            TreeFile file = await FindFileAsync(repository, backup.Snapshot, big.Path);
            Assert.True(file.Chunks.Count >= 4, $"the table's COPY text is only {file.Chunks.Count} chunks; the test needs 4 or more");
            Assert.True(repository.Index.TryGet(file.Chunks[0].Id, out var location));
            FlipByte(Path.Combine(root, location.PackFileName), location.Entry.Offset + location.Entry.StoredLength / 2);

            // The damaged chunk's own error, whichever worker ran which part (the other part only steps aside).
            var failure = await Assert.ThrowsAsync<RepositoryCorruptionException>(() => LogicalRestore.RunAsync(repository, new LogicalRestoreOptions
            {
                Target = LogicalFixture.Settings(fixture.Cluster, "postgres"),
                SnapshotId = backup.Snapshot.Id.ToString(),
                CreateDatabase = "parts_damaged_restored",
                Jobs = 2,
                MinTablePartBytes = 256 << 10,
            }));

            Assert.Equal(file.Chunks[0].Id.ToString(), failure.ObjectId);
            Assert.Equal(0L, await fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM big", "parts_damaged_restored"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task When_the_parts_together_load_fewer_rows_than_the_backup_holds_every_part_rolls_back()
    {
        var (repository, backup, root) = await BackupAsync("parts_filtered_source");
        try
        {
            // A data-only restore into tables whose trigger drops every 1000th row: each part's COPY completes, the servers'
            // COPY tags add up to 60 rows short, and no part may commit (each part alone cannot tell).
            await fixture.Cluster.ExecuteAsync("CREATE DATABASE parts_filtered_target");
            await fixture.Cluster.ExecuteAsync("""
                CREATE TABLE big (id int PRIMARY KEY, label text NOT NULL, body text);
                CREATE TABLE small (id int PRIMARY KEY, note text);
                CREATE FUNCTION drop_some() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN CASE WHEN NEW.id % 1000 = 0 THEN NULL ELSE NEW END; END $$;
                CREATE TRIGGER drop_some BEFORE INSERT ON big FOR EACH ROW EXECUTE FUNCTION drop_some();
                """, "parts_filtered_target");

            var failure = await Assert.ThrowsAsync<LogicalException>(() => LogicalRestore.RunAsync(repository, new LogicalRestoreOptions
            {
                Target = LogicalFixture.Settings(fixture.Cluster, "parts_filtered_target"),
                SnapshotId = backup.Snapshot.Id.ToString(),
                DataOnly = true,
                Jobs = 2,
                MinTablePartBytes = 256 << 10,
            }));

            Assert.Contains("table public.big: the server reported loading 59940 rows in 2 parts but the backup holds 60000", failure.Message,
                StringComparison.Ordinal);
            Assert.Equal(0L, await fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM big", "parts_filtered_target"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_worker_that_cannot_connect_fails_the_restore_instead_of_leaving_a_part_waiting()
    {
        var (repository, backup, root) = await BackupAsync("parts_limited_source");
        try
        {
            // The restore's own session and one worker fit under the role's limit of 2; the second worker is refused, so the
            // part queued for it never starts, and the part that did start must not wait for it.
            await fixture.Cluster.ExecuteAsync("CREATE ROLE parts_limited LOGIN CONNECTION LIMIT 2");
            await fixture.Cluster.ExecuteAsync("CREATE DATABASE parts_limited_target OWNER parts_limited");
            await fixture.Cluster.ExecuteAsync("""
                CREATE TABLE big (id int PRIMARY KEY, label text NOT NULL, body text);
                CREATE TABLE small (id int PRIMARY KEY, note text);
                ALTER TABLE big OWNER TO parts_limited;
                ALTER TABLE small OWNER TO parts_limited;
                """, "parts_limited_target");

            Task<LogicalRestoreResult> restore = LogicalRestore.RunAsync(repository, new LogicalRestoreOptions
            {
                Target = WireSessions.Settings(fixture.Cluster.ConnInfo("parts_limited_target", user: "parts_limited")),
                SnapshotId = backup.Snapshot.Id.ToString(),
                DataOnly = true,
                Jobs = 2,
                MinTablePartBytes = 256 << 10,
            });
            // A generous bound that only a hang exceeds (the restore itself takes about a second).
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => restore.WaitAsync(TimeSpan.FromMinutes(2)));

            Assert.IsNotType<TimeoutException>(failure);
            Assert.Contains("too many connections for role", failure.Message, StringComparison.Ordinal);
            Assert.Equal(0L, await fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM big", "parts_limited_target"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task<(Pgark.Repository.Repository Repository, LogicalBackupResult Backup, string Root)> BackupAsync(string database)
    {
        await fixture.Cluster.ExecuteAsync($"CREATE DATABASE {database}");
        await fixture.Cluster.ExecuteAsync(Setup, database);
        string root = Directory.CreateTempSubdirectory("pgark-logical-parts-").FullName;
        var repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(root), new Pgark.Repository.RepositoryInitOptions());
        var backup = await LogicalBackup.RunAsync(repository, new LogicalBackupOptions { Source = LogicalFixture.Settings(fixture.Cluster, database), Jobs = 2 });
        return (repository, backup, root);
    }

    private static async Task<TreeFile> FindFileAsync(Pgark.Repository.Repository repository, SnapshotInfo snapshot, string path)
    {
        await foreach (TreeFile file in repository.ReadTreeAsync(snapshot.Record))
        {
            if (file.Entry.Path == path)
                return file;
        }
        throw new InvalidOperationException($"no {path} in snapshot {snapshot.Id}");
    }

    private static void FlipByte(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        int value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0x5A));
    }
}
