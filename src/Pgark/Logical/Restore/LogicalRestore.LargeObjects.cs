using Pgark.Repository.Codecs;
using Pgark.Repository.Snapshots;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Restore;

// Large objects: each one's bytes written with lo_put in one transaction that commits only when the stored bytes match the
// recorded length and BLAKE3; then, with verification, each is read back and compared.
public static partial class LogicalRestore
{
    private static async Task<int> LoadLargeObjectsAsync(Repository.Repository repository, Dictionary<string, TreeFile> files,
        ConnectionSettings target, IReadOnlyList<LargeObjectData> objects, int jobs, bool verify, CancellationToken cancellationToken)
    {
        int loaded = 0;
        await ForEachParallelAsync(target, objects, jobs, async (connection, large) =>
        {
            TreeFile file = files.GetValueOrDefault(large.Path) ?? throw new LogicalException(
                $"the snapshot has no data object {large.Path} for large object {large.Oid}; hint: run pgark check", $"large object {large.Oid}");
            try
            {
                await LoadLargeObjectAsync(repository, connection, large, file, cancellationToken).ConfigureAwait(false);
                if (verify)
                    await VerifyLargeObjectAsync(connection, large, cancellationToken).ConfigureAwait(false);
            }
            catch (PgServerException e)
            {
                throw new LogicalException($"restoring large object {large.Oid} failed: {e.Message}", $"large object {large.Oid}", e);
            }
            Interlocked.Increment(ref loaded);
        }, cancellationToken).ConfigureAwait(false);
        return loaded;
    }

    private static async Task LoadLargeObjectAsync(Repository.Repository repository, PgConnection connection, LargeObjectData large, TreeFile file,
        CancellationToken cancellationToken)
    {
        string oid = large.Oid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Pre-data created it; a data-only restore into an existing schema may not have it yet.
        await connection.ExecuteAsync($"BEGIN; SELECT pg_catalog.lo_create({oid}) WHERE NOT EXISTS " +
            $"(SELECT 1 FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid = {oid})", cancellationToken).ConfigureAwait(false);
        var hasher = new Blake3Hasher();
        long offset = 0;
        foreach (var chunk in file.Chunks)
        {
            byte[] data = await repository.ReadChunkAsync(chunk.Id, cancellationToken).ConfigureAwait(false);
            hasher.Update(data);
            for (int start = 0; start < data.Length; start += LargeObjectStream.DefaultPieceSize)
            {
                int length = Math.Min(LargeObjectStream.DefaultPieceSize, data.Length - start);
                string hex = Convert.ToHexString(data, start, length);
                await connection.ExecuteAsync(FormattableString.Invariant($"SELECT pg_catalog.lo_put({oid}, {offset}, '\\x{hex}')"),
                    cancellationToken).ConfigureAwait(false);
                offset += length;
            }
        }
        string checksum = Hex(hasher);
        if (offset != large.Bytes || checksum != large.Blake3)
        {
            await connection.ExecuteAsync("ROLLBACK", cancellationToken).ConfigureAwait(false);
            throw new LogicalException($"large object {oid}: the stored data has {offset} bytes and BLAKE3 {checksum}, but the backup recorded " +
                $"{large.Bytes} bytes and {large.Blake3}; hint: run pgark check --read-data", $"large object {oid}");
        }
        await connection.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
    }

    private static async Task VerifyLargeObjectAsync(PgConnection connection, LargeObjectData large, CancellationToken cancellationToken)
    {
        await using var stream = new LargeObjectStream(connection, large.Oid);
        byte[] sink = new byte[64 << 10];
        while (await stream.ReadAsync(sink, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
        string checksum = stream.ChecksumHex();
        if (stream.Bytes != large.Bytes || checksum != large.Blake3)
        {
            throw new LogicalException($"large object {large.Oid} reads back {stream.Bytes} bytes with BLAKE3 {checksum}, but the backup recorded " +
                $"{large.Bytes} bytes and {large.Blake3}", $"large object {large.Oid}");
        }
    }
}
