using System.Text;

namespace Pgark.Physical.Tar;

/// <summary>
/// The 512-byte ustar header (POSIX.1-1988 as extended by POSIX.1-2001), as PostgreSQL's tarCreateHeader writes it:
/// <code>
/// offset size field          offset size field
///   0    100  name            148    8   chksum (octal, computed with this field as spaces)
///   100    8  mode (octal)    156    1   typeflag
///   108    8  uid             157  100   linkname
///   116    8  gid             257    6   magic "ustar\0" (GNU: "ustar " + " \0")
///   124   12  size            263    2   version "00"
///   136   12  mtime           345  155   prefix (ustar: name = prefix + "/" + name)
/// </code>
/// Numbers are NUL- or space-terminated octal, or base-256 (first byte 0x80, big-endian) when too big for octal.
/// </summary>
internal static class TarHeader
{
    public const int BlockSize = 512;
    private const int NameOffset = 0, NameLength = 100;
    private const int ModeOffset = 100, ModeLength = 8;
    private const int SizeOffset = 124, SizeLength = 12;
    private const int MtimeOffset = 136, MtimeLength = 12;
    private const int ChecksumOffset = 148, ChecksumLength = 8;
    private const int TypeOffset = 156;
    private const int LinkNameOffset = 157, LinkNameLength = 100;
    private const int MagicOffset = 257;
    private const int PrefixOffset = 345, PrefixLength = 155;

    public static bool IsZero(ReadOnlySpan<byte> block) => !block.ContainsAnyExcept((byte)0);

    public static byte TypeFlag(ReadOnlySpan<byte> block) => block[TypeOffset];

    /// <summary>Checks magic and checksum; throws naming the archive offset when either is wrong.</summary>
    public static void Validate(ReadOnlySpan<byte> block, long archiveOffset)
    {
        if (!block.Slice(MagicOffset, 5).SequenceEqual("ustar"u8))
            throw new TarFormatException($"tar header at archive offset {archiveOffset} has no ustar magic; the stream is not a tar archive or is out of step");
        long stored = ParseNumber(block.Slice(ChecksumOffset, ChecksumLength), "checksum", archiveOffset);
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BlockSize; i++)
        {
            byte b = i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? (byte)' ' : block[i];
            unsigned += b;
            signed += (sbyte)b;
        }
        if (stored != unsigned && stored != signed)
            throw new TarFormatException($"tar header at archive offset {archiveOffset} has checksum {stored} but its bytes sum to {unsigned}; the archive is damaged");
    }

    public static string Name(ReadOnlySpan<byte> block)
    {
        string name = Text(block.Slice(NameOffset, NameLength));
        string prefix = Text(block.Slice(PrefixOffset, PrefixLength));
        return prefix.Length == 0 ? name : prefix + "/" + name;
    }

    public static string LinkName(ReadOnlySpan<byte> block) => Text(block.Slice(LinkNameOffset, LinkNameLength));

    public static long Size(ReadOnlySpan<byte> block, long archiveOffset) => ParseNumber(block.Slice(SizeOffset, SizeLength), "size", archiveOffset);

    public static uint Mode(ReadOnlySpan<byte> block, long archiveOffset) => (uint)(ParseNumber(block.Slice(ModeOffset, ModeLength), "mode", archiveOffset) & 0xFFF);

    public static long Mtime(ReadOnlySpan<byte> block, long archiveOffset) => ParseNumber(block.Slice(MtimeOffset, MtimeLength), "mtime", archiveOffset);

    /// <summary>Octal (leading spaces allowed, NUL/space-terminated) or base-256 (0x80 marker, big-endian, non-negative).</summary>
    public static long ParseNumber(ReadOnlySpan<byte> field, string what, long archiveOffset)
    {
        if (field.Length > 0 && field[0] == 0x80)
        {
            long value = 0;
            for (int i = 1; i < field.Length; i++)
            {
                if (value > (long.MaxValue >> 8))
                    throw new TarFormatException($"tar header at archive offset {archiveOffset}: base-256 {what} does not fit in 63 bits");
                value = (value << 8) | field[i];
            }
            return value;
        }
        int at = 0;
        while (at < field.Length && field[at] == (byte)' ')
            at++;
        long result = 0;
        int digits = 0;
        for (; at < field.Length && field[at] is not (0 or (byte)' '); at++, digits++)
        {
            byte c = field[at];
            if (c is < (byte)'0' or > (byte)'7')
                throw new TarFormatException($"tar header at archive offset {archiveOffset}: {what} field has non-octal byte 0x{c:X2}");
            result = (result << 3) | (uint)(c - '0');
        }
        for (; at < field.Length; at++)
        {
            if (field[at] is not (0 or (byte)' '))
                throw new TarFormatException($"tar header at archive offset {archiveOffset}: {what} field has bytes after its terminator");
        }
        if (digits == 0 && what != "mtime")
            throw new TarFormatException($"tar header at archive offset {archiveOffset}: {what} field is empty");
        return result;
    }

    private static string Text(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}
