using System.Buffers.Binary;
using Pgark.Wal.Reader;

namespace Pgark.Tests.WalReader;

/// <summary>
/// Writes 1 MiB WAL segments from record bodies the way PostgreSQL lays them out (page headers, continuation flags,
/// xlp_rem_len, MAXALIGN, xl_prev chain, CRC-32C), for releases and record shapes the golden files do not cover.
/// </summary>
internal sealed class SyntheticWal(ushort magic, ulong segmentNumber = 5)
{
    public const int SegmentSize = 1 << 20;
    public const int PageSize = 8192;
    public const ulong SystemId = 7300000000000000001;

    private readonly List<(byte Rmid, byte Info, uint Xid, byte[] Body)> _records = [];

    public string FileName => $"00000001{(uint)(segmentNumber >> 12):X8}{(uint)(segmentNumber & 0xFFF):X8}";

    public ulong SegmentStart => segmentNumber * SegmentSize;

    public SyntheticWal Add(byte rmid, byte info, uint xid, byte[] body)
    {
        _records.Add((rmid, info, xid, body));
        return this;
    }

    /// <summary>The segment bytes and each record's start LSN.</summary>
    public (byte[] Segment, List<ulong> Starts) Build()
    {
        byte[] segment = new byte[SegmentSize];
        var starts = new List<ulong>();
        int position = 40;
        WritePageHeader(segment, 0, contRemaining: 0);
        ulong prev = SegmentStart - 64;
        foreach ((byte rmid, byte info, uint xid, byte[] body) in _records)
        {
            byte[] record = new byte[24 + body.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)record.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), xid);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(8), prev);
            record[16] = info;
            record[17] = rmid;
            body.CopyTo(record, 24);
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(20), WalCrc32C.ForRecord(record));

            position = (position + 7) & ~7;
            if (position % PageSize == 0)
            {
                WritePageHeader(segment, position, 0);
                position += 24;
            }

            prev = SegmentStart + (ulong)position;
            starts.Add(prev);
            int written = 0;
            while (written < record.Length)
            {
                int take = Math.Min(PageSize - position % PageSize, record.Length - written);
                record.AsSpan(written, take).CopyTo(segment.AsSpan(position));
                written += take;
                position += take;
                if (written < record.Length)
                {
                    WritePageHeader(segment, position, record.Length - written);
                    position += 24;
                }
            }
        }

        // Pages up to the last written one carry headers; the rest stays zero (end of WAL).
        return (segment, starts);
    }

    private void WritePageHeader(byte[] segment, int offset, int contRemaining)
    {
        Span<byte> page = segment.AsSpan(offset);
        bool first = offset == 0;
        BinaryPrimitives.WriteUInt16LittleEndian(page, magic);
        BinaryPrimitives.WriteUInt16LittleEndian(page[2..], (ushort)((first ? 0x2 : 0) | (contRemaining > 0 ? 0x1 : 0) | 0x4));
        BinaryPrimitives.WriteUInt32LittleEndian(page[4..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(page[8..], SegmentStart + (ulong)offset);
        BinaryPrimitives.WriteUInt32LittleEndian(page[16..], (uint)contRemaining);
        if (first)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(page[24..], SystemId);
            BinaryPrimitives.WriteUInt32LittleEndian(page[32..], SegmentSize);
            BinaryPrimitives.WriteUInt32LittleEndian(page[36..], PageSize);
        }
    }
}

/// <summary>Builds the part of a record after its 24-byte header: ids and headers, then payloads, then main data.</summary>
internal sealed class RecordBody
{
    private readonly List<byte> _headers = [];
    private readonly List<byte> _payload = [];
    private byte[] _main = [];

    public RecordBody Block(byte id, byte forkFlags, RelFileLocator? relation, uint blockNumber, byte[]? data = null, byte[]? imageHeader = null, byte[]? image = null)
    {
        _headers.Add(id);
        _headers.Add(forkFlags);
        _headers.AddRange(U16((ushort)(data?.Length ?? 0)));
        if (imageHeader is not null)
        {
            _headers.AddRange(imageHeader);
        }

        if (relation is { } r)
        {
            _headers.AddRange(U32(r.SpcOid));
            _headers.AddRange(U32(r.DbOid));
            _headers.AddRange(U32(r.RelNumber));
        }

        _headers.AddRange(U32(blockNumber));
        _payload.AddRange(image ?? []);
        _payload.AddRange(data ?? []);
        return this;
    }

    public RecordBody Origin(ushort origin)
    {
        _headers.Add(253);
        _headers.AddRange(U16(origin));
        return this;
    }

    public RecordBody Toplevel(uint xid)
    {
        _headers.Add(252);
        _headers.AddRange(U32(xid));
        return this;
    }

    public RecordBody Raw(params byte[] bytes)
    {
        _headers.AddRange(bytes);
        return this;
    }

    public RecordBody Main(byte[] main)
    {
        _main = main;
        return this;
    }

    public byte[] Build()
    {
        var bytes = new List<byte>(_headers);
        if (_main.Length > 0)
        {
            if (_main.Length < 256)
            {
                bytes.Add(255);
                bytes.Add((byte)_main.Length);
            }
            else
            {
                bytes.Add(254);
                bytes.AddRange(U32((uint)_main.Length));
            }
        }

        bytes.AddRange(_payload);
        bytes.AddRange(_main);
        return [.. bytes];
    }

    public static byte[] U16(ushort v) => BitConverter.GetBytes(v);

    public static byte[] U32(uint v) => BitConverter.GetBytes(v);

    public static byte[] U64(ulong v) => BitConverter.GetBytes(v);
}
