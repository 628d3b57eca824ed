using System.Numerics;
using System.Runtime.InteropServices;

namespace Pgark.Wal.Reader;

/// <summary>
/// CRC-32C (Castagnoli) as PostgreSQL's pg_crc32c: INIT_CRC32C = 0xFFFFFFFF, reflected, FIN_CRC32C xors with 0xFFFFFFFF.
/// BitOperations.Crc32C uses the SSE4.2 / ARMv8 instruction where present and a table otherwise.
/// </summary>
internal static class WalCrc32C
{
    public const uint Init = 0xFFFFFFFF;

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong word in words)
        {
            crc = BitOperations.Crc32C(crc, word);
        }

        foreach (byte b in data[(words.Length * sizeof(ulong))..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFF;

    /// <summary>The xl_crc PostgreSQL stores for <paramref name="record"/>: the payload first, then the header up to xl_crc.</summary>
    public static uint ForRecord(ReadOnlySpan<byte> record)
    {
        uint crc = Append(Init, record[XLogRecordLayout.HeaderSize..]);
        crc = Append(crc, record[..XLogRecordLayout.CrcOffset]);
        return Finish(crc);
    }
}
