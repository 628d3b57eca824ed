using System.Runtime.InteropServices;

namespace Pgark.Cli;

/// <summary>Turns Ctrl-C (SIGINT) and SIGTERM into cancellation, so commands stop cleanly and exit with code 8.</summary>
internal sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public InterruptSignal()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => _source.Token;

    private void Handle(PosixSignalContext context)
    {
        // The first signal asks the command to stop cleanly; a second one, if the command does not stop, is left to
        // the default action (immediate exit), so a hung pgark can always be stopped.
        if (_source.IsCancellationRequested)
            return;
        context.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _source.Dispose();
    }
}
