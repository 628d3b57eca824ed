namespace Pgark.Wire;

/// <summary>Base of every error raised by the wire layer. The CLI maps each subclass to one exit code.</summary>
public abstract class PgWireException : Exception
{
    protected PgWireException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>What the server said in an ErrorResponse: SQLSTATE, severity, message, detail, hint.</summary>
public sealed class PgServerException : PgWireException
{
    public PgServerException(string severity, string sqlState, string messageText, string? detail, string? hint,
        IReadOnlyDictionary<char, string> fields)
        : base(string.IsNullOrEmpty(detail) ? $"{severity}: {messageText} (SQLSTATE {sqlState})"
                                            : $"{severity}: {messageText} (SQLSTATE {sqlState}); detail: {detail}")
    {
        Severity = severity;
        SqlState = sqlState;
        MessageText = messageText;
        Detail = detail;
        Hint = hint;
        Fields = fields;
    }

    /// <summary>Non-localized severity ('V' field) when the server sends it, else the localized one ('S').</summary>
    public string Severity { get; }
    public string SqlState { get; }
    public string MessageText { get; }
    public string? Detail { get; }
    public string? Hint { get; }
    /// <summary>Every field of the ErrorResponse, keyed by its protocol code ('S', 'C', 'M', 'D', 'H', 'P', 'W', ...).</summary>
    public IReadOnlyDictionary<char, string> Fields { get; }
}

/// <summary>The server sent something the protocol does not allow here. The connection is closed; never skipped over.</summary>
public sealed class PgProtocolException : PgWireException
{
    public PgProtocolException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>Why a connection could not be made or was lost.</summary>
public enum PgConnectionFailure
{
    /// <summary>Host unreachable, connection refused, name not resolved.</summary>
    Unreachable,
    /// <summary>TLS negotiation or certificate verification failed, or TLS was required and refused.</summary>
    Tls,
    /// <summary>The server rejected the credentials, or the authentication exchange failed verification.</summary>
    Authentication,
    /// <summary>An established connection broke (server shut down, killed, network cut).</summary>
    Lost,
    /// <summary>A connect or command timeout expired.</summary>
    Timeout,
    /// <summary>
    /// The server refused to start the session for a reason other than credentials (database does not exist,
    /// too many connections, starting up or shutting down, no replication permission). The server's
    /// <see cref="PgServerException"/> (with its SQLSTATE) is the InnerException.
    /// </summary>
    Rejected,
}

/// <summary>Transport, TLS or authentication failure.</summary>
public sealed class PgConnectionException : PgWireException
{
    public PgConnectionException(PgConnectionFailure failure, string message, Exception? inner = null) : base(message, inner)
        => Failure = failure;

    public PgConnectionFailure Failure { get; }
}

/// <summary>A connection string, URI, environment variable or passfile entry that cannot be understood.</summary>
public sealed class ConnectionStringException : PgWireException
{
    public ConnectionStringException(string message) : base(message) { }
}
