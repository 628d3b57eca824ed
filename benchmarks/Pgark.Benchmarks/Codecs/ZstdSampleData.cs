using System.Buffers.Binary;
using System.Text;

namespace Pgark.Benchmarks.Codecs;

/// <summary>
/// A deterministic stand-in for what pgark compresses: PostgreSQL heap pages, server-log-like text, CSV numbers
/// (COPY output) and JSON documents, interleaved in stretches of a few hundred KiB like the files of a data directory.
/// </summary>
internal static class ZstdSampleData
{
    private const int PageSize = 8192;
    private static readonly string[] s_words =
    [
        "checkpoint", "starting", "complete", "wrote", "buffers", "WAL", "file", "added", "removed", "recycled",
        "autovacuum", "table", "pages", "tuples", "removable", "dead", "connection", "authorized", "user", "database",
        "statement", "duration", "ms", "LOG", "ERROR", "relation", "does", "not", "exist", "orders", "customers",
    ];

    public static byte[] Create(int length, int seed = 42)
    {
        var random = new Random(seed);
        byte[] data = new byte[length];
        int position = 0;
        int kind = 0;
        while (position < length)
        {
            int stretch = Math.Min(length - position, kind == 0 ? 1 << 20 : 256 << 10);
            Span<byte> target = data.AsSpan(position, stretch);
            switch (kind)
            {
                case 0: FillHeapPages(target, random); break;
                case 1: FillText(target, random, LogLine); break;
                case 2: FillText(target, random, CsvLine); break;
                default: FillText(target, random, JsonLine); break;
            }

            position += stretch;
            kind = (kind + 1) % 4;
        }

        return data;
    }

    private static void FillHeapPages(Span<byte> target, Random random)
    {
        byte[] page = new byte[PageSize];
        int rowId = random.Next(1_000_000);
        for (int offset = 0; offset < target.Length; offset += PageSize)
        {
            WriteHeapPage(page, random, ref rowId);
            page.AsSpan(0, Math.Min(PageSize, target.Length - offset)).CopyTo(target[offset..]);
        }
    }

    // Page header, line pointers growing up, tuples (23-byte header + int4, int4, int8, short text) growing down.
    private static void WriteHeapPage(byte[] page, Random random, ref int rowId)
    {
        Array.Clear(page);
        int upper = PageSize;
        int lower = 24;
        int fill = random.Next(PageSize * 6 / 10, PageSize);
        uint xmin = 7_000_000 + (uint)random.Next(50_000);
        while (PageSize - upper < fill)
        {
            string text = s_words[random.Next(s_words.Length)] + " " + random.Next(100_000);
            int tupleLength = 24 + 4 + 4 + 8 + 1 + text.Length;
            int start = (upper - tupleLength) & ~7;
            if (start < lower + 4)
            {
                break;
            }

            Span<byte> tuple = page.AsSpan(start, tupleLength);
            BinaryPrimitives.WriteUInt32LittleEndian(tuple, xmin + (uint)random.Next(10));
            BinaryPrimitives.WriteUInt16LittleEndian(tuple[18..], 4);        // t_infomask2: natts
            BinaryPrimitives.WriteUInt16LittleEndian(tuple[20..], 0x0902);   // t_infomask: xmin committed, varwidth
            tuple[22] = 24;                                                  // t_hoff
            BinaryPrimitives.WriteInt32LittleEndian(tuple[24..], rowId++);
            BinaryPrimitives.WriteInt32LittleEndian(tuple[28..], random.Next(100));
            BinaryPrimitives.WriteInt64LittleEndian(tuple[32..], 784_000_000_000_000L + random.Next(1_000_000_000));
            tuple[40] = (byte)(((text.Length + 1) << 1) | 1);                // short varlena header
            Encoding.ASCII.GetBytes(text, tuple[41..]);
            BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(lower), (uint)(start | (1 << 15) | (tupleLength << 17)));
            lower += 4;
            upper = start;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(page, 0x0000_0003_4A00_0000UL + (ulong)random.Next(1 << 24)); // pd_lsn
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(12), (ushort)lower);
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(14), (ushort)upper);
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(16), PageSize);
        BinaryPrimitives.WriteUInt16LittleEndian(page.AsSpan(18), PageSize | 4);
    }

    private static void FillText(Span<byte> target, Random random, Func<Random, string> line)
    {
        int offset = 0;
        while (offset < target.Length)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(line(random));
            int n = Math.Min(bytes.Length, target.Length - offset);
            bytes.AsSpan(0, n).CopyTo(target[offset..]);
            offset += n;
        }
    }

    private static string LogLine(Random random) =>
        $"2026-11-21 05:{random.Next(60):D2}:{random.Next(60):D2}.{random.Next(1000):D3} UTC [{random.Next(1000, 99999)}] "
        + $"{s_words[random.Next(s_words.Length)]}: {s_words[random.Next(s_words.Length)]} {s_words[random.Next(s_words.Length)]} "
        + $"{random.Next(100_000)} {s_words[random.Next(s_words.Length)]}\n";

    private static string CsvLine(Random random) =>
        $"{random.Next(10_000_000)}\t{random.Next(1000)}\t{random.NextDouble() * 10000:F2}\t2026-{random.Next(1, 13):D2}-"
        + $"{random.Next(1, 29):D2}\t{(random.Next(4) == 0 ? "\\N" : random.Next(100).ToString())}\n";

    private static string JsonLine(Random random) =>
        $"{{\"id\": {random.Next(10_000_000)}, \"name\": \"user{random.Next(100_000)}\", \"tags\": [\"{s_words[random.Next(s_words.Length)]}\", "
        + $"\"{s_words[random.Next(s_words.Length)]}\"], \"score\": {random.NextDouble():F4}, \"active\": {(random.Next(2) == 0 ? "true" : "false")}}}\n";
}
