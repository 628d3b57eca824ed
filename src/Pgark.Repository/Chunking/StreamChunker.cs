using System.Buffers;
using System.Runtime.CompilerServices;

namespace Pgark.Repository.Chunking;

/// <summary>
/// Cuts a stream into FastCDC chunks through one pooled window of twice the maximum chunk size, so memory is
/// bounded by <see cref="FastCdcOptions.MaxSize"/> whatever the stream's length.
/// </summary>
/// <remarks>
/// A returned chunk is a view into the window: it stays valid only until the next <see cref="ReadChunkAsync"/> or
/// <see cref="Dispose"/>. Copy, compress or hash it before asking for the next one.
/// </remarks>
public sealed class StreamChunker : IDisposable
{
    private readonly Stream _source;
    private readonly FastCdc _chunker;
    private readonly ArrayPool<byte> _pool;
    private readonly int _maxSize;
    private byte[]? _window;
    private int _start;
    private int _end;
    private bool _endOfStream;

    public StreamChunker(Stream source, FastCdc chunker, ArrayPool<byte>? pool = null)
    {
        _source = source;
        _chunker = chunker;
        _pool = pool ?? ArrayPool<byte>.Shared;
        _maxSize = chunker.Options.MaxSize;
        _window = _pool.Rent(2 * _maxSize);
    }

    /// <summary>Stream offset of the next chunk's first byte.</summary>
    public long Position { get; private set; }

    /// <summary>The next chunk, or an empty memory at the end of the stream.</summary>
    public ValueTask<ReadOnlyMemory<byte>> ReadChunkAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_window is null, this);
        if (_end - _start >= _maxSize || _endOfStream)
        {
            return ValueTask.FromResult(Cut());
        }

        return FillAndCutAsync(cancellationToken);
    }

    public void Dispose()
    {
        if (_window is not null)
        {
            _pool.Return(_window);
            _window = null;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadOnlyMemory<byte>> FillAndCutAsync(CancellationToken cancellationToken)
    {
        byte[] window = _window!;

        // Slide the unconsumed tail to the front only when less than a max chunk of room is left after it,
        // so each byte is moved at most once per max-size stretch of the stream.
        if (window.Length - _start < _maxSize)
        {
            Buffer.BlockCopy(window, _start, window, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        while (_end - _start < _maxSize && !_endOfStream)
        {
            int read = await _source.ReadAsync(window.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            _endOfStream = read == 0;
            _end += read;
        }

        return Cut();
    }

    private ReadOnlyMemory<byte> Cut()
    {
        int length = _chunker.FindCutPoint(_window.AsSpan(_start, _end - _start), _endOfStream);
        var chunk = new ReadOnlyMemory<byte>(_window, _start, length);
        _start += length;
        Position += length;
        return chunk;
    }
}
