using Pgark.Logical.Schema;

namespace Pgark.Logical.Restore;

/// <summary>
/// The tables a restore is limited to (<c>--table</c>). With a selection, objects tied to other tables are left out
/// (views included: they are tied to themselves), a foreign key only comes when the table it references is selected
/// too, and everything not tied to a table (schemas, types, functions) is restored so the selected tables can exist.
/// </summary>
internal sealed class TableSelection
{
    private readonly HashSet<string>? _tables;

    private TableSelection(HashSet<string>? tables) => _tables = tables;

    public static TableSelection Resolve(LogicalManifest manifest, IReadOnlyList<string> names, string snapshotId)
    {
        if (names.Count == 0)
            return new TableSelection(null);
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            var matches = manifest.Tables.Where(t => Matches(t, name)).ToList();
            if (matches.Count == 0)
            {
                throw new LogicalException($"table \"{name}\" is not in backup {snapshotId}; " +
                    $"hint: pgark ls --backup {snapshotId} lists its {manifest.Tables.Count} tables (name them as schema.table)", $"table {name}");
            }
            if (matches.Count > 1)
            {
                throw new LogicalException($"table \"{name}\" is ambiguous in backup {snapshotId}: " +
                    $"{string.Join(", ", matches.Select(m => m.Schema + "." + m.Name))}; hint: name it as schema.table", $"table {name}");
            }
            selected.Add(matches[0].QualifiedName);
        }
        return new TableSelection(selected);
    }

    /// <summary>"schema.table" (unquoted, exact), the server-quoted form, or a bare table name.</summary>
    private static bool Matches(TableData table, string name) =>
        name == table.Schema + "." + table.Name || name == table.QualifiedName || (!name.Contains('.', StringComparison.Ordinal) && name == table.Name);

    public bool Includes(string qualifiedTable) => _tables is null || _tables.Contains(qualifiedTable);

    public bool Includes(SchemaObject item)
    {
        if (_tables is null)
            return true;
        if (item.Table is null)
            return true;
        return _tables.Contains(item.Table) && (item.References is null || _tables.Contains(item.References));
    }
}
