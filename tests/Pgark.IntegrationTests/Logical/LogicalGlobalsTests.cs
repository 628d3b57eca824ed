using System.Diagnostics;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Logical;
using Pgark.Logical.Restore;

namespace Pgark.IntegrationTests.Logical;

/// <summary>--globals: the roles and tablespaces of one cluster recreated on a fresh one, compared with pg_dumpall.</summary>
public sealed class LogicalGlobalsTests(LogicalFixture fixture) : IClassFixture<LogicalFixture>
{
    private readonly LogicalFixture _fixture = fixture;

    [Fact]
    public async Task Roles_and_tablespaces_restore_onto_a_fresh_cluster_as_pg_dumpall_sees_them()
    {
        var source = _fixture.Cluster;
        string location = NewDirectory(source), mapped = NewDirectory(source); // both clusters run as the same server user
        await source.ExecuteAsync($"CREATE TABLESPACE archive OWNER shop_owner LOCATION '{location}' WITH (random_page_cost = 2)");
        await source.ExecuteAsync("COMMENT ON TABLESPACE archive IS 'cold data'; GRANT CREATE ON TABLESPACE archive TO clerk");
        try
        {
            var backup = await LogicalBackup.RunAsync(_fixture.Repository, new LogicalBackupOptions
            {
                Source = LogicalFixture.Settings(source, "source"),
                Globals = true,
                RolePasswords = true,
            });
            Assert.Empty(backup.Warnings);

            await using var target = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 15 });
            var result = await LogicalRestore.RunAsync(_fixture.Repository, new LogicalRestoreOptions
            {
                Target = LogicalFixture.Settings(target, "postgres"),
                SnapshotId = backup.Snapshot.ShortId,
                CreateDatabase = "source",
                Globals = true,
                TablespaceMapping = new Dictionary<string, string> { [location] = mapped },
            });

