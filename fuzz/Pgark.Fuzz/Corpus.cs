using System.Buffers;

namespace Pgark.Fuzz;

internal static class Corpus
{
    /// <summary>Captured real-server transcripts (tests/testdata/wire/*.bin).</summary>
    public static IReadOnlyList<byte[]> WireTranscripts(string repositoryRoot)
    {
        string dir = Path.Combine(repositoryRoot, "tests", "testdata", "wire");
        return Directory.Exists(dir) ? Directory.GetFiles(dir, "*.bin").Order().Select(File.ReadAllBytes).ToList() : [];
    }

    /// <summary>The input as a ReadOnlySequence cut into segments at points derived from its own bytes.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] input)
    {
        if (input.Length < 2)
            return new ReadOnlySequence<byte>(input);
        int step = 1 + input[0] % 13;
        var first = new Segment(input.AsMemory(0, Math.Min(step, input.Length)), 0);
        Segment last = first;
        for (int offset = step; offset < input.Length; offset += step)
            last = last.Append(input.AsMemory(offset, Math.Min(step, input.Length - offset)));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
