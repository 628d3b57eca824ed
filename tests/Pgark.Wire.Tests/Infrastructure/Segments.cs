using System.Buffers;

namespace Pgark.Wire.Tests.Infrastructure;

/// <summary>Builds multi-segment ReadOnlySequences so parsers are tested across segment boundaries.</summary>
internal sealed class Segment : ReadOnlySequenceSegment<byte>
{
    public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

    public Segment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
        Next = next;
        return next;
    }

    /// <summary>Splits <paramref name="bytes"/> at the given offsets into one sequence.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var points = new List<int> { 0 };
        points.AddRange(cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order());
        points.Add(bytes.Length);
        var first = new Segment(bytes.AsMemory(points[0], points[1] - points[0]));
        Segment last = first;
        for (int i = 1; i < points.Count - 1; i++)
            last = last.Append(bytes.AsMemory(points[i], points[i + 1] - points[i]));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
