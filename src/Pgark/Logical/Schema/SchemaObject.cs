namespace Pgark.Logical.Schema;

/// <summary>Where an object is restored: before the table data, or after it (spec/logical-format.md §4).</summary>
public enum SchemaSection { PreData, PostData }

/// <summary>
/// One restorable definition: a single SQL statement with the names it belongs to. <see cref="Table"/> ties it to a
/// table (for <c>--table</c> selection); <see cref="References"/> is the other table a foreign key needs.
/// <see cref="Tablespace"/> is the tablespace the relation (table, materialized view, index, or a key constraint's index) lives
/// in when it is not the database's default; the restore creates it there unless told to leave tablespaces out.
/// </summary>
public sealed record SchemaObject(
    string Kind,
    string Schema,
    string Name,
    SchemaSection Section,
    string Sql,
    string? Table = null,
    string? References = null,
    string? Tablespace = null)
{
    /// <summary>"table public.orders", the way errors name the object.</summary>
    public string Describe() => Schema.Length == 0 ? $"{Kind} {Name}" : $"{Kind} {Schema}.{Name}";
}
