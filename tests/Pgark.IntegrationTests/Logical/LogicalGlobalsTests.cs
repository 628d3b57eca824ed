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
