using System.Globalization;
using Pgark.Repository;
using Pgark.Repository.Chunking;
using Pgark.Repository.Snapshots;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Logical;

// Large objects: each one's bytes, read in the snapshot, cut by the same chunker into a data object lo/<oid>.
public static partial class LogicalBackup
{
    private static async Task<List<(LargeObjectData Object, List<ChunkRef> Chunks)>> CopyLargeObjectsAsync(PgConnection connection,
        LogicalBackupOptions options, BackupSession session, CancellationToken cancellationToken)
    {
        var copied = new List<(LargeObjectData, List<ChunkRef>)>();
        var chunker = new FastCdc(options.Chunking ?? session.Settings.Chunking);
        var oids = await Schema.CatalogRows.ReadAsync(connection, "SELECT m.oid FROM pg_catalog.pg_largeobject_metadata m ORDER BY m.oid",
            cancellationToken).ConfigureAwait(false);
        foreach (var row in oids)
        {
            long oid = long.Parse(row[0]!, CultureInfo.InvariantCulture);
            var chunks = new List<ChunkRef>();
            try
            {
                await using var stream = new LargeObjectStream(connection, oid);
                using var cutter = new StreamChunker(stream, chunker);
                while (true)
                {
                    ReadOnlyMemory<byte> chunk = await cutter.ReadChunkAsync(cancellationToken).ConfigureAwait(false);
                    if (chunk.IsEmpty)
                        break;
                    chunks.Add(await session.AddChunkAsync(chunk, cancellationToken: cancellationToken).ConfigureAwait(false));
                }
                copied.Add((new LargeObjectData(oid, SqlText.LargeObjectPath(oid), stream.Bytes, stream.ChecksumHex()), chunks));
            }
            catch (PgServerException e)
            {
                throw new LogicalException($"reading large object {oid} failed: {e.Message}; hint: the role needs SELECT on every large object " +
                    "(or lo_compat_privileges)", $"large object {oid}", e);
            }
        }
        return copied;
    }
}
