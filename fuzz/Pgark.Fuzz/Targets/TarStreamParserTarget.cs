using Pgark.Physical.Tar;

namespace Pgark.Fuzz;

/// <summary>
/// Fuzz target for <see cref="TarStreamParser"/>: any input, fed in pieces of varying size, must either parse or fail
/// with <see cref="TarFormatException"/>, and what parses must obey the format: each member's data adds up to its
/// declared size, the parser always makes progress, and cutting the input differently gives the same events.
/// </summary>
internal sealed class TarStreamParserTarget : IFuzzTarget
{
    public string Name => "tar-stream";

    /// <summary>Small archives in the three formats PostgreSQL and GNU tar write, made with the BCL's TarWriter.</summary>
    public IReadOnlyList<byte[]> Seeds(string repositoryRoot) =>
        [Seed(System.Formats.Tar.TarEntryFormat.Ustar), Seed(System.Formats.Tar.TarEntryFormat.Pax), Seed(System.Formats.Tar.TarEntryFormat.Gnu)];

    public void Run(ReadOnlySpan<byte> input)
    {
        byte[] bytes = input.ToArray();
        string whole = Describe(bytes, pieceSize: bytes.Length == 0 ? 1 : bytes.Length);
        string split = Describe(bytes, pieceSize: 1 + bytes.Length % 513);
        if (whole != split)
            throw new FuzzViolation($"splitting the input changed the result:\n{whole}\n---\n{split}");
    }

    private static byte[] Seed(System.Formats.Tar.TarEntryFormat format)
    {
        using var archive = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(archive, format, leaveOpen: true))
        {
            writer.WriteEntry(Entry(format, System.Formats.Tar.TarEntryType.Directory, "base/16384"));
            var file = Entry(format, System.Formats.Tar.TarEntryType.RegularFile, "base/16384/" + new string('r', format == System.Formats.Tar.TarEntryFormat.Ustar ? 20 : 140));
            file.DataStream = new MemoryStream(Enumerable.Range(0, 9000).Select(i => (byte)i).ToArray());
            writer.WriteEntry(file);
            var link = Entry(format, System.Formats.Tar.TarEntryType.SymbolicLink, "pg_tblspc/16385");
            link.LinkName = "/srv/tablespace";
            writer.WriteEntry(link);
        }
        return archive.ToArray();
    }

    private static System.Formats.Tar.TarEntry Entry(System.Formats.Tar.TarEntryFormat format, System.Formats.Tar.TarEntryType type, string name) => format switch
    {
        System.Formats.Tar.TarEntryFormat.Ustar => new System.Formats.Tar.UstarTarEntry(type, name),
        System.Formats.Tar.TarEntryFormat.Pax => new System.Formats.Tar.PaxTarEntry(type, name),
        _ => new System.Formats.Tar.GnuTarEntry(type, name),
    };

    /// <summary>The event sequence as text, or "error: …" (errors must not depend on how input was split either).</summary>
    private static string Describe(byte[] input, int pieceSize)
    {
        var parser = new TarStreamParser();
        var events = new System.Text.StringBuilder();
        long dataOfMember = 0;
        try
        {
            for (int at = 0; at < input.Length; at += pieceSize)
            {
                ReadOnlyMemory<byte> piece = input.AsMemory(at, Math.Min(pieceSize, input.Length - at));
                while (true)
                {
                    TarEventKind kind = parser.Read(piece, out int consumed, out ReadOnlyMemory<byte> data);
                    if (consumed == 0 && kind == TarEventKind.NeedMoreData && !piece.IsEmpty)
                        throw new FuzzViolation("the parser consumed nothing and asked for more");
                    piece = piece[consumed..];
                    if (kind == TarEventKind.NeedMoreData)
                        break;
                    switch (kind)
                    {
                        case TarEventKind.EntryStarted:
                            dataOfMember = 0;
                            events.Append($"entry {parser.Entry!.Name} {parser.Entry.Type} {parser.Entry.Size}\n");
                            break;
                        case TarEventKind.Data:
                            dataOfMember += data.Length;
                            break;
                        case TarEventKind.EntryEnded:
                            if (dataOfMember != parser.Entry!.Size)
                                throw new FuzzViolation($"member {parser.Entry.Name} gave {dataOfMember} bytes, declared {parser.Entry.Size}");
                            events.Append("end\n");
                            break;
                        case TarEventKind.EndOfArchive:
                            events.Append("eof\n");
                            break;
                    }
                }
            }
            parser.Complete();
            return events.ToString();
        }
        catch (TarFormatException e)
        {
            // The events before the failure and the failure itself must not depend on where the input was split.
            return events + "error: " + e.Message + "\n";
        }
    }
}
