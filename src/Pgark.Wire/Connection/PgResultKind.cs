namespace Pgark.Wire.Connection;

/// <summary>What the current result of a <see cref="PgQueryReader"/> is.</summary>
public enum PgResultKind
{
    /// <summary>No current result: before the first NextResultAsync, or after ReadyForQuery.</summary>
    None,
    /// <summary>A RowDescription: read rows with ReadAsync, then CommandTag is set.</summary>
    Rows,
    /// <summary>A command without rows (CommandComplete only); CommandTag is set.</summary>
    Command,
    /// <summary>An empty query string (EmptyQueryResponse).</summary>
    Empty,
    /// <summary>CopyOutResponse: read payloads with ReadCopyDataAsync.</summary>
    CopyOut,
    /// <summary>CopyInResponse: the server waits for CopyData; use <see cref="Copy.PgCopyInWriter"/>.</summary>
    CopyIn,
    /// <summary>CopyBothResponse: replication streaming; use <see cref="Replication.ReplicationStream"/>.</summary>
    CopyBoth,
}
