using System.Buffers;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;

namespace Pgark.Physical;

/// <summary>
/// Stores a relation file as aligned extents (spec §7.1): buffers one extent, then queues it with
/// <see cref="BackupSession.QueueExtentAsync"/> with the parent snapshot's extent at the same position, so an unchanged
/// extent costs nothing and a changed one becomes a page delta. The extent list fills as the session retires the queued
/// work: complete once the session is drained (it drains before it adds files or commits).
/// </summary>
internal sealed class PagedFileSink : IDisposable
{
    private readonly BackupSession _session;
    private readonly IReadOnlyList<ExtentRef>? _parent;
    private readonly List<ExtentRef> _extents = [];
    private readonly int _extentSize;
    private byte[]? _extent;
    private int _fill;
    private int _queued;

    /// <param name="extentSize">The repository's extent size (spec §4.1); the parent's extents must have the same size.</param>
    public PagedFileSink(BackupSession session, IReadOnlyList<ExtentRef>? parentExtents, int extentSize)
    {
        _session = session;
        _parent = parentExtents;
        _extentSize = extentSize;
        _extent = ArrayPool<byte>.Shared.Rent(extentSize);
    }

    public long Length { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int take = Math.Min(data.Length, _extentSize - _fill);
            data.Span[..take].CopyTo(_extent.AsSpan(_fill));
            _fill += take;
            Length += take;
            data = data[take..];
            if (_fill == _extentSize)
                await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<IReadOnlyList<ExtentRef>> FinishAsync(CancellationToken cancellationToken)
    {
        if (_fill > 0)
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        return _extents;
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        ExtentRef? parent = _parent is not null && _queued < _parent.Count ? _parent[_queued] : null;
        await _session.QueueExtentAsync(_extent.AsMemory(0, _fill), FormatConstants.DefaultPageSize,
            _extentSize / FormatConstants.DefaultPageSize, parent, _extents, cancellationToken).ConfigureAwait(false);
        _queued++;
        _fill = 0;
    }

    public void Dispose()
    {
        if (_extent is not null)
            ArrayPool<byte>.Shared.Return(_extent);
        _extent = null;
    }
}
