namespace Pgark.Repository.Codecs;

/// <summary>
/// BLAKE3's extendable output as a seekable stream of bytes: each 64-byte block is computed independently
/// from the root node, so <see cref="Position"/> can jump anywhere (up to 2^64 bytes).
/// </summary>
public struct Blake3OutputReader
{
    private readonly Blake3Output _root;

    internal Blake3OutputReader(Blake3Output root)
    {
        _root = root;
        Position = 0;
    }

    /// <summary>Offset in the output stream of the next byte <see cref="Read"/> returns.</summary>
    public ulong Position { get; set; }

    /// <summary>Fills <paramref name="output"/> with the next output bytes and advances <see cref="Position"/>.</summary>
    public void Read(Span<byte> output)
    {
        _root.RootBytes(Position, output);
        Position += (ulong)output.Length;
    }
}
