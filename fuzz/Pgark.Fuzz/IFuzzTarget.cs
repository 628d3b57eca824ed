namespace Pgark.Fuzz;

/// <summary>
/// One parser under fuzz. <see cref="Run"/> must return normally for every input the parser accepts or rejects
/// with its documented exception; anything else it throws (or a time/memory overrun seen by the driver) is a finding.
/// Adding a target (tar stream, WAL page, pack header) is one class implementing this, listed in <see cref="Targets"/>.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>Command-line name (--target NAME).</summary>
    string Name { get; }

    /// <summary>Seed corpus: real inputs, e.g. captured transcripts under tests/testdata.</summary>
    IReadOnlyList<byte[]> Seeds(string repositoryRoot);

    /// <summary>Parses one input. Expected rejections are caught inside; violations throw <see cref="FuzzViolation"/>.</summary>
    void Run(ReadOnlySpan<byte> input);
}

/// <summary>An accepted input that contradicts the spec (checked by the target itself).</summary>
internal sealed class FuzzViolation(string message) : Exception(message);

internal static class Targets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new BackendMessagesTarget(),
        new BackendReaderTarget(),
        new WalReaderTarget(),
        new WalArchiveNamesTarget(),
        new TarStreamParserTarget(),
    ];
}
