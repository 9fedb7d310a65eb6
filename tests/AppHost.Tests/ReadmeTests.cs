using HrmsAttendance.Interop;

namespace HrmsAttendance.AppHost.Tests;

/// <summary>What the README must tell a caller from outside (issue 15, found 7).</summary>
public sealed class ReadmeTests
{
    private static string Section(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(NodeInterop.RepoRoot, "README.md"));
        var start = readme.IndexOf("## " + heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no section '{heading}'");
        var end = readme.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        var text = end < 0 ? readme[start..] : readme[start..end];
        // As a reader sees it: no emphasis marks, one space wherever the lines were wrapped.
        return System.Text.RegularExpressions.Regex.Replace(text.Replace("**", ""), @"\s+", " ");
    }

    [Fact]
    public void Calling_from_outside_says_a_timeout_is_not_a_refusal_and_to_retry_with_the_same_request_id()
    {
        var section = Section("Calling a gRPC method from outside");

        Assert.Contains("A DEADLINE_EXCEEDED, a CANCELLED or a lost connection does not mean \"not recorded\"", section);
        Assert.Contains("Retry with the same `request_id`", section);
    }
}
