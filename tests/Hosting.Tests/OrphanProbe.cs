using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.Tests;

/// <summary>
/// This test assembly is also a tiny host program (see GenerateProgramFile in the csproj): the orphan tests
/// run it as a separate process that starts a child, prints the child's pid, and then either returns from
/// Main or waits to be signalled. The tests then check that the child did not outlive it.
/// </summary>
public static class OrphanProbe
{
    public const string Verb = "--orphan-probe";

    public static int Main(string[] args)
    {
        if (args.Length != 2 || args[0] != Verb)
        {
            Console.Error.WriteLine($"usage: Hosting.Tests {Verb} exit|wait");
            return 2;
        }

        var child = ChildProcess.Start(new ChildProcessOptions { Name = "sleep", FileName = "sleep", Arguments = ["300"] });
        Console.WriteLine(child.Pid);
        Console.Out.Flush();

        if (args[1] == "wait")
        {
            Thread.Sleep(Timeout.Infinite); // until the test signals us
        }
        return 0; // normal exit with the child still running
    }
}
