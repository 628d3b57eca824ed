using System.Diagnostics;
using Pgark.Cluster;

namespace Pgark.Tests.Cluster;

public sealed class ProcessTreeTests
{
    [Fact]
    public async Task Kill_takes_down_a_process_and_its_grandchildren()
    {
        // sh -> sleep (grandchild of this test process's child): the shape of postmaster -> backend.
        using Process shell = Process.Start(new ProcessStartInfo("sh", ["-c", "sleep 300 & sleep 300 & wait"]))!;
        int[] children = [];
        Assert.True(SpinWait.SpinUntil(() => (children = [.. ProcessTree.Descendants(shell.Id)]).Length == 2,
            TimeSpan.FromSeconds(10)), "the shell did not start its two children");

        List<int> killed = ProcessTree.Kill(shell.Id);
        await shell.WaitForExitAsync();

        Assert.Equal([shell.Id, .. children], killed);
        Assert.True(ProcessTree.WaitUntilGone(killed, TimeSpan.FromSeconds(10)));
        Assert.All(killed, pid => Assert.True(ProcessTree.IsGone(pid)));
    }

    [Fact]
    public void A_living_process_is_not_gone_and_has_a_start_time()
    {
        Assert.False(ProcessTree.IsGone(Environment.ProcessId));
        Assert.NotNull(ProcessTree.StartTime(Environment.ProcessId));
        Assert.True(ProcessTree.IsGone(int.MaxValue));
    }
}
