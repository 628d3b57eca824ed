using Pgark.Cli.Help;

namespace Pgark.Tests.Cli;

/// <summary>spec/cli.md is generated from the option table; this keeps the committed copy honest.</summary>
public class CliSpecTests
{
    [Fact]
    public void CommittedSpecEqualsGeneratedReference()
    {
        string path = Path.Combine(RepositoryRoot(), "spec", "cli.md");
        string generated = MarkdownReference.Generate();
        // Regenerate only on request: UPDATE_GOLDEN=1 dotnet test ... (or: pgark help --markdown > spec/cli.md).
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
            File.WriteAllText(path, generated);
        Assert.True(File.Exists(path), $"{path} is missing; run: pgark help --markdown > spec/cli.md");
        Assert.Equal(generated, File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void HelpMarkdownPrintsTheSameReference()
    {
        CliRunner.Result result = CliRunner.Run(["help", "--markdown"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(MarkdownReference.Generate(), result.Out);
    }

    [Fact]
    public void ReferenceListsEveryOptionCommandAndExitCode()
    {
        string md = MarkdownReference.Generate();
        foreach (Pgark.Cli.CliOption option in Pgark.Cli.Options.All)
            Assert.Contains($"`{option.Usage}`", md);
        foreach (Pgark.Cli.Commands.CommandSpec command in Pgark.Cli.Commands.CommandTable.All)
            Assert.Contains($"### pgark {command.Name}", md);
        foreach ((Pgark.Cli.ExitCode code, string meaning, _) in Pgark.Cli.ExitCodes.Table)
            Assert.Contains($"| {(int)code} | {meaning} |", md);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Engine.sln not found above " + AppContext.BaseDirectory);
    }
}
