namespace Pgark.Physical.Restore;

/// <summary>
/// A write-only stream that writes through to a file and feeds what passed to the manifest's checksum for it (none when
/// the manifest lists no checksum), and tells <c>written</c> how much passed (for progress). Writes are synchronous even from WriteAsync: the caller already runs on a pool thread
/// of its own, a write only copies into the page cache, and an asynchronous write to a regular file would only hop to
/// another pool thread to do the same.
/// </summary>
internal sealed class HashingFileStream(FileStream file, ManifestFileChecksum? checksum, Action<long>? written = null) : Stream
{
    public long Written { get; private set; }

    public ManifestFileChecksum? Checksum => checksum;

    /// <summary>
    /// Bytes after which a large file's writeback is started for what was written since (<see cref="Writeback"/>): left to
    /// the kernel, a 450 MiB table file stayed dirty in memory until its fsync, which then waited for all of it at the
    /// end of the restore while the cores sat idle; started as it goes, the disk writes while the restore decodes.
    /// </summary>
    internal const long WritebackStep = 8 << 20;

    private long _writebackFrom;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        checksum?.Append(buffer);
        file.Write(buffer);
        Written += buffer.Length;
        written?.Invoke(buffer.Length);
        if (Written - _writebackFrom >= WritebackStep)
        {
            Writeback.Start(file.SafeFileHandle, _writebackFrom, Written - _writebackFrom);
            _writebackFrom = Written;
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled(cancellationToken);
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;
    public override long Position { get => Written; set => throw new NotSupportedException(); }
    public override void Flush() => file.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            checksum?.Dispose();
        base.Dispose(disposing);
    }
}
