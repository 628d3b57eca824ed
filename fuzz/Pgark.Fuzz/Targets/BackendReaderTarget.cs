using System.IO.Pipelines;
using Pgark.Wire;
using Pgark.Wire.Messages;

namespace Pgark.Fuzz;

/// <summary>
/// Backend byte stream → Pipe (written in input-derived chunk sizes) → BackendMessageReader until the stream
/// ends. Accepted outcomes: every message read then PgConnectionException(Lost) at the end of input, or an
/// earlier PgProtocolException.
/// </summary>
internal sealed class BackendReaderTarget : IFuzzTarget
{
    private static readonly MessageLimits s_limits = new() { MaxDataMessageLength = 1 << 20, MaxControlMessageLength = 1 << 16 };

    public string Name => "backend-reader";

    public IReadOnlyList<byte[]> Seeds(string repositoryRoot) => Corpus.WireTranscripts(repositoryRoot);

    public void Run(ReadOnlySpan<byte> input) => RunAsync(input.ToArray()).GetAwaiter().GetResult();

    private static async Task RunAsync(byte[] input)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        int chunk = 1 + (input.Length == 0 ? 0 : input[^1] % 97);
        for (int offset = 0; offset < input.Length; offset += chunk)
            await pipe.Writer.WriteAsync(input.AsMemory(offset, Math.Min(chunk, input.Length - offset)));
        await pipe.Writer.CompleteAsync();

        var reader = new BackendMessageReader(pipe.Reader, s_limits);
        long consumed = 0;
        try
        {
            while (true)
            {
                await reader.ReadAsync();
                consumed += BackendFraming.HeaderLength + reader.Payload.Length;
                if (consumed > input.Length)
                    throw new FuzzViolation($"reader returned {consumed} bytes of messages from {input.Length} bytes of input");
            }
        }
        catch (PgConnectionException e) when (e.Failure == PgConnectionFailure.Lost)
        {
        }
        catch (PgProtocolException)
        {
        }
    }
}
