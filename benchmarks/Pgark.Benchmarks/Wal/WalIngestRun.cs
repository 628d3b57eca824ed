using System.Globalization;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Storage;
using Pgark.Wal;
using Pgark.Wire.Connection;

namespace Pgark.Benchmarks.Wal;

/// <summary>
/// Stopwatch mode <c>wal-ingest DIR [--synchronous] [--repeat N] [--pgbench-rate MIB_PER_S]</c>: sustained ingest of the streamer
/// alone. The real <see cref="WalReceiver"/>, with the options <c>pgark wal stream</c> uses, receives DIR's WAL segments from a
/// <see cref="WalSenderEmulator"/> on loopback into a fresh repository on disk; the rate is the WAL made durable per second of
/// wall time from START_REPLICATION to the flush acknowledgement of the last byte. After each run every segment is read back from
/// the repository and compared with its source file byte for byte; any difference aborts the benchmark (exit 1).
/// BenchmarkDotNet is not used: one run streams hundreds of MiB and ends on a protocol event, not a method return.
/// </summary>
internal static class WalIngestRun
{
    public const string Mode = "wal-ingest";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || !Directory.Exists(args[1]))
        {
            Console.Error.WriteLine("usage: wal-ingest DIR [--synchronous] [--repeat N] [--pgbench-rate MIB_PER_S]  (DIR: consecutive WAL segment files)");
            return 2;
        }
        bool synchronous = args.Contains("--synchronous");
        int repeat = int.Parse(Option(args, "--repeat") ?? "1", CultureInfo.InvariantCulture);
        double? pgbenchRate = Option(args, "--pgbench-rate") is { } rate ? double.Parse(rate, CultureInfo.InvariantCulture) : null;
        List<string> segments = Directory.GetFiles(args[1]).Where(f => Path.GetFileName(f).Length == 24).Order(StringComparer.Ordinal).ToList();
        if (segments.Count == 0)
        {
            Console.Error.WriteLine($"{args[1]} holds no WAL segment files");
            return 2;
        }

        string mode = synchronous ? "wal stream --synchronous" : "wal stream (default)";
        for (int i = 1; i <= repeat; i++)
        {
            double seconds;
            long bytes, peakRss;
            try
            {
                (seconds, bytes, peakRss) = await OneRunAsync(segments, synchronous).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
            {
                // No figure from a run whose WAL did not arrive intact.
                Console.Error.WriteLine($"wal-ingest: aborted in run {i}: {e.Message}");
                return 1;
            }
            double mibPerSecond = bytes / (double)(1 << 20) / seconds;
            string ratio = pgbenchRate is { } r ? $", {mibPerSecond / r:0}× the pgbench WAL rate ({r:0.###} MiB/s; goal ≥ 3×)" : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode} run {i}: {bytes >> 20} MiB ({segments.Count} segments) durable in {seconds:0.000} s = {mibPerSecond:0.0} MiB/s{ratio}; "
                + $"peak RSS while streaming {peakRss} MiB; all segments read back byte for byte"));
        }
        return 0;
    }

    private static async Task<(double Seconds, long Bytes, long PeakRssMiB)> OneRunAsync(List<string> segments, bool synchronous)
    {
        // On disk next to the other scratch data (not tmpfs): durability costs are part of what is measured.
        string directory = Path.Combine(Path.GetTempPath(), $"pgark-wal-ingest-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Pgark.Repository.Repository repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(directory), new RepositoryInitOptions())
                .ConfigureAwait(false);
            await using var emulator = new WalSenderEmulator(segments);
            // The options `pgark wal stream` builds (WalStreamCommand), pointed at the emulator.
            var receiver = new WalReceiver(repository, new WalReceiverOptions
            {
                Connection = new ConnectionSettings { Host = "127.0.0.1", Port = emulator.Port, SslMode = SslMode.Disable, ConnectTimeout = TimeSpan.FromSeconds(10) },
                SlotName = "pgark",
                CreateSlot = false,
                Synchronous = synchronous,
                StatusInterval = TimeSpan.FromSeconds(1),
                CompactHeapAfterSegment = true,
            });
            using var stop = new CancellationTokenSource();
            ResetPeakRss();
            Task running = receiver.RunAsync(stop.Token);
            // The receiver fails (emulator or receiver error) or the last byte is acknowledged, whichever comes first.
            if (await Task.WhenAny(emulator.FinalAck, running).ConfigureAwait(false) == running)
            {
                await running.ConfigureAwait(false);
                throw new InvalidOperationException("the receiver stopped before acknowledging the last byte");
            }
            TimeSpan elapsed = await emulator.FinalAck.ConfigureAwait(false);
            // Before the read-back check, which holds whole segments (source and stored) in memory.
            long peakRss = PeakRssMiB();
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await running.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // How a streamer is meant to stop; it left streaming cleanly (the emulator checks).
            }
            await emulator.Completion.ConfigureAwait(false);
            if (receiver.DurableLsn.Value != emulator.EndLsn)
                throw new InvalidOperationException($"the receiver reports {receiver.DurableLsn} durable, not the end of the WAL sent");
            await VerifyAsync(repository, segments).ConfigureAwait(false);
            return (elapsed.TotalSeconds, (long)(emulator.EndLsn - emulator.StartLsn), peakRss);
        }
        finally
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Every source segment must come back from the repository as one complete object, byte for byte.</summary>
    private static async Task VerifyAsync(Pgark.Repository.Repository repository, List<string> segments)
    {
        WalStore store = await WalClusters.OpenAsync(repository, null).ConfigureAwait(false);
        Dictionary<string, WalSegmentObject> full = (await store.ListAsync().ConfigureAwait(false))
            .Where(o => o.Kind == WalKind.Full).ToDictionary(o => o.WalFileName, StringComparer.Ordinal);
        foreach (string path in segments)
        {
            string name = Path.GetFileName(path);
            if (!full.TryGetValue(name, out WalSegmentObject? stored))
                throw new InvalidDataException($"segment {name} is not stored as a complete object in the repository");
            byte[] expected = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
            byte[] actual = await store.ReadAsync(stored).ConfigureAwait(false);
            if (!actual.AsSpan().SequenceEqual(expected))
                throw new InvalidDataException($"segment {name} read back from the repository differs from {path}");
        }
    }

    private static string? Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    /// <summary>Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+), so each run's peak is its own.</summary>
    private static void ResetPeakRss()
    {
        // The previous run's garbage (its read-back check above all) should not count against this one.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Older kernels: the peak then covers the whole process so far (an upper bound).
        }
    }

    /// <summary>VmHWM: the process's peak resident set (receiver, repository writer, emulator's one 128 KiB buffer, runtime).</summary>
    private static long PeakRssMiB()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024;
        }
        return -1;
    }
}
