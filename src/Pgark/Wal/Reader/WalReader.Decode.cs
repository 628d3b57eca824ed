using System.Buffers.Binary;
using Pgark.Wire.Replication;

namespace Pgark.Wal.Reader;

public sealed partial class WalReader
{
    /// <summary>
    /// DecodeXLogRecord: walks the block headers, origin / toplevel-xid ids and the main-data header, then lays the
    /// images, block data and main data out behind them, with the same consistency checks PostgreSQL makes.
    /// </summary>
    private void Decode(ulong start, ulong end, uint totalLength, string segment, long segmentOffset)
    {
        ReadOnlySpan<byte> bytes = _buffer.AsSpan(0, (int)totalLength);
        WalRecord record = _record;
        record.StartLsn = new Lsn(start);
        record.EndLsn = new Lsn(end);
        record.TotalLength = totalLength;
        record.Xid = BinaryPrimitives.ReadUInt32LittleEndian(bytes[XLogRecordLayout.XidOffset..]);
        record.PrevLsn = new Lsn(BinaryPrimitives.ReadUInt64LittleEndian(bytes[XLogRecordLayout.PrevOffset..]));
        record.Info = bytes[XLogRecordLayout.InfoOffset];
        record.RmgrId = bytes[XLogRecordLayout.RmgrOffset];
        record.SegmentFileName = segment;
        record.SegmentOffset = segmentOffset;
        record.Transaction = null;
        record.Checkpoint = null;
        record.RestorePoint = null;

        string? problem = DecodeHeaders(bytes, record);
        if (problem is not null)
        {
            WalThrowHelper.Throw(WalErrorKind.BadRecordBody, segment, segmentOffset,
                $"{problem} in record at {WalPageReader.FormatLsn(start)} ({record.RmgrName}, {totalLength} bytes)");
        }

        if (!DecodeRmgrData(record))
        {
            WalThrowHelper.Throw(WalErrorKind.BadRecordBody, segment, segmentOffset,
                $"{record.RmgrName} {record.TypeName} record at {WalPageReader.FormatLsn(start)} has malformed main data ({record.MainDataLength} bytes)");
        }
    }

    /// <summary>Returns null when the record's layout adds up, else what is wrong with it.</summary>
    private string? DecodeHeaders(ReadOnlySpan<byte> bytes, WalRecord record)
    {
        var cursor = new SpanCursor(bytes[XLogRecordLayout.HeaderSize..]);
        WalBlockReference[] blocks = record.BlockArray;
        int count = 0;
        int maxBlockId = -1;
        long dataTotal = 0;
        uint mainLength = 0;
        bool haveRelation = false;
        RelFileLocator relation = default;
        record.OriginId = 0;
        record.ToplevelXid = 0;
        record.ImageLength = 0;

        while (cursor.Remaining > dataTotal)
        {
            cursor.TryByte(out byte blockId);
            if (blockId == XLogRecordLayout.BlockIdDataShort)
            {
                if (!cursor.TryByte(out byte shortLength))
                {
                    return "truncated main data header";
                }

                mainLength = shortLength;
                break;
            }

            if (blockId == XLogRecordLayout.BlockIdDataLong)
            {
                if (!cursor.TryUInt32(out mainLength))
                {
                    return "truncated main data header";
                }

                break;
            }

            if (blockId == XLogRecordLayout.BlockIdOrigin)
            {
                if (!cursor.TryUInt16(out ushort origin))
                {
                    return "truncated origin";
                }

                record.OriginId = origin;
                continue;
            }

            if (blockId == XLogRecordLayout.BlockIdToplevelXid)
            {
                if (!cursor.TryUInt32(out uint toplevel))
                {
                    return "truncated toplevel xid";
                }

                record.ToplevelXid = toplevel;
                continue;
            }

            if (blockId > XLogRecordLayout.MaxBlockId)
            {
                return $"invalid block_id {blockId}";
            }

            if (blockId <= maxBlockId)
            {
                return $"out-of-order block_id {blockId}";
            }

            maxBlockId = blockId;
            string? problem = DecodeBlockHeader(ref cursor, blockId, ref haveRelation, ref relation, out WalBlockReference block);
            if (problem is not null)
            {
                return problem;
            }

            dataTotal += block.DataLength + (block.HasImage ? block.ImageLength : 0);
            blocks[count++] = block;
        }

        if (cursor.Remaining != dataTotal + mainLength)
        {
            return $"invalid record length: {cursor.Remaining} bytes follow the headers, {dataTotal + mainLength} declared";
        }

        // Payload order: for each block its image, then its data; then the main data.
        int position = XLogRecordLayout.HeaderSize + cursor.Position;
        int images = 0;
        for (int i = 0; i < count; i++)
        {
            WalBlockReference block = blocks[i];
            int imageOffset = position;
            position += block.HasImage ? block.ImageLength : 0;
            images += block.HasImage ? block.ImageLength : 0;
            blocks[i] = block with { ImageOffset = imageOffset, DataOffset = position };
            position += block.DataLength;
        }

        record.BlockCount = count;
        record.ImageLength = images;
        record.MainDataOffset = position;
        record.MainDataLength = (int)mainLength;
        return null;
    }

