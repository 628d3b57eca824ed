using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Cli.Commands.Ping;

/// <summary><see cref="IServerProbe"/> over pgark's own wire layer: startup, then IDENTIFY_SYSTEM.</summary>
internal sealed class WireServerProbe : IServerProbe
{
    public async Task<ServerIdentity> IdentifyAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        await using PgConnection connection = await PgConnection.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        IdentifySystemResult system = await connection.IdentifySystemAsync(cancellationToken).ConfigureAwait(false);
        return new ServerIdentity(
            connection.Parameters.GetValueOrDefault("server_version") ?? "unknown",
            connection.ServerVersionNumber,
            system.SystemId,
            system.Timeline.Value,
            system.XLogPosition.ToString(),
            connection.Parameters.GetValueOrDefault("is_superuser") == "on",
            connection.IsTls,
            connection.AuthenticationMethod);
    }
}
