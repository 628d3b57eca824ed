using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pgark.Cluster;

// Start, stop, kill, reload, promote: postgres and pg_ctl run directly, readiness is a connection that succeeds.
public sealed partial class LocalCluster
{
    private const int PortAttempts = 8;
    private const string ReloadLogLine = "received SIGHUP, reloading configuration files";

    private bool _portConfirmed;

    /// <summary>Test hook: where the first start draws ports from (default <see cref="FreePort"/>).</summary>
    internal Func<int>? PortChooser { get; set; }

    /// <summary>The postmaster's Unix-domain socket file.</summary>
    public string SocketPath => Path.Combine(SocketDirectory, $".s.PGSQL.{Port}");

    /// <summary>
    /// Starts the postmaster and returns once it accepts connections. The first start picks a free port and
    /// picks another if a concurrent process takes it before postgres binds it; later starts keep the port.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            throw new InvalidOperationException($"{this} is already running");
        }
        _postmaster?.Dispose(); // exited on its own
        _postmaster = null;
        for (int attempt = 1; ; attempt++)
        {
            if (!_portConfirmed)
            {
                Port = (PortChooser ?? FreePort)();
                SetSettings(new Dictionary<string, string> { ["port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
            long logStart = LogLength();
            Process postmaster = Launch();
            if (await WaitUntilAcceptingAsync(postmaster, cancellationToken).ConfigureAwait(false))
            {
                _postmaster = postmaster;
                _portConfirmed = true;
                return;
            }
            string log = ReadLog(logStart);
            int exitCode = postmaster.ExitCode;
            postmaster.Dispose();
            if (!_portConfirmed && attempt < PortAttempts && log.Contains("Address already in use", StringComparison.Ordinal))
            {
                continue; // another process bound the port between FreePort and postgres: draw again
            }
            throw new LocalClusterException(
                $"PostgreSQL {Installation.Version} in {DataDirectory} exited with code {exitCode} while starting; log:\n{log.TrimEnd()}",
                "read the log above; a setting given in LocalClusterOptions.Settings may be invalid for this major");
        }
    }

    /// <summary>Stops the server in <paramref name="mode"/> and waits for the postmaster and its children to exit.</summary>
    public async Task StopAsync(ShutdownMode mode = ShutdownMode.Fast, CancellationToken cancellationToken = default)
    {
        if (_postmaster is not { } postmaster)
        {
            return;
        }
        if (!postmaster.HasExited)
        {
            Posix.Signal(postmaster.Id, mode switch
            {
                ShutdownMode.Smart => Posix.SigTerm,
                ShutdownMode.Immediate => Posix.SigQuit,
                _ => Posix.SigInt,
            });
            // The postmaster exits only after all of its children have.
            await WaitForExitAsync(postmaster, $"{mode} shutdown", cancellationToken).ConfigureAwait(false);
        }
        postmaster.Dispose();
        _postmaster = null;
    }

    /// <summary>Stops (fast by default) and starts again on the same port.</summary>
    public async Task RestartAsync(ShutdownMode mode = ShutdownMode.Fast, CancellationToken cancellationToken = default)
    {
        await StopAsync(mode, cancellationToken).ConfigureAwait(false);
        await StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Crashes the server for fault tests: freezes the postmaster (SIGSTOP, so it forks nothing more),
    /// SIGKILLs it and every descendant, and waits until all are gone. Shared memory and postmaster.pid are
    /// left behind as after a power cut; the next <c>StartAsync</c> runs crash recovery.
    /// </summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        if (_postmaster is not { } postmaster)
        {
            return;
        }
        List<int> killed = KillProcessTree(postmaster.Id);
        await WaitForExitAsync(postmaster, "SIGKILL", cancellationToken).ConfigureAwait(false);
        await WaitUntilAsync(() => killed.All(ProcessTree.IsGone), "the killed server processes to be gone",
            cancellationToken).ConfigureAwait(false);
        postmaster.Dispose();
        _postmaster = null;
    }

    /// <summary>
    /// Re-reads postgresql.conf, pgark.conf and pg_hba.conf (SIGHUP) and returns once the postmaster has
    /// logged the reload, so that every connection opened afterwards sees the new files.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        Process postmaster = _postmaster ?? throw new InvalidOperationException($"{this} is not running");
        long logStart = LogLength();
        Posix.Signal(postmaster.Id, Posix.SigHup);
        // The postmaster is single-threaded: once the line is logged it finishes reloading before it accepts
        // the next connection.
        await WaitUntilAsync(() => postmaster.HasExited || ReadLog(logStart).Contains(ReloadLogLine, StringComparison.Ordinal),
            "the server to log the configuration reload", cancellationToken).ConfigureAwait(false);
        if (postmaster.HasExited)
        {
            throw Failure("the server exited while reloading its configuration");
        }
    }

    /// <summary>Promotes a standby (<c>pg_ctl promote -w</c>): returns once it accepts writes.</summary>
    public async Task PromoteAsync(CancellationToken cancellationToken = default)
    {
        string seconds = ((int)Options.Timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await _account.RunAsync(Installation.PgCtl, ["promote", "-D", DataDirectory, "-w", "-t", seconds],
            Directory, Options.Timeout + TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// postgres runs with its stderr appended to <see cref="LogPath"/> by the shell that execs it, so the
    /// process we start is the postmaster itself (its pid is ours to signal) and it holds none of our pipes.
    /// </summary>
    private Process Launch()
    {
        ProcessStartInfo info = _account.StartInfo("/bin/sh",
            ["-c", "exec \"$0\" -D \"$1\" >>\"$2\" 2>&1 </dev/null", Installation.Postgres, DataDirectory, LogPath], Directory);
        return Process.Start(info) ?? throw new LocalClusterException($"could not start {Installation.Postgres}");
    }

    /// <returns>true when accepting; false when the postmaster exited; throws on timeout (after killing it).</returns>
    private async Task<bool> WaitUntilAcceptingAsync(Process postmaster, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            (bool ready, string detail) = await ReadinessProbe.ProbeAsync(SocketPath, Superuser, cancellationToken)
                .ConfigureAwait(false);
            if (ready)
            {
                return true;
            }
            if (postmaster.HasExited)
            {
                return false;
            }
            if (elapsed.Elapsed > Options.Timeout)
            {
                KillProcessTree(postmaster.Id);
                throw Failure($"PostgreSQL did not accept connections within {Options.Timeout.TotalSeconds:0} s (last probe: {detail})");
            }
            // Wake on exit or after a short, growing pause; the condition is re-checked either way.
            await Task.WhenAny(postmaster.WaitForExitAsync(cancellationToken), Task.Delay(pause, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 100));
        }
    }

    private async Task WaitForExitAsync(Process process, string what, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Options.Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure($"the postmaster (pid {process.Id}) did not exit within {Options.Timeout.TotalSeconds:0} s of {what}");
        }
    }

    private async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(2);
        while (!condition())
        {
            if (elapsed.Elapsed > Options.Timeout)
            {
                throw Failure($"timed out after {Options.Timeout.TotalSeconds:0} s waiting for {what}");
            }
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 50));
        }
    }

    /// <summary>Stops at once for disposal: immediate shutdown, and SIGKILL if even that hangs.</summary>
    private async Task StopOrKillAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StopAsync(ShutdownMode.Immediate, cancellationToken).ConfigureAwait(false);
        }
        catch (LocalClusterException)
        {
            await KillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static List<int> KillProcessTree(int rootPid) => ProcessTree.Kill(rootPid);

    /// <summary>
    /// A port the kernel just handed out on 127.0.0.1. Another process can still take it before postgres binds
    /// it, which <c>StartAsync</c> detects and retries.
    /// </summary>
    internal static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    private long LogLength() => File.Exists(LogPath) ? new FileInfo(LogPath).Length : 0;

    private string ReadLog(long from)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(from, stream.Length), SeekOrigin.Begin);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }

    private LocalClusterException Failure(string message)
        => new($"{message}\n{this}; server log tail:\n{ReadLogTail()}");
}
