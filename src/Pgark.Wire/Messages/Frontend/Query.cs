using System.IO.Pipelines;

namespace Pgark.Wire.Messages.Frontend;

/// <summary>'Q' Query (simple protocol): <c>String sql</c>. Also carries every replication command.</summary>
internal static class Query
{
    public const byte Code = (byte)'Q';

    public static void Write(PipeWriter writer, string sql)
    {
        var message = FrontendMessageWriter.Start(writer, Code, FrontendMessageWriter.CStringLength(sql));
        message.WriteCString(sql);
        message.Complete();
    }
}
