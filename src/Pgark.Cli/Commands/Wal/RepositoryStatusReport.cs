using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Cli.Commands.Wal;

/// <summary>
/// <c>pgark status</c> over every cluster whose WAL the repository holds (repository-format.md §8.2): one
/// <see cref="StatusReport"/> per cluster, the server's cluster (with --db) or else the first one in <see cref="Focus"/>.
/// </summary>
internal sealed record RepositoryStatusReport(StatusReport Focus, IReadOnlyList<StatusReport> Clusters)
{
    public static async Task<RepositoryStatusReport> ComputeAsync(Repository.Repository repository, IdentifySystemResult? server, DateTimeOffset now,
        RpoLimit? limit, CancellationToken cancellationToken)
    {
        var systems = new SortedSet<ulong>(await repository.Wal.ListClustersAsync(cancellationToken).ConfigureAwait(false));
        // The server's cluster is reported even when the archive holds none of its WAL: that is the worst RPO there is.
        if (server is not null)
            systems.Add(server.SystemId);
        var reports = new List<StatusReport>();
        foreach (ulong system in systems.DefaultIfEmpty(0UL))
        {
            WalArchiveStatus archive = await WalArchiveStatus.ComputeAsync(new WalStore(repository, system), cancellationToken).ConfigureAwait(false);
            reports.Add(StatusReport.From(archive, server?.SystemId == system ? server : null, now, limit));
        }
        StatusReport focus = server is null ? reports[0] : reports[systems.ToList().IndexOf(server.SystemId)];
        return new RepositoryStatusReport(focus, reports);
    }

    /// <summary>Every cluster without a gap and with WAL, and the server's within --max-rpo.</summary>
    public bool Healthy => Clusters.All(c => c.Healthy);

    public void WriteText(TextWriter output)
    {
        if (Clusters.Count == 1)
        {
            Focus.WriteText(output);
            return;
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"clusters:        {Clusters.Count}"));
        foreach (StatusReport cluster in Clusters)
        {
            output.WriteLine();
            cluster.WriteText(output);
        }
    }

    /// <summary>The focus cluster's members at the top (the single-cluster shape), then <c>clusters</c>: each cluster's, and <c>healthy</c> over all.</summary>
    public void WriteJson(TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            Focus.WriteJsonMembers(json);
            json.WriteStartArray("clusters");
            foreach (StatusReport cluster in Clusters)
            {
                json.WriteStartObject();
                cluster.WriteJsonMembers(json);
                json.WriteBoolean("healthy", cluster.Healthy);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteBoolean("healthy", Healthy);
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
