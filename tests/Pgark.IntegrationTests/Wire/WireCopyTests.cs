using System.Text;
using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wire.Connection;
using Pgark.Wire.Copy;

namespace Pgark.IntegrationTests.Wire;

/// <summary>COPY OUT and COPY IN through pgark's wire layer, compared byte for byte with Npgsql's.</summary>
public sealed class WireCopyTests(WireCopyTests.CopyFixture fixture) : IClassFixture<WireCopyTests.CopyFixture>
{
    private const int Rows = 20_000;
    private readonly LocalCluster _cluster = fixture.Cluster;

    /// <summary>A cluster holding a generated table with awkward text (tabs, newlines, backslashes, NULLs, non-ASCII).</summary>
    public sealed class CopyFixture : ClusterFixture
    {
        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await Cluster.ExecuteAsync($"""
                CREATE TABLE copy_source AS
                SELECT g AS id,
                       md5(g::text) AS hash,
                       CASE WHEN g % 7 = 0 THEN NULL ELSE E'tab\there\nnewline\\back ' || g END AS awkward,
                       'żółw ☃ ' || repeat('x', g % 50) AS unicode,
                       (g * 1.5)::numeric AS amount,
                       '2024-01-01'::date + g AS day
                FROM generate_series(1, {Rows}) g
                """);
        }
    }

    [Theory]
    [InlineData("COPY copy_source TO STDOUT")]
    [InlineData("COPY copy_source TO STDOUT (FORMAT csv, HEADER)")]
    [InlineData("COPY copy_source TO STDOUT (FORMAT binary)")]
    [InlineData("COPY (SELECT * FROM copy_source WHERE id % 3 = 0 ORDER BY id DESC) TO STDOUT")]
    public async Task Copy_out_returns_exactly_what_npgsql_receives(string copy)
    {
        byte[] expected = await NpgsqlCopyOutAsync(copy);

        await using PgConnection connection = await _cluster.OpenWireAsync();
        (byte[] actual, string? tag) = await WireCopyOutAsync(connection, copy);

        Assert.True(expected.Length > 100_000, "the table should span many CopyData messages");
        Assert.Equal(expected, actual);
        Assert.Equal($"COPY {await _cluster.ScalarAsync<long>($"SELECT count(*) FROM ({CopyQuery(copy)}) q")}", tag);
        Assert.Equal("1", (await connection.QueryTextAsync("SELECT 1")).Scalar); // usable afterwards
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("", 8191)]
    [InlineData(" (FORMAT binary)", 65536)]
    public async Task Copy_in_round_trips_the_rows_in_any_split(string format, int chunk)
    {
        string target = $"copy_target_{chunk}_{(format.Length > 0 ? "binary" : "text")}";
        await _cluster.ExecuteAsync($"DROP TABLE IF EXISTS {target}; CREATE TABLE {target} (LIKE copy_source)");
        byte[] data = await NpgsqlCopyOutAsync($"COPY copy_source TO STDOUT{format}");

        await using PgConnection connection = await _cluster.OpenWireAsync();
        await using (PgCopyInWriter writer = await connection.CopyInAsync($"COPY {target} FROM STDIN{format}"))
        {
            for (int offset = 0; offset < data.Length; offset += chunk)
            {
                await writer.WriteAsync(data.AsMemory(offset, Math.Min(chunk, data.Length - offset)));
            }
            Assert.Equal($"COPY {Rows}", await writer.CompleteAsync());
        }

        Assert.Equal(0L, await _cluster.ScalarAsync<long>(
            $"SELECT count(*) FROM ((TABLE copy_source EXCEPT ALL TABLE {target}) UNION ALL (TABLE {target} EXCEPT ALL TABLE copy_source)) d"));
        Assert.Equal((long)Rows, await _cluster.ScalarAsync<long>($"SELECT count(*) FROM {target}"));
    }

    [Fact]
    public async Task Copy_in_that_fails_commits_nothing_and_leaves_the_connection_usable()
    {
        await _cluster.ExecuteAsync("DROP TABLE IF EXISTS copy_failed; CREATE TABLE copy_failed (LIKE copy_source)");
        await using PgConnection connection = await _cluster.OpenWireAsync();

        await using (PgCopyInWriter writer = await connection.CopyInAsync("COPY copy_failed FROM STDIN"))
        {
            await writer.WriteAsync(Encoding.UTF8.GetBytes("1\tabc\t\\N\tu\t1.5\t2024-01-02\n"));
            await writer.FailAsync("the test changed its mind");
        }

        Assert.Equal(0L, await _cluster.ScalarAsync<long>("SELECT count(*) FROM copy_failed"));
        Assert.Equal("1", (await connection.QueryTextAsync("SELECT 1")).Scalar);
    }

    /// <summary>The query a COPY ... TO STDOUT reads: "TABLE t" or the parenthesized SELECT.</summary>
    private static string CopyQuery(string copy) => copy.StartsWith("COPY (", StringComparison.Ordinal)
        ? copy[6..copy.LastIndexOf(") TO", StringComparison.Ordinal)]
        : "TABLE " + copy.Split(' ')[1];

    private async Task<byte[]> NpgsqlCopyOutAsync(string copy)
    {
        await using var connection = new NpgsqlConnection(_cluster.NpgsqlConnectionString());
        await connection.OpenAsync();
        if (copy.Contains("binary", StringComparison.Ordinal))
        {
            await using Stream raw = await connection.BeginRawBinaryCopyAsync(copy);
            var buffer = new MemoryStream();
            await raw.CopyToAsync(buffer);
            return buffer.ToArray();
        }
        using TextReader text = await connection.BeginTextExportAsync(copy);
        return Encoding.UTF8.GetBytes(await text.ReadToEndAsync());
    }

    private static async Task<(byte[] Data, string? Tag)> WireCopyOutAsync(PgConnection connection, string copy)
    {
        var buffer = new MemoryStream();
        await using PgQueryReader reader = await connection.CopyOutAsync(copy);
        while (await reader.ReadCopyDataAsync())
        {
            foreach (ReadOnlyMemory<byte> segment in reader.CopyData)
            {
                buffer.Write(segment.Span);
            }
        }
        return (buffer.ToArray(), reader.CommandTag);
    }
}
