namespace Pgark.Cluster;

/// <summary>
/// A scratch cluster could not be found, created, started or stopped. The message says what failed (with the
/// server log tail where there is one); <see cref="Hint"/> says what to do.
/// </summary>
public sealed class LocalClusterException : Exception
{
    public LocalClusterException(string message, string? hint = null, Exception? inner = null)
        : base(hint is null ? message : $"{message}\nhint: {hint}", inner)
        => Hint = hint;

    public string? Hint { get; }
}
