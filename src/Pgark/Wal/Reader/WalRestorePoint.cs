using System.Buffers.Binary;
using System.Text;
using Pgark.Wire.Replication;

namespace Pgark.Wal.Reader;

/// <summary>A decoded xl_restore_point (XLOG_RESTORE_POINT, written by pg_create_restore_point): rp_time(8) rp_name(64).</summary>
public sealed class WalRestorePoint
{
    internal const int Size = 8 + 64;

    public string Name { get; private init; } = "";

    public long TimestampMicros { get; private init; }

    public DateTime Time => PgTimestamp.ToDateTime(TimestampMicros);

    internal static WalRestorePoint? Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < Size)
        {
            return null;
        }

        ReadOnlySpan<byte> name = data.Slice(8, 64);
        int end = name.IndexOf((byte)0);
        return new WalRestorePoint
        {
            TimestampMicros = BinaryPrimitives.ReadInt64LittleEndian(data),
            Name = Encoding.UTF8.GetString(end < 0 ? name : name[..end]),
        };
    }
}
