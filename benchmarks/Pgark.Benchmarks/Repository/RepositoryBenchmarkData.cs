using System.Diagnostics;
using Pgark.Benchmarks.Codecs;
using Pgark.Repository.Chunking;

namespace Pgark.Benchmarks.Repository;

/// <summary>
/// The bytes the repository benchmarks ingest (ZstdSampleData: heap pages, log text, CSV, JSON), cut by FastCDC as a backup
/// would, plus the yardstick: the same bytes written to a file and compressed by the zstd command line (-3 -T2).
/// </summary>
internal static class RepositoryBenchmarkData
{
    /// <summary>tmpfs when present, so the figures measure pgark rather than the disk.</summary>
    public static string ScratchRoot => Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    public static (byte[] Data, List<(int Offset, int Length)> Chunks) Create(int mebibytes)
    {
        var data = ZstdSampleData.Create(mebibytes << 20);
        var cdc = new FastCdc(FastCdcOptions.Default);
        var chunks = new List<(int, int)>();
        for (var at = 0; at < data.Length;)
        {
            var cut = cdc.FindCutPoint(data.AsSpan(at), isFinal: true);
            chunks.Add((at, cut));
            at += cut;
        }
        return (data, chunks);
    }

    /// <summary>
    /// Writes <paramref name="data"/> to a file and times `zstd -3 -T2` on it, output to a file beside it (both in the page
    /// cache, as pgark's packs are); prints and returns MB/s (0 when zstd is missing). The output once went to a pipe that
    /// this process drained, which cost the CLI the reader's CPU on the same two cores.
    /// </summary>
    public static double MeasureZstdCli(byte[] data)
    {
        var file = Path.Combine(ScratchRoot, $"pgark-bench-{Environment.ProcessId}.bin");
        var output = file + ".zst";
        File.WriteAllBytes(file, data);
        try
        {
            var best = double.MaxValue;
            for (var run = 0; run < 3; run++)
            {
                // Through bash's `time` only to learn the CLI's CPU seconds (Process.TotalProcessorTime is gone once it exits).
                File.Delete(output);
                var start = new ProcessStartInfo("bash", ["-c", "TIMEFORMAT='%U %S'; time zstd -3 -T2 -q -f \"$0\" -o \"$1\"", file, output])
                {
                    RedirectStandardError = true,
                };
                var watch = Stopwatch.StartNew();
                using var zstd = Process.Start(start)!;
                var cpu = zstd.StandardError.ReadToEndAsync();
                zstd.WaitForExit();
                best = Math.Min(best, watch.Elapsed.TotalSeconds);
                var times = cpu.Result.Trim().Split(' ').Select(t => double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                Console.WriteLine($"// zstd -3 -T2 run {run}: {watch.Elapsed.TotalSeconds:F3} s wall, {times.Sum():F3} s CPU, {new FileInfo(output).Length} bytes written");
            }
            var megabytesPerSecond = data.Length / 1e6 / best;
            Console.WriteLine($"// zstd -3 -T2 on the same {data.Length >> 20} MiB file: {megabytesPerSecond:F1} MB/s (best of 3, {best:F3} s)");
            return megabytesPerSecond;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FormatException)
        {
            Console.WriteLine("// zstd command not found; no yardstick figure");
            return 0;
        }
        finally
        {
            File.Delete(file);
            File.Delete(output);
        }
    }
}
