namespace Pgark.Wal.Show;

/// <summary>wal show cannot answer: the archive lacks what the request needs. <see cref="Hint"/> says what to do.</summary>
public sealed class WalShowException(string message, string hint) : Exception(message)
{
    public string Hint { get; } = hint;
}
