using System.Diagnostics;

namespace Pgark.Physical;

/// <summary>
/// One step of a physical backup and what it cost: wall time, and this process's CPU time over the same interval (both
/// cores' worth: more CPU than wall time means the ingest workers ran beside the caller).
/// </summary>
/// <param name="Name">The step (spec/physical.md, "Phases").</param>
/// <param name="Elapsed">Wall time of the step.</param>
/// <param name="ProcessorTime">CPU time of the whole process during the step.</param>
public sealed record PhysicalBackupPhase(string Name, TimeSpan Elapsed, TimeSpan ProcessorTime);

// Phase timing: a few clock reads per step, so it is always on; a slow backup can then say where its time went.
public sealed partial class PhysicalBackup
{
    private readonly List<PhysicalBackupPhase> _phases = [];
    private long _phaseStart;
    private TimeSpan _phaseCpuStart;

    // Inside the streaming step: time spent waiting for the server's next CopyData. The rest of the step is pgark's own
    // (tar parsing, copies, and waits for the ingest window and pack writes).
    private long _serverWaitTicks;

    private void StartPhases()
    {
        _phaseStart = Stopwatch.GetTimestamp();
        _phaseCpuStart = ProcessorTime();
    }

    /// <summary>Closes the step that ran since the last mark.</summary>
    private void EndPhase(string name)
    {
        long now = Stopwatch.GetTimestamp();
        TimeSpan cpu = ProcessorTime();
        _phases.Add(new PhysicalBackupPhase(name, Stopwatch.GetElapsedTime(_phaseStart, now), cpu - _phaseCpuStart));
        _phaseStart = now;
        _phaseCpuStart = cpu;
    }

    private TimeSpan ServerWait => Stopwatch.GetElapsedTime(0, _serverWaitTicks);

    private static TimeSpan ProcessorTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
