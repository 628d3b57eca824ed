using System.Globalization;
using Pgark.Repository.Binary;
using Pgark.Repository.Chunking;

namespace Pgark.Repository.Config;

/// <summary>
/// One settings object (spec §4.1): <c>settings/&lt;Sequence 16 hex&gt;.&lt;file id&gt;</c>, ObjectType.Settings. Body: 0 Sequence
/// u64, 8 WrittenTime i64 µs, 16 Flags u8 (bit 0 Compressed), 17 reserved (3), 20 CompressionLevel i32, 24 PackTargetSize u32,
/// 28 ExtentSize u32, 32 ChunkMinSize u32, 36 ChunkAverageSize u32, 40 ChunkMaxSize u32, 44 ChunkNormalization u8,
/// 45 reserved (3), 48 Note string.
/// </summary>
public sealed record StorageSettingsRecord(ulong Sequence, DateTimeOffset WrittenTime, StorageSettings Settings, string Note)
{
    public const string Directory = "settings/";
    private const byte CompressedFlag = 1;

    public static string FilePrefix(ulong sequence) => Directory + sequence.ToString("x16", CultureInfo.InvariantCulture) + ".";

    /// <summary>The sequence number in a settings file name, or null if the name is not one.</summary>
    public static ulong? SequenceOf(string name)
    {
        var last = name[(name.LastIndexOf('/') + 1)..];
        var dot = last.IndexOf('.');
        return dot == 16 && ulong.TryParse(last.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : null;
    }

    public byte[] EncodeBody()
    {
        var writer = new ByteWriter(64);
        writer.U64(Sequence);
        writer.I64((WrittenTime - DateTimeOffset.UnixEpoch).Ticks / 10);
        writer.U8(Settings.CompressionLevel is null ? (byte)0 : CompressedFlag);
        writer.Zeros(3);
        writer.U32(unchecked((uint)(Settings.CompressionLevel ?? 0)));
        writer.U32((uint)Settings.PackTargetSize);
        writer.U32((uint)Settings.ExtentSize);
        writer.U32((uint)Settings.Chunking.MinSize);
        writer.U32((uint)Settings.Chunking.AverageSize);
        writer.U32((uint)Settings.Chunking.MaxSize);
        writer.U8((byte)Settings.Chunking.NormalizationLevel);
        writer.Zeros(3);
        writer.String(Note);
        return writer.ToArray();
    }

    /// <summary>Parses and validates a body; throws <see cref="InvalidDataException"/> naming the bad field.</summary>
    public static StorageSettingsRecord DecodeBody(byte[] body)
    {
        var reader = new ByteReader(body);
        var sequence = reader.U64("Sequence");
        var written = DateTimeOffset.UnixEpoch.AddTicks(reader.I64("WrittenTime") * 10);
        var flags = reader.U8("Flags");
        if ((flags & ~CompressedFlag) != 0)
            throw new InvalidDataException($"settings flags 0x{flags:x2} has reserved bits set");
        reader.Reserved(3, "reserved");
        var level = unchecked((int)reader.U32("CompressionLevel"));
        var packSize = reader.U32("PackTargetSize");
        var extentSize = reader.U32("ExtentSize");
        var min = reader.U32("ChunkMinSize");
        var average = reader.U32("ChunkAverageSize");
        var max = reader.U32("ChunkMaxSize");
        var normalization = reader.U8("ChunkNormalization");
        reader.Reserved(3, "reserved");
        var note = reader.String("Note", 4096);
        reader.ExpectEnd("settings");
        if (packSize > int.MaxValue || extentSize > int.MaxValue || min > int.MaxValue || average > int.MaxValue || max > int.MaxValue)
            throw new InvalidDataException("settings size field above 2^31");
        var settings = new StorageSettings((flags & CompressedFlag) != 0 ? level : null, (int)packSize, (int)extentSize,
            new FastCdcOptions((int)min, (int)average, (int)max, normalization));
        try
        {
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("settings out of range: " + e.Message, e);
        }
        return new StorageSettingsRecord(sequence, written, settings, note);
    }
}
