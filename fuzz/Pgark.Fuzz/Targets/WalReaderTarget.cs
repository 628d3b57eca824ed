using System.Buffers.Binary;
using Pgark.Repository.Codecs;
using Pgark.Wal.Reader;

namespace Pgark.Fuzz;

/// <summary>
/// Bytes of a (partial) WAL segment → WalReader until end of WAL. Accepted outcomes: records that satisfy the
/// invariants below, or a WalFormatException. Seeds are the heads of the PostgreSQL 15 golden segments.
/// </summary>
internal sealed class WalReaderTarget : IFuzzTarget
{
    private static readonly WalReaderOptions s_options = new() { MaxRecordSize = 1 << 20 };

    public string Name => "wal-reader";

    public IReadOnlyList<byte[]> Seeds(string repositoryRoot)
    {
        string dir = Path.Combine(repositoryRoot, "tests", "testdata", "wal");
        if (!Directory.Exists(dir))
            return [];
        // Heads of real segments keep inputs small: 8 KiB .. 64 KiB, ending in zeros or mid-record.
        var seeds = new List<byte[]>();
        foreach (string file in Directory.GetFiles(dir, "0*.zst", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            byte[] compressed = File.ReadAllBytes(file);
            byte[] segment = new byte[Zstd.GetFrameContentSize(compressed) ?? 0];
            Zstd.DecompressExact(compressed, segment);
            seeds.Add(segment[..Math.Min(segment.Length, 8192)]);
            seeds.Add(segment[..Math.Min(segment.Length, 65536)]);
        }

        return seeds;
    }

    public void Run(ReadOnlySpan<byte> input)
    {
        // Not a WAL file name, so the reader takes the segment number from the first page.
        using var reader = new WalReader([WalSegmentInput.FromMemory("fuzz-input", input.ToArray())], s_options);
        ulong previousStart = 0;
        int records = 0;
        try
        {
            while (reader.MoveNext())
            {
                Check(reader.Current, previousStart);
                previousStart = reader.Current.StartLsn.Value;
                if (++records > input.Length / 24)
                    throw new FuzzViolation($"{records} records from {input.Length} bytes");
            }
        }
        catch (WalFormatException e) when (e.SegmentFileName == "fuzz-input" && e.SegmentOffset >= 0 && e.SegmentOffset <= input.Length)
        {
        }
    }

    /// <summary>What spec/wal-reader.md promises about every record the reader returns.</summary>
    private static void Check(WalRecord record, ulong previousStart)
    {
        ulong start = record.StartLsn.Value;
        if (start % 8 != 0 || start <= previousStart || record.EndLsn.Value < start + record.TotalLength)
            throw new FuzzViolation($"record at {record.StartLsn} (end {record.EndLsn}, {record.TotalLength} bytes) after {previousStart:X}");
        ReadOnlySpan<byte> raw = record.RawBytes;
        if (BinaryPrimitives.ReadUInt32LittleEndian(raw[20..]) != WalCrc32C.ForRecord(raw))
            throw new FuzzViolation($"record at {record.StartLsn} returned with a wrong CRC");
        int lastId = -1;
        int images = 0;
        foreach (WalBlockReference block in record.Blocks)
        {
            if (block.BlockId <= lastId || block.BlockId > 32)
                throw new FuzzViolation($"block ids out of order in record at {record.StartLsn}");
            lastId = block.BlockId;
            images += block.HasImage ? block.ImageLength : 0;
        }

        if (images != record.ImageLength || record.MainData.Length > raw.Length - 24)
            throw new FuzzViolation($"payload lengths do not add up in record at {record.StartLsn}");
    }
}
