using System.Buffers;
using Pgark.Repository;
using Pgark.Repository.Chunking;
using Pgark.Repository.Snapshots;

namespace Pgark.Physical;

/// <summary>
/// Cuts a file that arrives in pieces into FastCDC chunks and stores them. Holds one pooled window of twice the
/// maximum chunk size: a chunk is cut once a maximum chunk is buffered, so the content-defined cut points are
/// the same as <see cref="StreamChunker"/> would find over the whole file.
/// </summary>
internal sealed class ChunkedFileSink : IDisposable
{
    private readonly BackupSession _session;
    private readonly FastCdc _chunker;
    private readonly int _maxSize;
    private readonly List<ChunkRef> _chunks = [];
    private byte[]? _window;
    private int _fill;

    public ChunkedFileSink(BackupSession session, FastCdc chunker)
    {
        _session = session;
        _chunker = chunker;
        _maxSize = chunker.Options.MaxSize;
        _window = ArrayPool<byte>.Shared.Rent(2 * _maxSize);
    }

    public long Length { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int take = Math.Min(data.Length, _window!.Length - _fill);
            data.Span[..take].CopyTo(_window.AsSpan(_fill));
            _fill += take;
            Length += take;
            data = data[take..];
            while (_fill >= _maxSize)
                await CutAsync(isFinal: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Queues what is left and returns the file's chunk list (complete once the session is drained).</summary>
    public async ValueTask<IReadOnlyList<ChunkRef>> FinishAsync(CancellationToken cancellationToken)
    {
        while (_fill > 0)
            await CutAsync(isFinal: true, cancellationToken).ConfigureAwait(false);
        return _chunks;
    }

    private async ValueTask CutAsync(bool isFinal, CancellationToken cancellationToken)
    {
        int length = _chunker.FindCutPoint(_window.AsSpan(0, _fill), isFinal);
        await _session.QueueChunkAsync(_window.AsMemory(0, length), _chunks, cancellationToken: cancellationToken).ConfigureAwait(false);
        // QueueChunkAsync copied the bytes, so the window can be reused; the chunk list fills as the session retires the work.
        Buffer.BlockCopy(_window!, length, _window!, 0, _fill - length);
        _fill -= length;
    }

    public void Dispose()
    {
        if (_window is not null)
            ArrayPool<byte>.Shared.Return(_window);
        _window = null;
    }
}
