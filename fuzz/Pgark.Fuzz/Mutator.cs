using System.Buffers.Binary;

namespace Pgark.Fuzz;

/// <summary>
/// Deterministic mutations (same seed, same sequence): bit flips, byte sets, inserts, deletes, splices with
/// another corpus entry, length-field tweaks at message boundaries, truncation and chunk duplication.
/// </summary>
internal sealed class Mutator(Random random)
{
    private static readonly int[] s_interestingInts = [0, 1, 3, 4, 5, -1, -2, 0x7F, 0xFF, 0x7FFF, 0xFFFF, int.MaxValue, int.MinValue, 1 << 20, (1 << 30) + 4];

    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(input);
        int rounds = 1 + random.Next(4);
        for (int i = 0; i < rounds; i++)
            MutateOnce(data, corpus);
        return data.ToArray();
    }

    private void MutateOnce(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        switch (random.Next(8))
        {
            case 0 when data.Count > 0:
                int bit = random.Next(data.Count * 8);
                data[bit / 8] ^= (byte)(1 << (bit % 8));
                break;
            case 1 when data.Count > 0:
                data[random.Next(data.Count)] = (byte)random.Next(256);
                break;
            case 2:
                int at = random.Next(data.Count + 1);
                data.InsertRange(at, Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (byte)random.Next(256)));
                break;
            case 3 when data.Count > 0:
                int start = random.Next(data.Count);
                data.RemoveRange(start, Math.Min(data.Count - start, 1 + random.Next(16)));
                break;
            case 4 when corpus.Count > 0:
                byte[] other = corpus[random.Next(corpus.Count)];
                int from = random.Next(other.Length + 1);
                int cut = random.Next(data.Count + 1);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            case 5:
                TweakLengthField(data);
                break;
            case 6 when data.Count > 0:
                int keep = random.Next(data.Count);
                data.RemoveRange(keep, data.Count - keep);
                break;
            case 7 when data.Count > 0:
                int chunk = random.Next(data.Count);
                int length = Math.Min(data.Count - chunk, 1 + random.Next(64));
                data.InsertRange(random.Next(data.Count + 1), data.GetRange(chunk, length));
                break;
            default:
                TweakLengthField(data);
                break;
        }
    }

    /// <summary>Walks the message headers (code + Int32 length) and rewrites one length.</summary>
    private void TweakLengthField(List<byte> data)
    {
        var headers = new List<int>();
        long offset = 0;
        byte[] bytes = data.ToArray();
        while (offset + 5 <= bytes.Length && headers.Count < 10_000)
        {
            headers.Add((int)offset);
            int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan((int)offset + 1));
            if (length < 4)
                break;
            offset += 1L + length;
        }
        if (headers.Count == 0)
            return;
        int header = headers[random.Next(headers.Count)] + 1;
        int current = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(header));
        int value = random.Next(3) switch
        {
            0 => s_interestingInts[random.Next(s_interestingInts.Length)],
            1 => current + random.Next(-8, 9),
            _ => current ^ (1 << random.Next(32)),
        };
        Span<byte> encoded = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(encoded, value);
        for (int i = 0; i < 4; i++)
            data[header + i] = encoded[i];
    }
}
