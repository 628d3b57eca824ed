namespace Pgark.Tuning;

/// <summary>
/// Chooses the sample while the cluster's files stream past (spec/tune.md §2). Every file is cut into 1 MiB windows at
/// 1 MiB-aligned offsets, all files' windows are counted in one sequence, and every k-th window of that sequence is kept,
/// k = ⌈estimated cluster bytes / budget⌉. So each relation contributes in proportion to its size: a huge table cannot
/// crowd out the rest, and the sample spreads over every part of every file. Memory is the budget plus one window.
/// </summary>
public sealed class SampleCollector
{
    public const int WindowSize = 1 << 20;

    private readonly long _budget;
    private readonly long _stride;
    private readonly List<SampleWindow> _windows = [];
    private long _windowSequence;
    private string? _path;
    private bool _isRelation;
    private long _fileOffset;
    private byte[]? _current;
    private long _currentStart;
    private int _currentFill;

    /// <param name="estimatedClusterBytes">The cluster size as known before reading (PROGRESS estimate or the backup's tree).</param>
    /// <param name="budget">Sample bytes to keep at most (--sample).</param>
    public SampleCollector(long estimatedClusterBytes, long budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, WindowSize);
        _budget = budget;
        _stride = Math.Max(1, (estimatedClusterBytes + budget - 1) / budget);
    }

    /// <summary>Keep one window in this many.</summary>
    public long Stride => _stride;
    public long SampledBytes { get; private set; }
    public long RelationBytesSeen { get; private set; }
    public long OtherBytesSeen { get; private set; }
    public bool BudgetReached => SampledBytes + WindowSize > _budget;
    public IReadOnlyList<SampleWindow> Windows => _windows;

    public void BeginFile(string path, bool isRelation)
    {
        _path = path;
        _isRelation = isRelation;
        _fileOffset = 0;
    }

    /// <summary>The next bytes of the current file.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var inWindow = (int)(_fileOffset % WindowSize);
            if (inWindow == 0)
                StartWindow();
            var take = Math.Min(data.Length, WindowSize - inWindow);
            if (_current is not null)
            {
                data[..take].CopyTo(_current.AsSpan(_currentFill));
                _currentFill += take;
                if (_currentFill == WindowSize)
                    KeepWindow();
            }
            _fileOffset += take;
            if (_isRelation)
                RelationBytesSeen += take;
            else
                OtherBytesSeen += take;
            data = data[take..];
        }
    }

    public void EndFile()
    {
        if (_current is not null && _currentFill > 0)
            KeepWindow();
        _current = null;
        if (_fileOffset == 0)
            _windowSequence++; // an empty file is one (empty) window of the sequence, so stride positions don't depend on it
        _path = null;
    }

    /// <summary>
    /// For a source that can read windows selectively (a backup in a repository): advances the window sequence over a file of
    /// <paramref name="size"/> bytes and returns the offsets of the windows to keep; hand their bytes to <see cref="AddWindow"/>.
    /// </summary>
    public List<long> PlanFile(long size, bool isRelation)
    {
        var offsets = new List<long>();
        var windows = Math.Max(1, (size + WindowSize - 1) / WindowSize);
        var planned = 0L;
        for (long w = 0; w < windows; w++)
        {
            if (size > 0 && TakeNext(planned))
            {
                offsets.Add(w * WindowSize);
                planned += Math.Min(WindowSize, size - w * WindowSize);
            }
            else if (size == 0)
                _windowSequence++;
        }
        if (isRelation)
            RelationBytesSeen += size;
        else
            OtherBytesSeen += size;
        return offsets;
    }

    public void AddWindow(string path, long offset, bool isRelation, byte[] data)
    {
        _windows.Add(new SampleWindow(path, offset, isRelation, data));
        SampledBytes += data.Length;
    }

    private bool TakeNext(long pendingBytes)
    {
        var take = _windowSequence % _stride == _stride / 2 && SampledBytes + pendingBytes + WindowSize <= _budget;
        _windowSequence++;
        return take;
    }

    private void StartWindow()
    {
        var take = TakeNext(0);
        _current = take ? new byte[WindowSize] : null;
        _currentStart = _fileOffset;
        _currentFill = 0;
    }

    private void KeepWindow()
    {
        var data = _currentFill == WindowSize ? _current! : _current.AsSpan(0, _currentFill).ToArray();
        _windows.Add(new SampleWindow(_path!, _currentStart, _isRelation, data));
        SampledBytes += data.Length;
        _current = null;
    }
}
