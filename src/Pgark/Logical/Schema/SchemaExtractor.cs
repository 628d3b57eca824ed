using System.Globalization;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Schema;

/// <summary>
/// Reads a database's definitions from the catalogs (through the backup's snapshot) and returns them in restore order:
/// each kind has a rank (schemas, extensions, types, functions, sequences, tables, views ... then constraints, indexes,
/// triggers, rules, policies), and pg_depend edges between extracted objects override the rank, so a composite type
/// using a domain, a view over another view or a function over a table each come after what they need.
/// </summary>
internal sealed partial class SchemaExtractor
{
    private readonly PgConnection _connection;
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private int _version;

    private SchemaExtractor(PgConnection connection) => _connection = connection;

    /// <summary>A definition with its ordering data: catalog key ("c16384" for pg_class 16384), rank and extra edges.</summary>
    private sealed class Entry(string key, int rank, long oid, SchemaObject definition)
    {
        public string Key { get; } = key;
        public int Rank { get; set; } = rank;
        public long Oid { get; } = oid;
        /// <summary>Replaced (with another section) when a view must wait for a constraint.</summary>
        public SchemaObject Object { get; set; } = definition;
        public List<string> Needs { get; } = [];
    }

    // Ranks: the order of kinds when pg_depend says nothing.
    private const int RankSchema = 0, RankExtension = 1, RankType = 2, RankFunction = 4, RankAggregate = 4, RankOperator = 4, RankTextSearch = 4, RankForeign = 4, RankCast = 5, RankSequence = 5, RankTable = 6,
        RankView = 7, RankSequenceOwner = 8, RankTableExtra = 9, RankLargeObject = 9, RankComment = 10, RankOwner = 11, RankAcl = 12;
    private const int RankKey = 20, RankIndex = 21, RankForeignKey = 22, RankTrigger = 23, RankRule = 24, RankPolicy = 25,
        RankPostView = 26, RankStatistics = 27, RankPublication = 28, RankRefresh = 30, RankEventTrigger = 45, RankPostComment = 40, RankPostOwner = 41, RankPostAcl = 42, RankDefaultPrivileges = 50;

    public static async Task<IReadOnlyList<SchemaObject>> ExtractAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        var extractor = new SchemaExtractor(connection);
        extractor._version = int.Parse((await connection.QueryTextAsync("SELECT pg_catalog.current_setting('server_version_num')", cancellationToken)
            .ConfigureAwait(false)).Scalar!, CultureInfo.InvariantCulture);
        await extractor.ReadSchemasAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadCollationsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadTypesAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadFunctionsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadAggregatesAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadCastsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadOperatorsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadOperatorClassesAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadTextSearchAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadForeignDataAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadSequencesAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadTablesAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadViewsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadConstraintsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadIndexesAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadTriggersAndRulesAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadPoliciesAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadLargeObjectsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadStatisticsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadPublicationsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadEventTriggersAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var edges = await extractor.ReadDependenciesAsync(cancellationToken).ConfigureAwait(false);
        extractor.PostponeDependents(edges);
        await extractor.ReadCommentsAsync(cancellationToken).ConfigureAwait(false);
        await extractor.ReadOwnershipAndPrivilegesAsync(cancellationToken).ConfigureAwait(false);
        return DependencyOrder.Sort(extractor._entries.Select(e => new DependencyOrder.Node(e.Key, e.Rank, e.Oid, e.Object, e.Needs)).ToList(),
            edges, extractor._aliases);
    }

    private Task<List<string?[]>> RowsAsync(string sql, CancellationToken cancellationToken) =>
        CatalogRows.ReadAsync(_connection, sql, cancellationToken);

    private Entry Add(string key, int rank, string? oid, SchemaObject definition)
    {
        var entry = new Entry(key, rank, oid is null ? 0 : long.Parse(oid, CultureInfo.InvariantCulture), definition);
        _entries.Add(entry);
        return entry;
    }

    private async Task ReadSchemasAsync(CancellationToken cancellationToken)
    {
        // public exists in every new database; recreating it would fail, and its definition never differs in a way we keep.
        foreach (var row in await RowsAsync(
            "SELECT n.oid, n.nspname, pg_catalog.format('CREATE SCHEMA %I', n.nspname) FROM pg_catalog.pg_namespace n " +
            $"WHERE {CatalogRows.UserSchema("n")} AND n.nspname <> 'public' AND {CatalogRows.NotExtensionMember("pg_namespace", "n.oid")} " +
            "ORDER BY n.oid", cancellationToken).ConfigureAwait(false))
        {
            Add("n" + row[0], RankSchema, row[0], new SchemaObject("schema", "", row[1]!, SchemaSection.PreData, row[2]!));
        }
        foreach (var row in await RowsAsync(
            "SELECT x.oid, x.extname, pg_catalog.format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I', x.extname, n.nspname) " +
            "FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace WHERE x.extname <> 'plpgsql' ORDER BY x.oid",
            cancellationToken).ConfigureAwait(false))
        {
            Add("x" + row[0], RankExtension, row[0], new SchemaObject("extension", "", row[1]!, SchemaSection.PreData, row[2]!));
        }
    }
}
