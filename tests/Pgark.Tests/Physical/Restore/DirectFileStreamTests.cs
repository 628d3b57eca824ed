using Pgark.Physical.Restore;

namespace Pgark.Tests.Physical.Restore;

public sealed class DirectFileStreamTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgark-direct-").FullName;
    private readonly DirectWriteThread _writer = new();
    private readonly AlignedBuffers _buffers = new();

    public void Dispose()
    {
        _writer.Dispose();
        _buffers.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8192)]
    [InlineData(AlignedBuffers.Size)]
    [InlineData(2 * AlignedBuffers.Size + 12_345)] // buffers handed over while the next fills, then a padded, cut tail
    public async Task Writes_exactly_the_bytes_given_in_pieces_of_any_size(int size)
    {
        byte[] content = new byte[size];
        new Random(size).NextBytes(content);
        string path = Path.Combine(_directory, "file");
        using (DirectFileStream? direct = DirectFileStream.TryCreate(path, replace: false, _writer, _buffers))
        {
            if (direct is null)
                return; // no direct I/O on this filesystem: the restore writes through FileStream, which other tests cover
            for (int at = 0, piece = 1; at < size; at += piece, piece = piece * 7 % 300_001 + 1)
                await direct.WriteAsync(content.AsMemory(at, Math.Min(piece, size - at)));
            await direct.CompleteAsync();
            direct.File.Dispose();
        }
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Refuses_an_existing_file_unless_asked_to_replace_it()
    {
        string path = Path.Combine(_directory, "existing");
        File.WriteAllBytes(path, new byte[3 * DirectIo.Alignment]);
        if (DirectIo.TryOpen(Path.Combine(_directory, "probe"), replace: false) is not { } probe)
            return; // no direct I/O here: the restore uses FileStream, whose modes other tests cover
        probe.Dispose();
        Assert.Throws<IOException>(() => DirectFileStream.TryCreate(path, replace: false, _writer, _buffers));
    }

    [Fact]
    public async Task Replacing_cuts_a_longer_file_to_what_was_written()
    {
        string path = Path.Combine(_directory, "replaced");
        File.WriteAllBytes(path, new byte[5 * AlignedBuffers.Size]);
        using (DirectFileStream? direct = DirectFileStream.TryCreate(path, replace: true, _writer, _buffers))
        {
            if (direct is null)
                return;
            await direct.WriteAsync(new byte[] { 1, 2, 3 });
            await direct.CompleteAsync();
            direct.File.Dispose();
        }
        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(path));
    }
}
