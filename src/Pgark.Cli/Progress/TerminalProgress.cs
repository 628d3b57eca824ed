namespace Pgark.Cli.Progress;

/// <summary>
/// A long command's progress bar: one self-overwriting line on stderr, e.g.
/// <c>backup [######--------------]  31%  1.2 GiB of 3.9 GiB  85.3 MiB/s  ETA 0:32  1204 files</c>. Only when stderr is
/// a terminal and the output is for a person: pipes, logs, tests and --json runs get nothing, since "\r" redraws are
/// noise there, and stdout is never touched, so a command's result can always be piped.
/// </summary>
/// <remarks>
/// The engine reports as often as it likes (every MiB, every table); the bar redraws at most once per
/// <see cref="RedrawInterval"/>, plus at once when a phase starts or the work reaches its total, so a fast command costs
/// no terminal writes to speak of. Reports may come from parallel workers: every call is serialized.
/// </remarks>
internal sealed class TerminalProgress : IDisposable
{
    /// <summary>Ten redraws a second: smooth to a reader, and no cost to a command that reports every MiB.</summary>
    public static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _error;
    private readonly int _width;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private string? _phase;
    private long _phaseStarted;
    private long _phaseStartDone;
    private long _lastDraw;
    private int _drawnLength; // 0: nothing on the line
    private string _drawnLine = "";

    /// <param name="error">Where the bar goes (stderr).</param>
    /// <param name="enabled">False: <see cref="Report"/> and <see cref="Clear"/> write nothing.</param>
    /// <param name="width">The terminal's columns: a longer line would wrap, and "\r" would then redraw only its tail.</param>
    /// <param name="time">The clock for throttling, rate and ETA (tests inject one).</param>
    public TerminalProgress(TextWriter error, bool enabled, int width = 80, TimeProvider? time = null)
    {
        _error = error;
        Enabled = enabled;
        _width = Math.Max(width, 40);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Enabled when the command writes to the process's own stderr, that is a terminal (not TERM=dumb), and --json was
    /// not given: tools read that output, no person is watching it.
    /// </summary>
    public static TerminalProgress For(CliContext context, bool json)
    {
        bool enabled = !json && ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected
            && context.Environment("TERM") != "dumb";
        return new TerminalProgress(context.Error, enabled, enabled ? TerminalWidth() : 80);
    }

    public bool Enabled { get; }

    /// <summary>
    /// The work of <paramref name="phase"/> has reached <paramref name="done"/> of <paramref name="total"/> (null: not
    /// known, no bar nor ETA). <paramref name="unit"/> null counts bytes; otherwise items of that name ("packs").
    /// A new phase restarts the rate, which is the phase's average so far.
    /// </summary>
    public void Report(string phase, long done, long? total, string detail = "", string? unit = null)
    {
        // Nothing to do (an empty repository, a backup without tables) is not worth a flash of "0 of 0".
        if (!Enabled || total == 0)
            return;
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            bool newPhase = phase != _phase;
            if (newPhase)
                (_phase, _phaseStarted, _phaseStartDone) = (phase, now, done);
            bool due = newPhase || _drawnLength == 0 || done == total || _time.GetElapsedTime(_lastDraw, now) >= RedrawInterval;
            if (!due)
                return;
            var seconds = _time.GetElapsedTime(_phaseStarted, now).TotalSeconds;
            var line = ProgressText.Line(phase, done, total, detail, unit, seconds, done - _phaseStartDone);
            // On a narrow terminal the detail ("1204 files") goes first, before the rate and ETA are cut.
            if (line.Length > _width - 1 && detail.Length > 0)
                line = ProgressText.Line(phase, done, total, "", unit, seconds, done - _phaseStartDone);
            Draw(line);
            _lastDraw = now;
        }
    }

    /// <summary>Writes a whole line (a step, a warning) above the bar, which the next report draws again. Written even when disabled.</summary>
    public void WriteLine(string message)
    {
        lock (_lock)
        {
            Erase();
            _error.WriteLine(message);
        }
    }

    /// <summary>Erases the bar, so what follows starts on a clean line; the next report draws it again.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            Erase();
            _phase = null;
        }
    }

    public void Dispose() => Clear();

    /// <summary>
    /// An <see cref="IProgress{T}"/> that draws each report through <paramref name="draw"/>, synchronously (Progress&lt;T&gt;
    /// would post to the thread pool and could draw after <see cref="Clear"/>); null when disabled, so the engine need
    /// not even gather figures nobody sees.
    /// </summary>
    public IProgress<T>? Reporter<T>(Action<TerminalProgress, T> draw) => Enabled ? new Forward<T>(this, draw) : null;

    private void Draw(string line)
    {
        if (line.Length > _width - 1)
            line = line[..(_width - 1)];
        // A last report repeated (restore's final one) would redraw the same text.
        if (_drawnLength > 0 && line == _drawnLine)
            return;
        _drawnLine = line;
        // Pad over the tail of a longer line before it.
        var padded = line.Length < _drawnLength ? line.PadRight(_drawnLength) : line;
        _error.Write("\r" + padded);
        _error.Flush();
        _drawnLength = Math.Max(line.Length, 1);
    }

    private void Erase()
    {
        if (_drawnLength == 0)
            return;
        _error.Write("\r" + new string(' ', _drawnLength) + "\r");
        _error.Flush();
        _drawnLength = 0;
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return 80;
        }
    }

    private sealed class Forward<T>(TerminalProgress bar, Action<TerminalProgress, T> draw) : IProgress<T>
    {
        public void Report(T value) => draw(bar, value);
    }
}
