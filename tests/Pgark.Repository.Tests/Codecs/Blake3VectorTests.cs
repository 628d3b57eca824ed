using Pgark.Repository.Codecs;
using static Pgark.Repository.Tests.Codecs.Blake3TestData;

namespace Pgark.Repository.Tests.Codecs;

/// <summary>Every case of the official test vectors, full extended output, through every entry point and backend.</summary>
public sealed class Blake3VectorTests
{
    public static TheoryData<int> InputLengths()
    {
        var data = new TheoryData<int>();
        foreach (VectorCase c in Vectors.Cases)
        {
            data.Add(c.InputLength);
        }

        return data;
    }

    [Fact]
    public void VectorFileHasAllCases()
    {
        Assert.Equal(35, Vectors.Cases.Length);
        Assert.All(Vectors.Cases, c => Assert.Equal(131, c.Hash.Length));
    }

    [Theory]
    [MemberData(nameof(InputLengths))]
    public void OneShotMatchesVectors(int inputLength)
    {
        VectorCase expected = Case(inputLength);
        byte[] input = PatternInput(inputLength);
        var output = new byte[expected.Hash.Length];

        Blake3.Hash(input, output);
        Assert.Equal(Convert.ToHexString(expected.Hash), Convert.ToHexString(output));
        Blake3.KeyedHash(Vectors.Key, input, output);
        Assert.Equal(Convert.ToHexString(expected.KeyedHash), Convert.ToHexString(output));
        Blake3.DeriveKey(Vectors.Context, input, output);
        Assert.Equal(Convert.ToHexString(expected.DeriveKey), Convert.ToHexString(output));

        var digest = new byte[Blake3.OutputSize];
        Blake3.Hash(input, digest);
        Assert.Equal(expected.Hash[..32], digest);
    }

    [Theory]
    [MemberData(nameof(InputLengths))]
    public void IncrementalMatchesVectors(int inputLength)
    {
        VectorCase expected = Case(inputLength);
        byte[] input = PatternInput(inputLength);
        (Blake3Hasher Hasher, byte[] Expected)[] modes =
        [
            (new Blake3Hasher(), expected.Hash),
            (Blake3Hasher.CreateKeyed(Vectors.Key), expected.KeyedHash),
            (Blake3Hasher.CreateDeriveKey(Vectors.Context), expected.DeriveKey),
        ];
        foreach ((Blake3Hasher hasher, byte[] want) in modes)
        {
            // Odd-sized pieces cross every block and chunk boundary at a different offset.
            for (int offset = 0; offset < input.Length; offset += 97)
            {
                hasher.Update(input.AsSpan(offset, Math.Min(97, input.Length - offset)));
            }

            var output = new byte[want.Length];
            hasher.Finalize(output);
            Assert.Equal(Convert.ToHexString(want), Convert.ToHexString(output));
        }
    }

    [Theory]
    [MemberData(nameof(InputLengths))]
    public void EveryBackendMatchesVectors(int inputLength)
    {
        VectorCase expected = Case(inputLength);
        byte[] input = PatternInput(inputLength);
        var output = new byte[expected.Hash.Length];
        foreach (Blake3Backend backend in SupportedBackends())
        {
            Blake3.HashCore(backend, input, Blake3Constants.IVBytes, 0, output);
            Assert.True(expected.Hash.AsSpan().SequenceEqual(output), $"hash on {backend}");
            Blake3.HashCore(backend, input, Vectors.Key, Blake3Constants.KeyedHash, output);
            Assert.True(expected.KeyedHash.AsSpan().SequenceEqual(output), $"keyed_hash on {backend}");
        }
    }

    [Theory]
    [MemberData(nameof(InputLengths))]
    public void SeekableOutputReaderMatchesEveryOffset(int inputLength)
    {
        VectorCase expected = Case(inputLength);
        var hasher = new Blake3Hasher();
        hasher.Update(PatternInput(inputLength));
        Blake3OutputReader reader = hasher.FinalizeXof();
        foreach (int start in (int[])[0, 1, 31, 63, 64, 65, 100, 130])
        {
            reader.Position = (ulong)start;
            var output = new byte[expected.Hash.Length - start];
            reader.Read(output.AsSpan(0, 1));
            reader.Read(output.AsSpan(1));
            Assert.Equal(expected.Hash[start..], output);
            Assert.Equal((ulong)expected.Hash.Length, reader.Position);
        }
    }

    private static VectorCase Case(int inputLength) => Vectors.Cases.Single(c => c.InputLength == inputLength);
}
