using System.Text;

namespace Pgark.Repository.Tests.Codecs;

/// <summary>Deterministic inputs for the zstd tests: compressible text-like bytes and incompressible noise.</summary>
internal static class ZstdTestData
{
    public static byte[] Compressible(int length, int seed = 1)
    {
        var random = new Random(seed);
        var text = new StringBuilder(length + 64);
        while (text.Length < length)
        {
            text.Append("INSERT INTO orders VALUES (").Append(random.Next(1_000_000)).Append(", 'customer-")
                .Append(random.Next(500)).Append("', ").Append(random.NextDouble().ToString("F4")).Append(");\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    public static byte[] Incompressible(int length, int seed = 2)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
