using System.Diagnostics;

namespace Pgark.Cluster;

/// <summary>
/// The operating-system account the server runs as. PostgreSQL refuses to run as root, so when pgark runs as
/// root (CI, containers) every server program is started through <c>setpriv</c> (or <c>runuser</c>) as an
/// unprivileged account, <c>postgres</c> by default, and the cluster's files are handed to it. Otherwise the
/// server runs as the current user and nothing changes hands.
/// </summary>
internal sealed class ServerAccount
{
    private readonly string[] _switchPrefix;

    private ServerAccount(string name, uint userId, uint groupId, string[] switchPrefix)
    {
        Name = name;
        UserId = userId;
        GroupId = groupId;
        _switchPrefix = switchPrefix;
    }

    public string Name { get; }
    public uint UserId { get; }
    public uint GroupId { get; }

    /// <summary>True when we are root and start the server as another account.</summary>
    public bool Switches => _switchPrefix.Length > 0;

    /// <param name="name">Account to use when running as root; null means PGARK_SERVER_USER, else "postgres".</param>
    public static ServerAccount Resolve(string? name)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            string self = Environment.UserName;
            (uint uid, uint gid) = Posix.LookUpUser(self) ?? (Posix.EffectiveUserId, 0u);
            return new ServerAccount(self, uid, gid, []);
        }
        name ??= Environment.GetEnvironmentVariable("PGARK_SERVER_USER") is { Length: > 0 } fromEnv ? fromEnv : "postgres";
        (uint UserId, uint GroupId) ids = Posix.LookUpUser(name) ?? throw new LocalClusterException(
            $"pgark runs as root, so PostgreSQL must run as an unprivileged account, but account '{name}' does not exist",
            "install the postgresql-common package (apt-get install postgresql-common), create the account " +
            $"(useradd --system {name}), or set PGARK_SERVER_USER to an existing account");
        return new ServerAccount(name, ids.UserId, ids.GroupId, SwitchPrefix(name));
    }

    private static string[] SwitchPrefix(string name)
    {
        foreach (string dir in (string[])["/usr/bin", "/bin", "/usr/sbin", "/sbin"])
        {
            if (File.Exists(Path.Combine(dir, "setpriv")))
            {
                return [Path.Combine(dir, "setpriv"), "--reuid", name, "--regid", name, "--init-groups"];
            }
        }
        foreach (string dir in (string[])["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
        {
            if (File.Exists(Path.Combine(dir, "runuser")))
            {
                return [Path.Combine(dir, "runuser"), "-u", name, "--"];
            }
        }
        throw new LocalClusterException("running as root but neither setpriv nor runuser was found",
            "install util-linux (apt-get install util-linux)");
    }

    /// <summary>A start description for <paramref name="program"/> that runs as this account.</summary>
    public ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo { FileName = Switches ? _switchPrefix[0] : program, UseShellExecute = false };
        // The server account cannot read most of root's directories; a cwd it cannot enter makes initdb warn.
        info.WorkingDirectory = workingDirectory;
        foreach (string part in _switchPrefix.Skip(1))
        {
            info.ArgumentList.Add(part);
        }
        if (Switches)
        {
            info.ArgumentList.Add(program);
        }
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        // Messages in English whatever the caller's locale, so errors and tests read the same everywhere.
        info.Environment["LC_MESSAGES"] = "C";
        info.Environment.Remove("PGDATA");
        info.Environment.Remove("PGPORT");
        return info;
    }

    /// <summary>Gives <paramref name="path"/> to this account (no-op when we do not switch accounts).</summary>
    public void Own(string path)
    {
        if (Switches)
        {
            Posix.ChangeOwner(path, this);
        }
    }

    /// <summary>
    /// Throws unless every ancestor of <paramref name="directory"/> is searchable by this account:
    /// e.g. a temp directory under /root (mode 0700) is unreachable for postgres.
    /// </summary>
    public void EnsureCanReach(string directory)
    {
        if (!Switches)
        {
            return;
        }
        for (DirectoryInfo? dir = new DirectoryInfo(directory).Parent; dir is not null; dir = dir.Parent)
        {
            if (dir.Exists && (UnixFiles.GetMode(dir.FullName) & UnixFileMode.OtherExecute) == 0)
            {
                throw new LocalClusterException(
                    $"the server account {Name} cannot reach {directory}: {dir.FullName} is not searchable by others",
                    "put the cluster under /tmp (the default), or chmod o+x the directories on the way");
            }
        }
    }

    /// <summary>Runs a server program to completion as this account; throws with its output on failure.</summary>
    public async Task<string> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        TimeSpan timeout, CancellationToken cancellationToken, string? standardInput = null)
    {
        ProcessStartInfo info = StartInfo(program, arguments, workingDirectory);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        using Process process = Process.Start(info)
            ?? throw new LocalClusterException($"could not start {program}");
        await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new LocalClusterException($"{Path.GetFileName(program)} did not finish within {timeout.TotalSeconds:0} s");
        }
        string output = (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false));
        if (process.ExitCode != 0)
        {
            throw new LocalClusterException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}:\n{output.TrimEnd()}");
        }
        return output;
    }
}
