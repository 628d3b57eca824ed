using System.Runtime.CompilerServices;
using System.Buffers;
using System.Globalization;
using System.Text;
using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Backend;

namespace Pgark.Wire.Connection;

// Row access: DataRow messages one at a time, values in text format (simple protocol).
public sealed partial class PgQueryReader
{
    private ReadOnlySequence<byte> _row;

    /// <summary>Number of fields in the current row.</summary>
    public int FieldCount => _fieldCount;

    /// <summary>
    /// Advances to the next row of the current row set; false at its CommandComplete (then <see cref="CommandTag"/>
    /// is set). Completes synchronously when the row is already buffered.
    /// </summary>
    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (Kind != PgResultKind.Rows || !_resultOpen)
            return new ValueTask<bool>(false);
        ValueTask<byte> pending = ReadMessageAsync();
        if (pending.IsCompletedSuccessfully)
        {
            // Fast path: the row is buffered. Re-wrap the code so the slow path never awaits a consumed ValueTask.
            byte code = pending.Result;
            if (code == BackendMessageCode.DataRow)
            {
                TakeRow();
                return new ValueTask<bool>(true);
            }
            if (code == BackendMessageCode.CommandComplete)
                return new ValueTask<bool>(EndOfRows(code));
            pending = new ValueTask<byte>(code);
        }
        return ReadRowSlowAsync(pending, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadRowSlowAsync(ValueTask<byte> pending, CancellationToken cancellationToken)
    {
        byte code;
        using (_connection.RegisterCancellation(cancellationToken))
            code = await pending.ConfigureAwait(false);
        if (code == BackendMessageCode.DataRow)
        {
            TakeRow();
            return true;
        }
        if (code == BackendMessageCode.ErrorResponse)
            throw await FailAsync().ConfigureAwait(false);
        return EndOfRows(code);
    }

    private bool EndOfRows(byte code)
    {
        if (code == BackendMessageCode.CommandComplete)
        {
            CommandTag = CommandComplete.Parse(_connection.Messages.Payload);
            _resultOpen = false;
            _fieldCount = 0;
            return false;
        }
        throw _connection.UnexpectedMessage(code, "inside a row set");
    }

    private void TakeRow()
    {
        _row = _connection.Messages.Payload;
        _fieldCount = DataRow.Parse(_row, ref _fields);
        if (_fieldCount != Columns.Count)
            throw _connection.Fail(new PgProtocolException($"DataRow has {_fieldCount} fields but RowDescription declared {Columns.Count}"));
    }

    public bool IsNull(int ordinal) => Field(ordinal).Length < 0;

    /// <summary>The raw (text-format) bytes of a field; valid until the next read. Empty for NULL.</summary>
    public ReadOnlySequence<byte> GetBytes(int ordinal)
    {
        (long offset, int length) = Field(ordinal);
        return length <= 0 ? ReadOnlySequence<byte>.Empty : _row.Slice(offset, length);
    }

    /// <summary>The field as a string; null for NULL.</summary>
    public string? GetString(int ordinal)
    {
        (long offset, int length) = Field(ordinal);
        return length < 0 ? null : Encoding.UTF8.GetString(_row.Slice(offset, length));
    }

    /// <summary>The field parsed as a decimal integer (int8, int4, oid, xid as text).</summary>
    public long GetInt64(int ordinal)
    {
        string text = GetString(ordinal) ?? throw new InvalidCastException($"field {ordinal} ({Columns[ordinal].Name}) is NULL");
        return long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    private (long Offset, int Length) Field(int ordinal)
    {
        if ((uint)ordinal >= (uint)_fieldCount)
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"the current row has {_fieldCount} fields");
        return _fields[ordinal];
    }
}
