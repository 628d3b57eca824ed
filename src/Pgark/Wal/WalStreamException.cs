namespace Pgark.Wal;

/// <summary>
/// WAL streaming cannot proceed for a reason the user must fix (missing slot, wal_level, another streamer, a
/// different cluster's WAL in the repository). The message says what is wrong; <see cref="Hint"/> says what to do.
/// </summary>
public sealed class WalStreamException : Exception
{
    public WalStreamException(string message, string hint, Exception? inner = null) : base(message, inner) => Hint = hint;

    public string Hint { get; }
}
