namespace Pgark.Wire.Messages.Backend;

/// <summary>A NoticeResponse (WARNING, NOTICE, INFO, LOG, DEBUG): informational, the command goes on.</summary>
public sealed record PgNotice(string Severity, string SqlState, string MessageText, string? Detail, string? Hint,
    IReadOnlyDictionary<char, string> Fields)
{
    public override string ToString() => $"{Severity}: {MessageText}";
}
