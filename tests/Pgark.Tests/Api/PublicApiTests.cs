using System.Reflection;
using Pgark.Tests.Cli;

namespace Pgark.Tests.Api;

/// <summary>
/// The engine's public surface is checked in (api/*.txt) so that every change to what embedders compile against shows
/// up in review. A change without the file's update fails here; to accept it, regenerate the files with
/// PGARK_UPDATE_API=1 and commit them.
/// </summary>
public class PublicApiTests
{
    public const string UpdateVariable = "PGARK_UPDATE_API";

    public static TheoryData<string> Assemblies => new() { "Pgark.Wire", "Pgark.Repository", "Pgark" };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Public_surface_matches_the_checked_in_listing(string assemblyName)
    {
        string actual = PublicApiListing.For(Assembly.Load(assemblyName));
        string path = Path.Combine(CliSpecTests.RepositoryRoot(), "api", assemblyName + ".txt");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }
        string expected = File.Exists(path) ? File.ReadAllText(path) : "";
        if (expected == actual)
            return;
        var before = expected.Split('\n').ToHashSet();
        var after = actual.Split('\n').ToHashSet();
        string added = string.Join("\n", after.Except(before).Take(20).Select(line => "  + " + line));
        string removed = string.Join("\n", before.Except(after).Take(20).Select(line => "  - " + line));
        Assert.Fail($"the public API of {assemblyName} differs from api/{assemblyName}.txt:\n{removed}\n{added}\n"
            + $"If the change is meant (embedders will see it), regenerate the listing and commit it:\n"
            + $"  {UpdateVariable}=1 dotnet test tests/Pgark.Tests -c Release --filter FullyQualifiedName~PublicApiTests");
    }

    [Fact]
    public void Listing_names_types_members_and_accessors()
    {
        // A control on the generator itself, over a type whose shape is fixed by the test.
        string listing = PublicApiListing.For(typeof(PublicApiTests).Assembly);
        Assert.Contains("Pgark.Tests.Api.PublicApiTests [class]\n", listing);
        Assert.Contains("Pgark.Tests.Api.PublicApiTests.const System.String UpdateVariable = \"PGARK_UPDATE_API\"", listing);
        Assert.Contains("Pgark.Tests.Api.PublicApiTests.System.Void Public_surface_matches_the_checked_in_listing(System.String assemblyName)", listing);
        Assert.Contains("Pgark.Tests.Api.PublicApiTests.static Xunit.TheoryData<System.String> Assemblies { get; }", listing);
        Assert.Contains("Pgark.Tests.Api.EmbeddingExample [static class]\n", listing);
        Assert.Contains("CancellationToken cancellationToken)", listing);
        Assert.DoesNotContain("PublicApiListing", listing); // internal
    }
}
