using Pgark.Wire.Copy;
using Pgark.Wire.Messages.Backend;
using Pgark.Wire.Messages.Frontend;

namespace Pgark.Wire.Connection;

// Simple-protocol entry points: QueryAsync streams; QueryTextAsync/ExecuteAsync are conveniences for small results.
public sealed partial class PgConnection
{
    /// <summary>
    /// Sends one simple Query (which may hold several statements, or a replication command) and returns a reader
    /// over its results. <paramref name="cancellationToken"/> stays in force until the reader reaches
    /// ReadyForQuery: if it fires, a CancelRequest goes to the server.
    /// </summary>
    public async Task<PgQueryReader> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        cancellationToken.ThrowIfCancellationRequested();
        BeginCommand();
        Query.Write(_pipeWriter!, sql);
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return new PgQueryReader(this, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> and returns every row of every row set as text, for small results (catalog
    /// lookups, replication commands). More than <see cref="PgConnectionOptions.MaxBufferedRows"/> rows is an error:
    /// use <see cref="QueryAsync"/> to stream large results.
    /// </summary>
    public async Task<PgTextResult> QueryTextAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using PgQueryReader reader = await QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        var rows = new List<string?[]>();
        IReadOnlyList<PgColumn> columns = [];
        string? tag = null;
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.Kind is PgResultKind.CopyIn or PgResultKind.CopyBoth or PgResultKind.CopyOut)
                throw new InvalidOperationException($"QueryTextAsync cannot run a COPY ({reader.Kind}); use CopyOutAsync or CopyInAsync");
            if (reader.Kind == PgResultKind.Rows)
                columns = reader.Columns;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (rows.Count == _options.MaxBufferedRows)
                {
                    throw new InvalidOperationException(
                        $"the query returned more than {_options.MaxBufferedRows} rows; stream it with QueryAsync instead");
                }
                var row = new string?[reader.FieldCount];
                for (int i = 0; i < row.Length; i++)
                    row[i] = reader.GetString(i);
                rows.Add(row);
            }
            tag = reader.CommandTag ?? tag;
        }
        return new PgTextResult(columns, rows, tag);
    }

    /// <summary>Runs statements whose rows do not matter; returns the last CommandComplete tag.</summary>
    public async Task<string?> ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using PgQueryReader reader = await QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        string? tag = null;
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.Kind is PgResultKind.CopyIn or PgResultKind.CopyBoth)
                throw new InvalidOperationException($"ExecuteAsync cannot run a COPY ({reader.Kind}); use CopyInAsync");
            while (reader.Kind == PgResultKind.Rows && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
            }
            tag = reader.CommandTag ?? tag;
        }
        return tag;
    }

    /// <summary>
    /// Starts <c>COPY ... TO STDOUT</c> and returns the reader positioned on the CopyOut result: call
    /// <see cref="PgQueryReader.ReadCopyDataAsync"/> until false, then dispose the reader.
    /// </summary>
    public async Task<PgQueryReader> CopyOutAsync(string copySql, CancellationToken cancellationToken = default)
    {
        PgQueryReader reader = await QueryAsync(copySql, cancellationToken).ConfigureAwait(false);
        if (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false) && reader.Kind == PgResultKind.CopyOut)
            return reader;
        PgResultKind kind = reader.Kind;
        await reader.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"\"{copySql}\" did not start COPY OUT (the server answered {kind})");
    }

    /// <summary>
    /// Starts <c>COPY ... FROM STDIN</c> and returns a writer for the data; finish with
    /// <see cref="PgCopyInWriter.CompleteAsync"/> or <see cref="PgCopyInWriter.FailAsync"/>.
    /// </summary>
    public async Task<PgCopyInWriter> CopyInAsync(string copySql, CancellationToken cancellationToken = default)
    {
        PgQueryReader reader = await QueryAsync(copySql, cancellationToken).ConfigureAwait(false);
        if (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false) && reader.Kind == PgResultKind.CopyIn)
            return new PgCopyInWriter(reader);
        PgResultKind kind = reader.Kind;
        await reader.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"\"{copySql}\" did not start COPY IN (the server answered {kind})");
    }
}
