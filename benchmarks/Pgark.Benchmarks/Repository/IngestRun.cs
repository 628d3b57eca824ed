using System.Diagnostics;
using System.Globalization;
using Pgark.Repository;
using Pgark.Repository.Chunking;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Benchmarks.Repository;

/// <summary>
/// Stopwatch mode <c>ingest-run [--mib N] [--rounds N]</c>: new-data ingest at zstd 3 against <c>zstd -3 -T2</c>, interleaved
/// round by round so both see the same machine (this one is shared). Each round times, over the same bytes:
/// <list type="bullet">
/// <item><c>zstd file→file</c>: the CLI reads the file and writes its output to a file beside it (both in the page cache);</item>
/// <item><c>pgark file→repo</c>: a backup reads the same file through <see cref="StreamChunker"/> (FastCDC), queues every chunk
/// (hash, compress, verify on the thread pool) and commits into a fresh LocalStore on the same filesystem: packs written,
/// fsynced and linked, index and snapshot after them, i.e. what zstd does plus chunking, ids, verification and durability;</item>
/// <item><c>pgark memory→repo</c>: as RepositoryIngestBenchmarks.IngestNew, chunks cut beforehand and queued from memory.</item>
/// </list>
/// Prints wall seconds, CPU seconds (the process's for pgark, bash <c>time</c> user+sys for the CLI) and bytes written.
/// </summary>
internal static class IngestRun
{
    public const string Mode = "ingest-run";

    public static async Task<int> RunAsync(string[] args)
    {
        var mebibytes = int.Parse(Option(args, "--mib") ?? "256", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var (data, chunks) = RepositoryBenchmarkData.Create(mebibytes);
        var root = Path.Combine(RepositoryBenchmarkData.ScratchRoot, $"pgark-ingest-run-{Environment.ProcessId}");
        Directory.CreateDirectory(root);
        var input = Path.Combine(root, "input.bin");
        await File.WriteAllBytesAsync(input, data);
        var results = new Dictionary<string, List<double>>();
        try
        {
            // One untimed pass of each pgark path: JIT, thread pool and libzstd warm, as BenchmarkDotNet's warmup would.
            await IngestAsync(root, input, data, chunks, fromFile: true);
            await IngestAsync(root, input, data, chunks, fromFile: false);
            for (var round = 1; round <= rounds; round++)
            {
                Record(results, "zstd file→file", Report(round, "zstd file→file", ZstdCli(input, Path.Combine(root, "output.zst")), data.Length));
                Record(results, "pgark file→repo", Report(round, "pgark file→repo", await IngestAsync(root, input, data, chunks, fromFile: true), data.Length));
                Record(results, "pgark memory→repo", Report(round, "pgark memory→repo", await IngestAsync(root, input, data, chunks, fromFile: false), data.Length));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        var zstd = results["zstd file→file"];
        foreach (var (name, times) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: best {data.Length / 1e6 / times.Min():F0} MB/s, median {data.Length / 1e6 / Median(times):F0} MB/s; "
                + $"zstd's median time / this median time = {Median(zstd) / Median(times):F2}x"));
        }
        return 0;
    }

    private readonly record struct Run(double WallSeconds, double CpuSeconds, long BytesWritten);

    private static double Report(int round, string name, Run run, long plainBytes)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"round {round} {name,-18}: {run.WallSeconds:F3} s wall = {plainBytes / 1e6 / run.WallSeconds:F0} MB/s, "
            + $"{run.CpuSeconds:F3} s CPU ({run.CpuSeconds / run.WallSeconds:F2} cores), {run.BytesWritten:N0} bytes written"));
        return run.WallSeconds;
    }

    private static void Record(Dictionary<string, List<double>> results, string name, double seconds)
    {
        if (!results.TryGetValue(name, out var list))
            results[name] = list = [];
        list.Add(seconds);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static Run ZstdCli(string input, string output)
    {
        File.Delete(output);
        // Through bash's `time` only to learn the CLI's CPU seconds (Process.TotalProcessorTime is gone once it exits).
        var start = new ProcessStartInfo("bash", ["-c", "TIMEFORMAT='%U %S'; time zstd -3 -T2 -q -f \"$0\" -o \"$1\"", input, output])
        {
            RedirectStandardError = true,
        };
        var watch = Stopwatch.StartNew();
        using var zstd = Process.Start(start)!;
        var cpu = zstd.StandardError.ReadToEnd();
        zstd.WaitForExit();
        var wall = watch.Elapsed.TotalSeconds;
        if (zstd.ExitCode != 0)
            throw new InvalidOperationException($"zstd failed: {cpu}");
        var seconds = cpu.Trim().Split(' ').Sum(t => double.Parse(t, CultureInfo.InvariantCulture));
        var written = new FileInfo(output).Length;
        File.Delete(output);
        return new Run(wall, seconds, written);
    }

    private static async Task<Run> IngestAsync(string root, string input, byte[] data, List<(int Offset, int Length)> chunks, bool fromFile)
    {
        var directory = Path.Combine(root, "repo");
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        var repository = await Repo.InitAsync(new LocalStore(directory), new RepositoryInitOptions());
        GC.Collect();
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await using (var session = await repository.BeginBackupAsync())
        {
            var refs = new List<ChunkRef>(chunks.Count);
            long size;
            if (fromFile)
            {
                await using var file = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                using var chunker = new StreamChunker(file, new FastCdc(session.Settings.Chunking));
                while (true)
                {
                    var chunk = await chunker.ReadChunkAsync();
                    if (chunk.IsEmpty)
                        break;
                    await session.QueueChunkAsync(chunk, refs);
                }
                size = chunker.Position;
            }
            else
            {
                foreach (var (offset, length) in chunks)
                    await session.QueueChunkAsync(data.AsMemory(offset, length), refs);
                size = data.Length;
            }
            await session.AddFileAsync(FileEntry.Regular("base/5/16384", size, DateTimeOffset.UnixEpoch), refs);
            var time = DateTimeOffset.UnixEpoch;
            await session.CommitAsync(new SnapshotMetadata(SnapshotKind.Physical, 1, 150000, 1, 0, 0, time, time, "bench", "bench"));
        }
        var wall = watch.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;
        var written = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        return new Run(wall, cpu, written);
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
