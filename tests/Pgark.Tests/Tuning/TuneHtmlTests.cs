using System.Diagnostics;
using System.Xml;
using System.Xml.Linq;
using Pgark.Repository.Config;
using Pgark.Repository.Ids;
using Pgark.Tuning;

namespace Pgark.Tests.Tuning;

public sealed class TuneHtmlTests
{
    private static readonly Lazy<TuneReport> s_report = new(() => TuneEngine.Run(TuneData.Sample(TuneData.Compressible, 2),
        new TuneOptions { Levels = [-1, 3, 9], ExtentSizes = [64 << 10, 256 << 10], PackSizes = [8 << 20, 32 << 20], Workers = 2 },
        StorageSettings.Default, ChunkHasher.Unkeyed, null, null));

    [Fact]
    public void The_report_is_well_formed_self_contained_and_charts_every_candidate()
    {
        var report = s_report.Value;
        var html = TuneHtml.Render(report);

        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);

        var document = Parse(html);
        var svg = Assert.Single(document.Descendants("svg"));
        var circles = svg.Elements("circle").ToList();
        var extents = report.Candidates.Select(c => c.Settings.ExtentSize).Distinct().Count();
        Assert.Equal(report.Candidates.Count + 1 + extents, circles.Count); // points, the recommendation ring, the legend
        Assert.Single(circles, c => (string?)c.Attribute("class") == "recommended");
        Assert.Equal(report.Candidates.Count + 1, document.Descendants("tr").Count());
        Assert.Single(document.Descendants("tr"), r => (string?)r.Attribute("class") == "rec");
        Assert.Contains(report.Recommended.Settings.ToString(), html);
        Assert.Equal(7, report.Candidates.Count); // 3 levels x 2 extents, then the one other pack size
    }

    [ChromiumFact]
    public void Headless_Chromium_renders_the_report_with_its_chart()
    {
        var directory = Directory.CreateTempSubdirectory("pgark-tune-html-");
        try
        {
            var file = Path.Combine(directory.FullName, "report.html");
            File.WriteAllText(file, TuneHtml.Render(s_report.Value));
            var dom = RunChromium(directory.FullName, "--dump-dom", "file://" + file);
            var rendered = Parse(dom[dom.IndexOf("<html", StringComparison.Ordinal)..]);
            Assert.Single(rendered.Descendants("svg"));
            Assert.Equal(s_report.Value.Candidates.Count + 1, rendered.Descendants("tr").Count());

            var png = Path.Combine(directory.FullName, "report.png");
            RunChromium(directory.FullName, "--screenshot=" + png, "--window-size=900,1200", "file://" + file);
            var bytes = File.ReadAllBytes(png);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            Assert.True(bytes.Length > 10_000, $"screenshot of {bytes.Length} bytes looks blank");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static XDocument Parse(string html)
    {
        // The report is written as XML-compatible HTML; the browser's serialized DOM drops the closing slashes of void elements.
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore };
        var text = html.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal);
        text = System.Text.RegularExpressions.Regex.Replace(text, "<meta([^>]*[^/])>", "<meta$1/>");
        using var reader = XmlReader.Create(new StringReader(text), settings);
        return XDocument.Load(reader);
    }

    private static string RunChromium(string profile, params string[] arguments)
    {
        var start = new ProcessStartInfo(ChromiumFactAttribute.Path!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + Path.Combine(profile, "profile"), .. arguments])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish within 2 minutes");
        }
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {error.Result}");
        return output.Result;
    }
}

/// <summary>Runs only where a chromium binary is installed (apt-get install chromium); elsewhere skipped, saying why.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public static readonly string? Path = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    public ChromiumFactAttribute()
    {
        if (Path is null)
            Skip = "no chromium binary (/usr/bin/chromium): install it with apt-get install chromium to render the tune report";
    }
}
