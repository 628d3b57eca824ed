using System.Globalization;
using System.Text;

namespace Pgark.Physical.Tar;

/// <summary>POSIX.1-2001 pax extended header records: <c>"%d %s=%s\n"</c>, the length counting the whole record.</summary>
internal static class PaxRecords
{
    public static void Apply(ReadOnlySpan<byte> records, long headerOffset, ref string? path, ref string? linkPath, ref long? size)
    {
        while (!records.IsEmpty)
        {
            int space = records.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(records[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int length)
                || length <= space + 2 || length > records.Length || records[length - 1] != (byte)'\n')
                throw new TarFormatException($"pax extended header at offset {headerOffset} has a malformed record (expected \"<length> <key>=<value>\\n\")");
            ReadOnlySpan<byte> record = records[(space + 1)..(length - 1)];
            int equals = record.IndexOf((byte)'=');
            if (equals <= 0)
                throw new TarFormatException($"pax extended header at offset {headerOffset} has a record without '='");
            string key = Encoding.UTF8.GetString(record[..equals]);
            string value = Encoding.UTF8.GetString(record[(equals + 1)..]);
            switch (key)
            {
                case "path":
                    path = value;
                    break;
                case "linkpath":
                    linkPath = value;
                    break;
                case "size":
                    size = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed)
                        ? parsed
                        : throw new TarFormatException($"pax extended header at offset {headerOffset} has size '{value}', not a decimal number");
                    break;
            }
            records = records[length..];
        }
    }
}
