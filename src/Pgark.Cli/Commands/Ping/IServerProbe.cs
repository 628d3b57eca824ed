using Pgark.Wire.Connection;

namespace Pgark.Cli.Commands.Ping;

/// <summary>What ping learns from a server over a physical replication connection.</summary>
/// <param name="ServerVersion">server_version as the server reports it ("15.8 (Debian 15.8-1)").</param>
/// <param name="SystemIdentifier">IDENTIFY_SYSTEM systemid: pg_control's identifier of the cluster.</param>
/// <param name="Timeline">IDENTIFY_SYSTEM timeline.</param>
/// <param name="WalPosition">IDENTIFY_SYSTEM xlogpos: the current WAL flush position, as "X/X".</param>
/// <param name="IsSuperuser">The is_superuser parameter the server reported at startup.</param>
/// <param name="AuthenticationMethod">How the server authenticated the session (trust, md5, SCRAM-SHA-256...).</param>
internal sealed record ServerIdentity(
    string ServerVersion,
    int ServerVersionNumber,
    ulong SystemIdentifier,
    uint Timeline,
    string WalPosition,
    bool IsSuperuser,
    bool Tls,
    string AuthenticationMethod);

/// <summary>Opens a physical replication connection and identifies the server. Errors are the wire layer's exceptions.</summary>
internal interface IServerProbe
{
    Task<ServerIdentity> IdentifyAsync(ConnectionSettings settings, CancellationToken cancellationToken);
}
