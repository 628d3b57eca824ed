using System.Text.RegularExpressions;
using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Logical;
using Pgark.Logical.Restore;

namespace Pgark.IntegrationTests.Logical;

/// <summary>
/// The every-kind database of <see cref="LogicalFixture"/> (PostgreSQL 15), with its roles (--globals), restores onto 16,
/// 17 and 18 with every row verified. The oracle is sql/fingerprint.sql, run on both servers: no pg_dump of 16 to 18 is
/// installed (the npm builds the tests use ship only initdb, pg_ctl and postgres), and pg_dump 15 refuses newer servers.
/// The fingerprint describes every object with the server's own functions, so the facts differ only where the newer
/// server itself describes the same definition differently; <see cref="Normalize"/> lists each such difference.
/// </summary>
public sealed class LogicalCrossMajorTests(LogicalFixture fixture) : IClassFixture<LogicalFixture>
{
    private readonly LogicalFixture _fixture = fixture;

    [PgMajorFact(16)]
    public Task The_every_kind_database_from_15_restores_onto_16() => RoundTripAsync(16);

    [PgMajorFact(17)]
    public Task The_every_kind_database_from_15_restores_onto_17() => RoundTripAsync(17);

    [PgMajorFact(18)]
    public Task The_every_kind_database_from_15_restores_onto_18() => RoundTripAsync(18);

    private async Task RoundTripAsync(int major)
    {
        var backup = await LogicalBackup.RunAsync(_fixture.Repository, new LogicalBackupOptions
        {
            Source = LogicalFixture.Settings(_fixture.Cluster, "source"),
            Globals = true,
            RolePasswords = true,
        });
        await using var target = await LocalCluster.StartAsync(new LocalClusterOptions { Major = major });

        var result = await LogicalRestore.RunAsync(_fixture.Repository, new LogicalRestoreOptions
        {
            Target = LogicalFixture.Settings(target, "postgres"),
            SnapshotId = backup.Snapshot.ShortId,
            CreateDatabase = "source",
            Globals = true,
            Jobs = 2,
            ReadBack = true,
        });

        // Every table checked as it loaded, then read back on the newer server with the rows and row-set digests recorded on 15.
        Assert.Equal(backup.Manifest.Tables.Count, result.TablesVerified);
        Assert.Equal(backup.Manifest.Tables.Count, result.TablesReadBack);
        Assert.Equal(3, result.LargeObjectsLoaded);
        Assert.StartsWith(major + ".", await target.ScalarAsync<string>("SHOW server_version", "source"));
        string fingerprint = await LogicalFixture.SqlFileAsync("fingerprint.sql");
        var expected = Normalize(await FactsAsync(_fixture.Cluster, fingerprint), major);
        var actual = await FactsAsync(target, fingerprint);
        Assert.True(expected.Count > 450, $"only {expected.Count} facts");
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// The 15 server's facts as the newer server states the same definitions. Each rule is a difference in what the server
    /// prints (pg_dump of that major prints the same), not in what pgark restored:
    /// <list type="bullet">
    /// <item>16 and later deparse a view over a single relation without an alias with bare column names, where 15 qualifies
    /// each with the relation's name (<c>orders.amount</c> becomes <c>amount</c>); views over joins print the same.</item>
    /// </list>
    /// </summary>
    private static List<string> Normalize(List<string> facts, int major) =>
        major < 16 ? facts : facts.Select(UnqualifySingleRelationView).ToList();

    private static readonly Regex s_singleRelation = new(@"\n\s+FROM \w+\.(\w+)(?:;|\n|$)", RegexOptions.CultureInvariant);

    private static string UnqualifySingleRelationView(string fact)
    {
        Match from;
        if (!fact.Contains(" view  SELECT", StringComparison.Ordinal) || !(from = s_singleRelation.Match(fact)).Success)
            return fact;
        return Regex.Replace(fact, $@"(?<![\w.]){Regex.Escape(from.Groups[1].Value)}\.(?=\w)", "", RegexOptions.CultureInvariant);
    }

    private static async Task<List<string>> FactsAsync(LocalCluster cluster, string sql)
    {
        await using var connection = new NpgsqlConnection(cluster.NpgsqlConnectionString("source"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var facts = new List<string>();
        while (await reader.ReadAsync())
            facts.Add(reader.GetString(0));
        return facts;
    }
}
