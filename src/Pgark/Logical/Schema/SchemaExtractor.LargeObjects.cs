namespace Pgark.Logical.Schema;

// Large objects: lo_create(oid) in pre-data, so their owner, privileges and comments can follow; the bytes are data objects.
internal sealed partial class SchemaExtractor
{
    /// <summary>
    /// The "table" of large objects and of their owners, privileges and comments, so a --table restore leaves them out like
    /// their data; never a real table's name, which is always schema-qualified.
    /// </summary>
    public const string LargeObjectsTable = "(large objects)";

    private async Task ReadLargeObjectsAsync(CancellationToken cancellationToken)
    {
        foreach (var row in await RowsAsync("SELECT m.oid FROM pg_catalog.pg_largeobject_metadata m ORDER BY m.oid", cancellationToken)
            .ConfigureAwait(false))
        {
            Add("l" + row[0], RankLargeObject, row[0], new SchemaObject("large object", "", row[0]!, SchemaSection.PreData,
                $"SELECT pg_catalog.lo_create('{row[0]}')", LargeObjectsTable));
        }
    }
}
