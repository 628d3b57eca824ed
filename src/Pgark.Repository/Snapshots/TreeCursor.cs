namespace Pgark.Repository.Snapshots;

/// <summary>
/// Walks a parent snapshot's tree in step with a new backup (spec §7.1): both are in ascending ordinal path order, so a
/// repeat backup holds one parent file at a time while it looks up page hashes. Seek paths in ascending order.
/// </summary>
public sealed class TreeCursor : IAsyncDisposable
{
    private readonly IAsyncEnumerator<TreeFile> _files;
    private TreeFile? _current;
    private bool _started;
    private bool _ended;
    private string? _lastSought;

    internal TreeCursor(IAsyncEnumerable<TreeFile> files) => _files = files.GetAsyncEnumerator();

    /// <summary>The parent's entry for <paramref name="path"/>, or null when the parent has no such file.</summary>
    public async ValueTask<TreeFile?> SeekAsync(string path)
    {
        if (_lastSought is not null && string.CompareOrdinal(_lastSought, path) > 0)
            throw new ArgumentException($"paths must be sought in ascending ordinal order: '{path}' after '{_lastSought}'", nameof(path));
        _lastSought = path;
        if (!_started)
        {
            _started = true;
            await AdvanceAsync().ConfigureAwait(false);
        }
        while (!_ended && string.CompareOrdinal(_current!.Entry.Path, path) < 0)
            await AdvanceAsync().ConfigureAwait(false);
        return !_ended && _current!.Entry.Path == path ? _current : null;
    }

    public ValueTask DisposeAsync() => _files.DisposeAsync();

    private async ValueTask AdvanceAsync()
    {
        if (await _files.MoveNextAsync().ConfigureAwait(false))
            _current = _files.Current;
        else
            _ended = true;
    }
}
