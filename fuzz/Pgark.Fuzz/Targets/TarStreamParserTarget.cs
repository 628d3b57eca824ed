using Pgark.Physical.Tar;

namespace Pgark.Fuzz.Targets;

/// <summary>
/// Fuzz target for <see cref="TarStreamParser"/>: any input, fed in pieces of varying size, must either parse or fail
/// with <see cref="TarFormatException"/>, and what parses must obey the format: each member's data adds up to its
/// declared size, the parser always makes progress, and cutting the input differently gives the same events.
/// </summary>
public static class TarStreamParserTarget
{
    public static void Run(byte[] input)
    {
        string whole = Describe(input, pieceSize: input.Length == 0 ? 1 : input.Length);
        string split = Describe(input, pieceSize: 1 + input.Length % 513);
        if (whole != split)
            throw new InvalidOperationException($"splitting the input changed the result:\n{whole}\n---\n{split}");
    }

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
                        throw new InvalidOperationException("the parser consumed nothing and asked for more");
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
                                throw new InvalidOperationException($"member {parser.Entry.Name} gave {dataOfMember} bytes, declared {parser.Entry.Size}");
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
