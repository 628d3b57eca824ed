using System.Globalization;

namespace Pgark.Wal;

/// <summary>
/// Which cluster's WAL a command reads when a repository may hold several (repository-format.md §8.2): the one asked for,
/// or, when none is, the only one the archive holds. System identifiers are written as PostgreSQL prints them (decimal:
/// pg_controldata, IDENTIFY_SYSTEM) or as pgark names their WAL directories (16 hex digits).
/// </summary>
public static class WalClusters
{
    /// <summary>
    /// Parses a system identifier: exactly 16 hex digits (a WAL directory's name, any case) or <c>0x</c> and hex digits are
    /// hexadecimal; otherwise decimal digits. Real identifiers have 19 or 20 decimal digits, so the two never collide in practice.
    /// </summary>
    public static bool TryParse(string? text, out ulong systemIdentifier)
    {
        systemIdentifier = 0;
        if (string.IsNullOrEmpty(text))
            return false;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return text.Length > 2 && IsHex(text.AsSpan(2)) && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out systemIdentifier);
        if (text.Length == 16 && IsHex(text))
            return ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out systemIdentifier);
        return text.All(char.IsAsciiDigit) && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out systemIdentifier);
    }

    private static bool IsHex(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(s_hex);

    private static readonly System.Buffers.SearchValues<char> s_hex = System.Buffers.SearchValues.Create("0123456789ABCDEFabcdef");

    /// <summary>The 16-hex-digit form pgark names a cluster's WAL directory with.</summary>
    public static string Hex(ulong systemIdentifier) => systemIdentifier.ToString("X16", CultureInfo.InvariantCulture);

    /// <summary>
    /// The cluster to read: <paramref name="asked"/> when given; else the one cluster the archive holds WAL of; null when it
    /// holds none. Several and none asked: <see cref="WalClusterChoiceException"/> naming them.
    /// </summary>
    public static async Task<ulong?> ResolveAsync(Repository.Repository repository, ulong? asked, CancellationToken cancellationToken = default)
    {
        if (asked is { } given)
            return given;
        IReadOnlyList<ulong> clusters = await repository.Wal.ListClustersAsync(cancellationToken).ConfigureAwait(false);
        return clusters.Count switch
        {
            0 => null,
            1 => clusters[0],
            _ => throw new WalClusterChoiceException(clusters),
        };
    }

    /// <summary>
    /// A store for the cluster <see cref="ResolveAsync"/> picks; for an archive with no WAL at all, a store of
    /// <paramref name="asked"/> or of cluster 0, which lists nothing (so "not in the archive" stays that, not an error).
    /// </summary>
    public static async Task<WalStore> OpenAsync(Repository.Repository repository, ulong? asked, CancellationToken cancellationToken = default)
        => new(repository, await ResolveAsync(repository, asked, cancellationToken).ConfigureAwait(false) ?? 0);
}

/// <summary>The repository holds WAL of several clusters and the command was not told which one to read.</summary>
public sealed class WalClusterChoiceException(IReadOnlyList<ulong> clusters, string holds = "WAL")
    : Exception($"the repository holds {holds} of {clusters.Count} clusters: "
        + string.Join(", ", clusters.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c} ({WalClusters.Hex(c)})"))))
{
    public IReadOnlyList<ulong> Clusters { get; } = clusters;

    public string Hint => "pass --system-id with the cluster's system identifier (pg_controldata's \"Database system identifier\", "
        + "decimal, or its 16 hex digits as above)";
}
