using System.Globalization;

namespace Pgark.Cli.Commands.Tune;

/// <summary>
/// tune's progress bar: one self-overwriting line on stderr ("[#####-------]  42% sampling cluster: ..."). Only when stderr
/// is a terminal and the output is for a person: never in pipes, logs, tests or --json runs, where "\r" redraws are noise.
/// </summary>
internal sealed class TuneProgressLine
{
    private const int BarWidth = 24;

    private readonly TextWriter _error;
    private readonly bool _enabled;
    private readonly int _width;
    private int _lastLength;
    private string _lastLine = "";

    /// <param name="width">The terminal's columns: a line longer than that would wrap, and "\r" would then redraw only its tail.</param>
    public TuneProgressLine(TextWriter error, bool enabled, int width = 80)
    {
        _error = error;
        _enabled = enabled;
        _width = Math.Max(width, BarWidth + 8);
    }

    /// <summary>Enabled when the command writes to the process's own stderr, that is a terminal, and --json was not given.</summary>
    public static TuneProgressLine For(CliContext context, bool json)
    {
        var enabled = !json && ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
        return new TuneProgressLine(context.Error, enabled, enabled ? TerminalWidth() : 80);
    }

    public bool Enabled => _enabled;

    /// <summary>Draws the bar at <paramref name="done"/> of <paramref name="total"/> (clamped to 0..100%) and the label.</summary>
    public void Show(long done, long total, string label)
    {
        if (!_enabled)
            return;
        var fraction = total <= 0 ? 0 : Math.Clamp((double)done / total, 0, 1);
        var filled = (int)(fraction * BarWidth);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('-', BarWidth - filled)}] {(int)(fraction * 100),3}% {label}");
        if (line.Length > _width - 1)
            line = line[..(_width - 1)];
        // Sampling reports every window; redraw only when the line changes.
        if (line == _lastLine)
            return;
        var padded = line.Length < _lastLength ? line.PadRight(_lastLength) : line;
        _lastLength = line.Length;
        _lastLine = line;
        _error.Write("\r" + padded);
        _error.Flush();
    }

    /// <summary>Erases the bar, so the report that follows starts on a clean line.</summary>
    public void Clear()
    {
        if (_enabled && _lastLength > 0)
            _error.Write("\r" + new string(' ', _lastLength) + "\r");
        _lastLength = 0;
        _lastLine = "";
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
}
