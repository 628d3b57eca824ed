namespace Pgark.Logical;

/// <summary>
/// A logical backup or restore failed on a named object (table, index, function ...); <see cref="Exception.InnerException"/>
/// carries PostgreSQL's own error when the server refused a statement.
/// </summary>
public sealed class LogicalException : Exception
{
    public LogicalException(string message, string? objectName = null, Exception? inner = null)
        : base(message, inner) => ObjectName = objectName;

    /// <summary>The object the failure concerns, e.g. "table public.orders", or null for the whole operation.</summary>
    public string? ObjectName { get; }
}
