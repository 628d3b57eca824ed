using System.Buffers;
using Pgark.Wire.Messages.Backend;
using Pgark.Wire.Tests.Infrastructure;

namespace Pgark.Wire.Tests.Messages;

public class BackendMessageParserTests
{
    private static ReadOnlySequence<byte> Payload(byte[] message) => new(message[5..]);

    [Fact]
    public void DataRowRecordsOffsetsAndNulls()
    {
        var fields = new (long, int)[1];
        int count = DataRow.Parse(Payload(Backend.DataRow("ab", null, "", "xyz")), ref fields);
        Assert.Equal(4, count);
        Assert.Equal([(6L, 2), (12L, -1), (16L, 0), (20L, 3)], fields[..4]);
    }

    [Fact]
    public void DataRowWithMoreFieldsThanBytesIsRejectedBeforeAllocating()
    {
        var fields = new (long, int)[1];
        byte[] message = Backend.Message('D', Backend.I16(short.MaxValue), Backend.I32(-1));
        var e = Assert.Throws<PgProtocolException>(() => DataRow.Parse(Payload(message), ref fields));
        Assert.Equal("DataRow declares 32767 fields but carries 4 bytes", e.Message);
        Assert.Single(fields);
    }

    [Fact]
    public void DataRowFieldRunningPastTheEndIsTruncation()
    {
        var fields = new (long, int)[1];
        byte[] message = Backend.Message('D', Backend.I16(1), Backend.I32(10), [1, 2]);
        var e = Assert.Throws<PgProtocolException>(() => DataRow.Parse(Payload(message), ref fields));
        Assert.Equal("DataRow message is shorter than its fields require (connection desynchronized)", e.Message);
    }

    [Fact]
    public void RowDescriptionParsesColumns()
    {
        PgColumn[] columns = RowDescription.Parse(Payload(Backend.RowDescription("id", "name")));
        Assert.Equal(["id", "name"], columns.Select(c => c.Name));
        Assert.All(columns, c => Assert.Equal(25u, c.TypeOid));
    }

    [Fact]
    public void ErrorResponseKeepsEveryField()
    {
        PgServerException e = ErrorResponse.ParseError(Payload(Backend.Error("22012", "division by zero")));
        Assert.Equal("22012", e.SqlState);
        Assert.Equal("ERROR", e.Severity);
        Assert.Equal("division by zero", e.MessageText);
        Assert.Equal("ERROR: division by zero (SQLSTATE 22012)", e.Message);
        Assert.Equal(4, e.Fields.Count);
    }

    [Fact]
    public void ErrorResponseWithoutTerminatorIsAProtocolError()
    {
        byte[] message = Backend.Message('E', [(byte)'M'], "unterminated"u8.ToArray());
        var e = Assert.Throws<PgProtocolException>(() => ErrorResponse.ParseError(Payload(message)));
        Assert.Equal("ErrorResponse message has a string without its NUL terminator (connection desynchronized)", e.Message);
    }

    [Fact]
    public void Md5SaltMustBeFourBytes()
    {
        var e = Assert.Throws<PgProtocolException>(() => AuthenticationRequest.Parse(Payload(Backend.Message('R', Backend.I32(5), [1, 2, 3]))));
        Assert.Equal("AuthenticationMD5Password carries 3 salt bytes, expected 4", e.Message);
    }

    [Fact]
    public void SaslMechanismsAreListed()
    {
        byte[] message = Backend.Message('R', Backend.I32(10), Backend.Str("SCRAM-SHA-256-PLUS"), Backend.Str("SCRAM-SHA-256"), [0]);
        AuthenticationRequest request = AuthenticationRequest.Parse(Payload(message));
        Assert.Equal(AuthenticationKind.Sasl, request.Kind);
        Assert.Equal(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"], request.ReadSaslMechanisms());
    }

    [Fact]
    public void ReadyForQueryRejectsUnknownStatus()
    {
        Assert.Equal(TransactionStatus.InTransaction, ReadyForQuery.Parse(Payload(Backend.Ready('T'))));
        Assert.Throws<PgProtocolException>(() => ReadyForQuery.Parse(Payload(Backend.Ready('Q'))));
    }

    [Fact]
    public void CopyResponseChecksColumnFormats()
    {
        Assert.Equal((false, (short)2), CopyResponse.Parse(Payload(Backend.CopyOutResponse(2)), "CopyOutResponse"));
        byte[] bad = Backend.Message('H', [0], Backend.I16(1), Backend.I16(7));
        Assert.Throws<PgProtocolException>(() => CopyResponse.Parse(Payload(bad), "CopyOutResponse"));
    }
}