            Assert.Equal(backup.GlobalObjects, result.GlobalObjectsCreated);
            var expected = (await PgDumpAllGlobalsAsync(source)).Select(line => line.Replace(location, mapped, StringComparison.Ordinal)).ToArray();
            var actual = await PgDumpAllGlobalsAsync(target);
            // The bootstrap superuser is every cluster's own (pgark leaves it alone): its password may differ.
            string bootstrap = $"ALTER ROLE {source.Options.Superuser} WITH ";
            Assert.Equal(expected.Where(l => !l.StartsWith(bootstrap, StringComparison.Ordinal)), actual.Where(l => !l.StartsWith(bootstrap, StringComparison.Ordinal)));
            Assert.Contains(actual, line => line.StartsWith("CREATE ROLE \"Login User\";", StringComparison.Ordinal));
            Assert.Contains(actual, line => line.Contains("PASSWORD 'SCRAM-SHA-256$", StringComparison.Ordinal));
            // The database itself, owners, privileges and its own properties (owner, ACL, comment, settings) included, now restores
            // onto the fresh cluster too.
            Assert.Equal(await LogicalFixture.PgDumpWithDatabaseAsync(source, "source", "source"),
                await LogicalFixture.PgDumpWithDatabaseAsync(target, "source", "source"));
        }
        finally
        {
            await source.ExecuteAsync("DROP TABLESPACE archive");
        }
    }

    [Fact]
    public async Task A_created_database_gets_the_source_locale_and_default_tablespace_and_each_object_its_tablespace()
    {
        var source = _fixture.Cluster;
        string location = NewDirectory(source), mapped = NewDirectory(source);
        await source.ExecuteAsync($"CREATE TABLESPACE placed LOCATION '{location}'");
        await source.ExecuteAsync("CREATE DATABASE localed TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en' LC_COLLATE 'C.utf8' LC_CTYPE 'C.utf8' " +
            "TABLESPACE placed");
        try
        {
            // The database's default is "placed": "home" lives there by default, "away" and its key in pg_default by name, one index
            // of "away" back in "placed" by name, and the materialized view in pg_default.
            await source.ExecuteAsync("CREATE TABLE home (id int PRIMARY KEY, v text); " +
                "CREATE TABLE away (id int, v text, PRIMARY KEY (id) USING INDEX TABLESPACE pg_default) TABLESPACE pg_default; " +
                "CREATE INDEX away_v ON away (v) TABLESPACE placed; CREATE MATERIALIZED VIEW away_mv TABLESPACE pg_default AS SELECT * FROM away; " +
                "INSERT INTO home VALUES (1, 'a'); INSERT INTO away VALUES (2, 'b'); " +
                "CREATE TABLE part (id int) PARTITION BY RANGE (id) TABLESPACE pg_default; " +
                "CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (10) TABLESPACE pg_default; INSERT INTO part VALUES (3)", "localed");
            var backup = await LogicalBackup.RunAsync(_fixture.Repository, new LogicalBackupOptions
            {
                Source = LogicalFixture.Settings(source, "localed"),
                Globals = true,
            });
            Assert.Equal(new DatabaseDefinition("icu", "C.utf8", "C.utf8", "en", null, "placed"), backup.Manifest.Definition);

            await using var target = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 15 });
            var options = new LogicalRestoreOptions
            {
                Target = LogicalFixture.Settings(target, "postgres"),
                SnapshotId = backup.Snapshot.ShortId,
                CreateDatabase = "localed",
            };
            // Without the tablespace on the target the restore stops before creating anything and says how to go on.
            var missing = await Assert.ThrowsAsync<LogicalException>(() => LogicalRestore.RunAsync(_fixture.Repository, options));
            Assert.Contains("tablespace placed is not on the target server", missing.Message);
            Assert.Contains("--no-tablespaces", missing.Message);

            await LogicalRestore.RunAsync(_fixture.Repository, options with
            {
                Globals = true,
                TablespaceMapping = new Dictionary<string, string> { [location] = mapped },
            });
            // pg_dump --create prints the database's locale and tablespace, and a SET default_tablespace before each object.
            var restored = await LogicalFixture.PgDumpWithDatabaseAsync(target, "localed", "localed");
            Assert.Equal(await LogicalFixture.PgDumpWithDatabaseAsync(source, "localed", "localed"), restored);
            Assert.Contains(restored, line => line.Contains("LOCALE_PROVIDER = icu", StringComparison.Ordinal) &&
                line.Contains("TABLESPACE = placed", StringComparison.Ordinal));
            Assert.Contains("SET default_tablespace = pg_default;", restored);

            // --no-tablespaces: everything in the target's default tablespace, the locale kept.
            await LogicalRestore.RunAsync(_fixture.Repository, options with { CreateDatabase = "flat", NoTablespaces = true });
            Assert.Equal("pg_default i", await target.ScalarAsync<string>("SELECT t.spcname || ' ' || d.datlocprovider::text FROM pg_database d " +
                "JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = 'flat'"));
            Assert.Equal(0L, await target.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE reltablespace <> 0 AND relnamespace = 'public'::regnamespace",
                "flat"));

            // Into an existing database whose default is pg_default: what the source named pg_default, the partitioned table too, is
            // created there without naming it (PostgreSQL refuses to name a database's own default tablespace for a partitioned
            // relation, so naming it would fail the restore).
            await target.ExecuteAsync("CREATE DATABASE existing");
            await LogicalRestore.RunAsync(_fixture.Repository, options with { Target = LogicalFixture.Settings(target, "existing"), CreateDatabase = null });
            Assert.Equal(1L, await target.ScalarAsync<long>("SELECT count(*) FROM part", "existing"));
        }
        finally
        {
            await source.ExecuteAsync("DROP DATABASE localed");
            await source.ExecuteAsync("DROP TABLESPACE placed");
        }
    }

    [Fact]
    public async Task Without_superuser_the_roles_come_without_passwords_and_a_warning()
    {
        var cluster = _fixture.Cluster;
        await cluster.ExecuteAsync("CREATE DATABASE plain");
        await cluster.ExecuteAsync("CREATE TABLE t (id int); INSERT INTO t VALUES (1)", "plain");
        await cluster.ExecuteAsync("CREATE ROLE reader LOGIN");
        await cluster.ExecuteAsync("GRANT SELECT ON t TO reader", "plain");

        var backup = await LogicalBackup.RunAsync(_fixture.Repository, new LogicalBackupOptions
        {
            Source = LogicalFixture.Settings(cluster, "plain") with { User = "reader" },
            Globals = true,
            RolePasswords = true,
        });

        string warning = Assert.Single(backup.Warnings);
        Assert.StartsWith("role passwords were not backed up: reading pg_authid needs a superuser", warning);
        var (_, objects) = await LogicalRestore.ListGlobalsAsync(_fixture.Repository, backup.Snapshot.ShortId);
        var login = objects.Single(o => o.Kind == "role attributes" && o.Name == "Login User");
        Assert.Equal("ALTER ROLE \"Login User\" WITH NOSUPERUSER INHERIT NOCREATEROLE CREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 " +
            "VALID UNTIL '2030-01-01 00:00:00+00'", login.Sql);
    }

    private static string NewDirectory(LocalCluster cluster)
    {
        string path = Directory.CreateTempSubdirectory("pgark-logical-ts-").FullName;
        if (Os.IsRoot)
            Os.Run("chown", cluster.ServerUser, path);
        return path;
    }

    private static async Task<string[]> PgDumpAllGlobalsAsync(LocalCluster cluster)
    {
        var start = new ProcessStartInfo(Path.Combine(cluster.Installation.BinDirectory, "pg_dumpall"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "--globals-only", "-d", cluster.ConnInfo("postgres") })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg_dumpall failed: {error}");
        return (await output).Split('\n').Where(line => line.Length > 0 && !line.StartsWith("--", StringComparison.Ordinal)
            && !line.StartsWith("\\restrict ", StringComparison.Ordinal) && !line.StartsWith("\\unrestrict ", StringComparison.Ordinal)).ToArray();
    }
}
