using System.Text.Encodings.Web;
using System.Text.Json;
using Pgark.Cli.Commands.Ping;
using Pgark.Cli.Parsing;
using Pgark.Wire.Connection;

namespace Pgark.Cli.Commands;

/// <summary><c>pgark ping</c>: can pgark back this server up, as this role, from here?</summary>
internal static class PingCommand
{
    public static readonly CommandSpec Spec = new(
        "ping",
        "Check that pgark can connect for a backup and identify the server.",
        "Opens a physical replication connection (replication=true, as pg_basebackup does) with pgark's own wire "
        + "protocol, runs IDENTIFY_SYSTEM and prints the server version, system identifier, timeline and current WAL "
        + "position, and whether the role may start a backup.\n\n"
        + "The server grants a physical replication connection only to a superuser or a role with the REPLICATION "
        + "attribute, and only through a pg_hba.conf line for the \"replication\" database, so a successful ping "
        + "proves that BASE_BACKUP and START_REPLICATION are allowed; ping reports which of the two the role is "
        + "from the is_superuser parameter. No SQL is run: on a physical replication connection PostgreSQL accepts "
        + "only replication commands, and a second, ordinary connection would need its own pg_hba.conf line.\n\n"
        + "Without a dbname in --db, the database name is \"replication\" (as pg_basebackup), which is what a "
        + "~/.pgpass line for replication should name. JSON output gives system_identifier as a string because it "
        + "does not fit in a double.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            server:        PostgreSQL 15.8 (Debian 15.8-1.pgdg120+1)
            connection:    user=backup database=replication host=db1 port=5432 (TLS, SCRAM-SHA-256)
            system id:     7301234567890123456
            timeline:      1
            WAL position:  0/3000148
            backup:        allowed (the role has the REPLICATION attribute)

            with --json:
            {
              "server_version": "15.8 (Debian 15.8-1.pgdg120+1)",
              "server_version_num": 150008,
              "system_identifier": "7301234567890123456",
              "timeline": 1,
              "wal_position": "0/3000148",
              "user": "backup",
              "connection": "user=backup database=replication host=db1 port=5432",
              "tls": true,
              "authentication": "SCRAM-SHA-256",
              "superuser": false,
              "can_backup": true
            }
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        // Resolve the connection: --db / PGARK_DB, then libpq's PG* variables and defaults, password last from ~/.pgpass.
        ConnectionSettings settings = ResolveSettings(context, arguments);
        context.Connection = settings;
        foreach (string warning in settings.Warnings)
            context.Error.WriteLine($"pgark: warning: {warning}");

        // Connect as a walsender and identify the system; every failure here is classified by ErrorReport.
        ServerIdentity server = await context.ServerProbe.IdentifyAsync(settings, cancellationToken).ConfigureAwait(false);

        // Report.
        if (arguments.Flag(Options.Json))
            WriteJson(context.Out, settings, server);
        else
            WriteText(context.Out, settings, server);
        return ExitCode.Ok;
    }

    internal static ConnectionSettings ResolveSettings(CliContext context, ParsedArguments arguments)
    {
        ConnectionSettings settings = ConnectionSettings.Parse(arguments.Text(Options.Db), ReplicationMode.Physical,
            context.ConnectionEnvironment());
        if (arguments.Integer(Options.ConnectTimeout) is { } seconds)
            settings = settings with { ConnectTimeout = seconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds) };
        return settings;
    }

    private static string BackupVerdict(ServerIdentity server)
        => server.IsSuperuser ? "allowed (the role is a superuser)" : "allowed (the role has the REPLICATION attribute)";

    private static void WriteText(TextWriter output, ConnectionSettings settings, ServerIdentity server)
    {
        string transport = server.Tls ? "TLS" : settings.IsUnixSocket ? "Unix socket" : "no TLS";
        output.WriteLine($"server:        PostgreSQL {server.ServerVersion}");
        output.WriteLine($"connection:    {settings.ToDisplayString()} ({transport}, {server.AuthenticationMethod})");
        output.WriteLine($"system id:     {server.SystemIdentifier}");
        output.WriteLine($"timeline:      {server.Timeline}");
        output.WriteLine($"WAL position:  {server.WalPosition}");
        output.WriteLine($"backup:        {BackupVerdict(server)}");
    }

    private static void WriteJson(TextWriter output, ConnectionSettings settings, ServerIdentity server)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("server_version", server.ServerVersion);
            json.WriteNumber("server_version_num", server.ServerVersionNumber);
            json.WriteString("system_identifier", server.SystemIdentifier.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("timeline", server.Timeline);
            json.WriteString("wal_position", server.WalPosition);
            json.WriteString("user", settings.User);
            json.WriteString("connection", settings.ToDisplayString());
            json.WriteBoolean("tls", server.Tls);
            json.WriteString("authentication", server.AuthenticationMethod);
            json.WriteBoolean("superuser", server.IsSuperuser);
            json.WriteBoolean("can_backup", true);
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
