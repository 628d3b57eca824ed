namespace Pgark.Wal;

/// <summary>
/// WAL streaming cannot proceed for a reason the user must fix (missing slot, wal_level, another streamer, a
/// different cluster's WAL in the repository). The message says what is wrong; <see cref="Hint"/> says what to do.
/// </summary>
public sealed class WalStreamException : Exception
{
    public WalStreamException(string message, string hint, Exception? inner = null, bool inRepository = false) : base(message, inner)
    {
        Hint = hint;
        InRepository = inRepository;
    }

    public string Hint { get; }

    /// <summary>The cause is in the repository (another streamer, another cluster's WAL), not in the server's configuration.</summary>
    public bool InRepository { get; }
}
