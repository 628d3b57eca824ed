namespace Pgark.Cli.Commands.Tune;

/// <summary>One self-overwriting status line on stderr, only when stderr is a terminal (never in pipes, logs or tests).</summary>
internal sealed class TuneProgressLine(CliContext context)
{
    private readonly bool _enabled = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
    private int _lastLength;

    public void Show(string text)
    {
        if (!_enabled)
            return;
        var padded = text.Length < _lastLength ? text.PadRight(_lastLength) : text;
        _lastLength = text.Length;
        context.Error.Write("\r" + padded);
    }

    public void Clear()
    {
        if (_enabled && _lastLength > 0)
            context.Error.Write("\r" + new string(' ', _lastLength) + "\r");
        _lastLength = 0;
    }
}
