using System.Diagnostics;
using System.Text;
using Pgark.Physical.Tar;

namespace Pgark.Tests.Physical.Tar;

/// <summary>The tar parser against archives made by GNU tar in each format, fed in pieces of every awkward size.</summary>
public sealed class TarStreamParserTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pgark-tar-").FullName;

    private static readonly string s_longName = "base/16384/" + new string('n', 150) + "/" + new string('m', 60);

    public TarStreamParserTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "src", "base", "16384", new string('n', 150)));
        File.WriteAllBytes(Path.Combine(_root, "src", s_longName), Enumerable.Range(0, 20000).Select(i => (byte)(i * 7)).ToArray());
        File.WriteAllText(Path.Combine(_root, "src", "PG_VERSION"), "15\n");
        File.WriteAllBytes(Path.Combine(_root, "src", "empty"), []);
        File.CreateSymbolicLink(Path.Combine(_root, "src", "link"), "/somewhere/else");
    }

    [Theory]
    [InlineData("gnu", 1)]
    [InlineData("gnu", 511)]
    [InlineData("pax", 7)]
    [InlineData("pax", 4096)]
    [InlineData("ustar", 513)]
    public void ParsesWhatGnuTarWrites(string format, int pieceSize)
    {
        bool longNames = format != "ustar";
        string[] members = longNames ? ["PG_VERSION", "empty", "link", "base"] : ["PG_VERSION", "empty", "link"];
        byte[] archive = Tar(format, members);

        var files = Parse(archive, pieceSize);

        Assert.Equal("15\n", Encoding.ASCII.GetString(files["PG_VERSION"].Data));
        Assert.Equal(TarEntryType.Regular, files["empty"].Entry.Type);
        Assert.Empty(files["empty"].Data);
        Assert.Equal(("/somewhere/else", TarEntryType.Symlink), (files["link"].Entry.LinkName, files["link"].Entry.Type));
        if (longNames)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(_root, "src", s_longName)), files[s_longName].Data);
            Assert.Equal(TarEntryType.Directory, files["base/16384"].Entry.Type);
        }
    }

    [Fact]
    public void ABadChecksumIsRejectedWithItsOffset()
    {
        byte[] archive = Tar("ustar", ["PG_VERSION", "empty"]);
        archive[512 + 512 + 3] ^= 0x01; // the second header ("empty"), inside its name

        var error = Assert.Throws<TarFormatException>(() => Parse(archive, 100));

        Assert.StartsWith("tar header at archive offset 1024 has checksum ", error.Message);
        Assert.EndsWith("; the archive is damaged", error.Message);
    }

    [Fact]
    public void AnArchiveCutInsideAMemberSaysSo()
    {
        byte[] archive = Tar("ustar", ["PG_VERSION"]);

        var error = Assert.Throws<TarFormatException>(() => Parse(archive.AsSpan(0, 514).ToArray(), 64));

        Assert.Equal("the archive ends at offset 514 inside member 'PG_VERSION', in the middle of a member's data; it was cut short", error.Message);
    }

    [Fact]
    public void StreamsWithoutAnEndMarkerEndBetweenMembers()
    {
        // PostgreSQL 13/14 send no end-of-archive blocks: the stream simply stops after the last member's padding.
        byte[] archive = Tar("ustar", ["PG_VERSION"]);
        Assert.Single(Parse(archive.AsSpan(0, 1024).ToArray(), 300));
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0 }, 2L << 16)]
    [InlineData(new byte[] { (byte)'0', (byte)'0', (byte)'0', (byte)'0', (byte)'7', (byte)'5', (byte)'5', 0 }, 493L)]
    [InlineData(new byte[] { (byte)' ', (byte)' ', (byte)'1', (byte)'0', (byte)' ', 0 }, 8L)]
    public void NumbersAreOctalOrBase256(byte[] field, long expected)
        => Assert.Equal(expected, TarHeader.ParseNumber(field, "size", 0));

    [Fact]
    public void ANonOctalDigitIsRejected()
    {
        var error = Assert.Throws<TarFormatException>(() => TarHeader.ParseNumber("0000009\0"u8, "size", 512));
        Assert.Equal("tar header at archive offset 512: size field has non-octal byte 0x39", error.Message);
    }

    [Fact]
    public void MutatedArchivesParseOrFailWithTarFormatExceptionOnly()
    {
        // The same property as fuzz/Pgark.Fuzz/Targets/TarStreamParserTarget.cs, on a fixed seed.
        byte[] archive = Tar("pax", ["PG_VERSION", "empty", "link", "base"]);
        var random = new Random(42);
        for (int i = 0; i < 300; i++)
        {
            byte[] mutated = (byte[])archive.Clone();
            for (int flips = random.Next(1, 8); flips > 0; flips--)
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            try
            {
                Parse(mutated[..random.Next(mutated.Length)], random.Next(1, 1000));
            }
            catch (TarFormatException)
            {
            }
        }
    }

    private byte[] Tar(string format, string[] members)
    {
        string output = Path.Combine(_root, $"{format}-{Guid.NewGuid():N}.tar");
        var start = new ProcessStartInfo("tar") { WorkingDirectory = Path.Combine(_root, "src"), RedirectStandardError = true };
        foreach (string argument in new[] { $"--format={format}", "-cf", output }.Concat(members))
            start.ArgumentList.Add(argument);
        using Process tar = Process.Start(start)!;
        string error = tar.StandardError.ReadToEnd();
        tar.WaitForExit();
        Assert.True(tar.ExitCode == 0, $"tar failed: {error}");
        return File.ReadAllBytes(output);
    }

    private static Dictionary<string, (TarEntry Entry, byte[] Data)> Parse(byte[] archive, int pieceSize)
    {
        var parser = new TarStreamParser();
        var files = new Dictionary<string, (TarEntry, byte[])>();
        var current = new MemoryStream();
        for (int at = 0; at < archive.Length; at += pieceSize)
        {
            ReadOnlyMemory<byte> piece = archive.AsMemory(at, Math.Min(pieceSize, archive.Length - at));
            TarEventKind kind;
            do
            {
                kind = parser.Read(piece, out int consumed, out ReadOnlyMemory<byte> data);
                piece = piece[consumed..];
                if (kind == TarEventKind.EntryStarted)
                    current = new MemoryStream();
                else if (kind == TarEventKind.Data)
                    current.Write(data.Span);
                else if (kind == TarEventKind.EntryEnded)
                    files[parser.Entry!.Name] = (parser.Entry, current.ToArray());
            }
            while (kind != TarEventKind.NeedMoreData);
        }
        parser.Complete();
        return files;
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
