using System.Text;
using Pgark.Tuning;

namespace Pgark.Tests.Tuning;

/// <summary>Deterministic relation-like data: text rows that compress well, or random bytes that do not compress at all.</summary>
internal static class TuneData
{
    public static byte[] Compressible(int bytes, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes + 200);
        string[] words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
        for (var row = 0; text.Length < bytes; row++)
            text.Append("row ").Append(row).Append(" customer_").Append(random.Next(1000)).Append(' ')
                .Append(words[random.Next(words.Length)]).Append(' ').Append(words[random.Next(words.Length)]).Append(" balance=")
                .Append(random.Next(100_000)).Append(";\n");
        return Encoding.ASCII.GetBytes(text.ToString())[..bytes];
    }

    public static byte[] Incompressible(int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A sample of <paramref name="windows"/> relation windows (1 MiB each) from <paramref name="generate"/>.</summary>
    public static TuneSample Sample(Func<int, int, byte[]> generate, int windows)
    {
        var list = Enumerable.Range(0, windows)
            .Select(i => new SampleWindow($"base/5/{16384 + i % 3}", i / 3 * (long)SampleCollector.WindowSize, isRelation: true,
                generate(SampleCollector.WindowSize, i)))
            .ToList();
        return new TuneSample("test", list, 100L * windows * SampleCollector.WindowSize, 0, windows * (long)SampleCollector.WindowSize, Complete: true);
    }
}
