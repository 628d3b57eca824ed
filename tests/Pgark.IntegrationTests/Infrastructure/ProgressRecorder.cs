namespace Pgark.IntegrationTests.Infrastructure;

/// <summary>
/// Keeps every report in the order it was made, synchronously (Progress&lt;T&gt; would post to the thread pool and
/// could deliver reports late or out of order, which is not what an embedding program's callback sees).
/// </summary>
public sealed class ProgressRecorder<T> : IProgress<T>
{
    private readonly List<T> _reports = [];
    private readonly Lock _lock = new();

    public void Report(T value)
    {
        lock (_lock)
            _reports.Add(value);
    }

    public IReadOnlyList<T> Reports
    {
        get
        {
            lock (_lock)
                return [.. _reports];
        }
    }
}