    private string? DecodeBlockHeader(ref SpanCursor cursor, byte blockId, ref bool haveRelation, ref RelFileLocator relation, out WalBlockReference block)
    {
        block = default;
        if (!cursor.TryByte(out byte forkFlags) || !cursor.TryUInt16(out ushort dataLength))
        {
            return "truncated block header";
        }

        bool hasData = (forkFlags & XLogRecordLayout.BlockHasData) != 0;
        if (hasData != (dataLength != 0))
        {
            return hasData ? "BKPBLOCK_HAS_DATA set, but no data included" : $"BKPBLOCK_HAS_DATA not set, but data length is {dataLength}";
        }

        block = new WalBlockReference
        {
            BlockId = blockId,
            Fork = (byte)(forkFlags & XLogRecordLayout.BlockForkMask),
            WillInit = (forkFlags & XLogRecordLayout.BlockWillInit) != 0,
            DataLength = dataLength,
        };

        if ((forkFlags & XLogRecordLayout.BlockHasImage) != 0)
        {
            string? problem = DecodeImageHeader(ref cursor, ref block);
            if (problem is not null)
            {
                return problem;
            }
        }

        if ((forkFlags & XLogRecordLayout.BlockSameRel) == 0)
        {
            if (!cursor.TryTake(XLogRecordLayout.RelFileLocatorSize, out ReadOnlySpan<byte> locator))
            {
                return "truncated relation";
            }

            relation = SpanCursor.ReadLocator(locator);
            haveRelation = true;
        }
        else if (!haveRelation)
        {
            return "BKPBLOCK_SAME_REL set but no previous rel";
        }

        if (!cursor.TryUInt32(out uint blockNumber))
        {
            return "truncated block number";
        }

        block = block with { Relation = relation, BlockNumber = blockNumber };
        return null;
    }

    /// <summary>XLogRecordBlockImageHeader, whose flag bits moved in PostgreSQL 15 (see <see cref="WalImageFlagsLayout"/>).</summary>
    private string? DecodeImageHeader(ref SpanCursor cursor, ref WalBlockReference block)
    {
        if (!cursor.TryUInt16(out ushort length) || !cursor.TryUInt16(out ushort holeOffset) || !cursor.TryByte(out byte info))
        {
            return "truncated image header";
        }

        bool pg15 = _pages.Version.ImageFlags == WalImageFlagsLayout.Pg15;
        bool hasHole = (info & 0x01) != 0;
        bool apply = (info & (pg15 ? 0x02 : 0x04)) != 0;
        WalImageCompression compression = pg15
            ? (info & 0x1C) switch { 0 => WalImageCompression.None, 0x04 => WalImageCompression.Pglz, 0x08 => WalImageCompression.Lz4, 0x10 => WalImageCompression.Zstd, _ => (WalImageCompression)255 }
            : (info & 0x02) != 0 ? WalImageCompression.Pglz : WalImageCompression.None;
        if ((byte)compression == 255)
        {
            return $"image with several compression flags (bimg_info 0x{info:X2})";
        }

        int pageSize = _options.DataBlockSize;
        ushort holeLength = 0;
        if (compression != WalImageCompression.None)
        {
            if (hasHole && !cursor.TryUInt16(out holeLength))
            {
                return "truncated image hole length";
            }
        }
        else
        {
            holeLength = (ushort)Math.Max(0, pageSize - length);
        }

        if (hasHole && (holeOffset == 0 || holeLength == 0 || length == pageSize))
        {
            return $"BKPIMAGE_HAS_HOLE set, but hole offset {holeOffset} length {holeLength} image length {length}";
        }

        if (!hasHole && (holeOffset != 0 || holeLength != 0) && compression == WalImageCompression.None)
        {
            return $"BKPIMAGE_HAS_HOLE not set, but hole offset {holeOffset} length {holeLength}";
        }

        if (compression != WalImageCompression.None && length == pageSize)
        {
            return $"compressed image with full length {length}";
        }

        if (!hasHole && compression == WalImageCompression.None && length != pageSize)
        {
            return $"neither BKPIMAGE_HAS_HOLE nor compression set, but image length is {length}";
        }

        block = block with
        {
            HasImage = true, ImageLength = length, HoleOffset = holeOffset, HoleLength = holeLength, ImageInfo = info,
            ApplyImage = apply, ImageCompression = compression,
        };
        return null;
    }

    /// <summary>Decodes the payloads a replay planner needs; false when one is malformed.</summary>
    private bool DecodeRmgrData(WalRecord record)
    {
        byte type = (byte)(record.Info & WalRecordTypes.RmgrInfoMask);
        ReadOnlySpan<byte> main = record.MainData;
        switch (record.Rmgr)
        {
            case WalResourceManager.Transaction when (record.Info & WalRecordTypes.XactOpMask) is
                WalRecordTypes.XactCommit or WalRecordTypes.XactAbort or WalRecordTypes.XactCommitPrepared or WalRecordTypes.XactAbortPrepared:
                record.Transaction = XactCompletion.Parse(record.Info, record.Xid, main, _pages.Version);
                return record.Transaction is not null;
            case WalResourceManager.Xlog when type is WalRecordTypes.CheckpointOnline or WalRecordTypes.CheckpointShutdown:
                record.Checkpoint = WalCheckpoint.Parse(type == WalRecordTypes.CheckpointShutdown, main);
                return record.Checkpoint is not null;
            case WalResourceManager.Xlog when type == WalRecordTypes.RestorePoint:
                record.RestorePoint = WalRestorePoint.Parse(main);
                return record.RestorePoint is not null;
            default:
                return true;
        }
    }
}
