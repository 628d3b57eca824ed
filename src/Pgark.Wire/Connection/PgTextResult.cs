using Pgark.Wire.Messages.Backend;

namespace Pgark.Wire.Connection;

/// <summary>A small, fully buffered query result in text form (see <see cref="PgConnection.QueryTextAsync"/>).</summary>
public sealed record PgTextResult(IReadOnlyList<PgColumn> Columns, IReadOnlyList<string?[]> Rows, string? CommandTag)
{
    /// <summary>The single value of a one-row, one-column result.</summary>
    public string? Scalar => Rows.Count == 1 && Rows[0].Length == 1
        ? Rows[0][0]
        : throw new InvalidOperationException($"expected one row with one column, got {Rows.Count} rows");
}
