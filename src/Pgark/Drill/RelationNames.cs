using System.Globalization;
using System.Text.RegularExpressions;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Drill;

/// <summary>
/// Names the table a damaged data-directory file belongs to: the path gives tablespace, database and relfilenode
/// (relpath.c's layout), pg_filenode_relation() the relation, and an index or TOAST table is followed to its table.
/// Files that are not relation files (pg_control, pg_xact/…) or whose database cannot be read stay unnamed.
/// </summary>
internal static partial class RelationNames
{
    private const uint GlobalTablespace = 1664; // pg_global

    [GeneratedRegex(@"^(?:global|base/(?<db>[0-9]+)|pg_tblspc/(?<spc>[0-9]+)/[^/]+/(?<db>[0-9]+))/(?<node>[0-9]+)(?<fork>_fsm|_vm|_init)?(?:\.[0-9]+)?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex RelationPath();

    public static async Task<IReadOnlyList<DamagedRelation>> ResolveAsync(ScratchServer server, IReadOnlyList<DamagedRelation> damaged,
        CancellationToken cancellationToken)
    {
        if (damaged.Count == 0)
            return damaged;
        var databases = (await server.DatabasesAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.Oid, d => d.Name);
        var named = new List<DamagedRelation>(damaged.Count);
        foreach (DamagedRelation file in damaged)
            named.Add(await ResolveAsync(server, databases, file, cancellationToken).ConfigureAwait(false));
        return named;
    }

    private static async Task<DamagedRelation> ResolveAsync(ScratchServer server, Dictionary<string, string> databases, DamagedRelation file,
        CancellationToken cancellationToken)
    {
        Match match = RelationPath().Match(file.Path);
        if (!match.Success)
            return file;
        bool shared = file.Path.StartsWith("global/", StringComparison.Ordinal);
        string? database = shared ? "postgres" : databases.GetValueOrDefault(match.Groups["db"].Value);
        if (database is null)
            return file;
        uint tablespace = shared ? GlobalTablespace : match.Groups["spc"].Success ? uint.Parse(match.Groups["spc"].Value, CultureInfo.InvariantCulture) : 0;
        try
        {
            await using PgConnection connection = await server.OpenAsync(database, cancellationToken).ConfigureAwait(false);
            var chain = await FollowAsync(connection, $"pg_catalog.pg_filenode_relation({tablespace}, {match.Groups["node"].Value})",
                cancellationToken).ConfigureAwait(false);
            if (chain.Count == 0)
                return file;
            string table = chain[^1].Name;
            var details = new List<string>();
            if (chain.Count > 1)
                details.Add($"{KindWord(chain[0].Kind)} {chain[0].Name}");
            if (match.Groups["fork"].Success)
                details.Add(match.Groups["fork"].Value.TrimStart('_') + " fork");
            string relation = $"{database}: {table}" + (details.Count > 0 ? $" ({string.Join(", ", details)})" : "");
            return file with { Database = database, Table = table, Relation = relation };
        }
        catch (Exception e) when (e is PgServerException or PgConnectionException)
        {
            return file;
        }
    }

    /// <summary>The relation, then its owner (index → table, TOAST table → table), at most three steps.</summary>
    private static async Task<List<(string Kind, string Name)>> FollowAsync(PgConnection connection, string oidExpression,
        CancellationToken cancellationToken)
    {
        var chain = new List<(string, string)>();
        for (int step = 0; step < 3 && oidExpression.Length > 0; step++)
        {
            var rows = (await connection.QueryTextAsync($"""
                SELECT c.relkind, pg_catalog.format('%I.%I', n.nspname, c.relname),
                  COALESCE((SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = c.oid),
                           (SELECT t.oid FROM pg_catalog.pg_class t WHERE t.reltoastrelid = c.oid))::text
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.oid = {oidExpression}
                """, cancellationToken).ConfigureAwait(false)).Rows;
            if (rows.Count == 0)
                break;
            chain.Add((rows[0][0]!, rows[0][1]!));
            oidExpression = rows[0][2] is { } owner ? owner : "";
        }
        return chain;
    }

    private static string KindWord(string relkind) => relkind switch
    {
        "i" => "index",
        "t" => "TOAST table",
        "m" => "materialized view",
        "S" => "sequence",
        _ => "relation",
    };
}
