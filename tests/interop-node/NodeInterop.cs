// Runs the grpc-js scripts in tests/interop-node from .NET tests. Link it into a test project with
//   <Compile Include="../interop-node/NodeInterop.cs" Link="Interop/NodeInterop.cs" />
// It needs only the BCL (System.Text.Json, System.Diagnostics.Process).
#nullable enable
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HrmsAttendance.Interop;

/// <summary>
/// Finds tests/interop-node, installs its npm packages once (npm ci, guarded by a file lock so parallel
/// test projects don't race), runs node scripts, and starts long-running node servers.
/// Fails with a clear message when node or npm is missing: interop tests must not silently skip.
/// </summary>
public static class NodeInterop
{
    private static readonly Lazy<string> Directory = new(FindInteropDirectory);
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private static volatile bool installed;

    /// <summary>The absolute path of tests/interop-node.</summary>
    public static string InteropDirectory => Directory.Value;

    /// <summary>The repository root (the folder holding HrmsAttendance.sln).</summary>
    public static string RepoRoot => Path.GetFullPath(Path.Combine(InteropDirectory, "..", ".."));

    /// <summary>tests/interop-node/client.js, the generic grpc-js client.</summary>
    public static string ClientScript => Path.Combine(InteropDirectory, "client.js");

    /// <summary>Runs <c>npm ci</c> in tests/interop-node unless its packages are already installed.</summary>
    public static async Task EnsureInstalledAsync(CancellationToken cancellationToken = default)
    {
        if (installed || IsInstalled()) { installed = true; return; }
        await InstallGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsInstalled()) { installed = true; return; }
            using var fileLock = await AcquireFileLockAsync(Path.Combine(InteropDirectory, ".npm-install.lock"), cancellationToken).ConfigureAwait(false);
            if (!IsInstalled())
            {
                var result = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], InteropDirectory, null, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
                if (result.ExitCode != 0 || !IsInstalled())
                    throw new InvalidOperationException($"'npm ci' failed in {InteropDirectory} (exit {result.ExitCode}):\n{result.StandardError}\n{result.StandardOutput}");
            }
            installed = true;
        }
        finally
        {
            InstallGate.Release();
        }
    }

    /// <summary>Runs <c>node &lt;script&gt; args…</c> in tests/interop-node and waits for it to exit.</summary>
    public static async Task<NodeResult> RunScriptAsync(string script, IEnumerable<string> arguments, string? standardInput = null,
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync("node", [ScriptPath(script), .. arguments], InteropDirectory, standardInput,
            timeout ?? TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Calls one method with the generic grpc-js client (client.js). Methods of any .proto work:
    /// unary and server streaming take one request object, client streaming and duplex a JSON array.
    /// </summary>
    public static async Task<NodeCallResult> CallAsync(NodeCall call, CancellationToken cancellationToken = default)
    {
        var result = await RunScriptAsync("client.js", call.ToArguments(), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"client.js exited {result.ExitCode}:\n{result.StandardError}\n{result.StandardOutput}");
        var line = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException("client.js printed nothing. stderr:\n" + result.StandardError);
        return JsonSerializer.Deserialize<NodeCallResult>(line)
            ?? throw new InvalidOperationException("client.js printed 'null'.");
    }

    /// <summary>
    /// Starts a long-running node script (e.g. server.js) that prints <c>{"port": N}</c> once listening,
    /// and returns when it has. Dispose the result to stop it.
    /// </summary>
    public static async Task<NodeServer> StartServerAsync(string script, IEnumerable<string> arguments,
        TimeSpan? startTimeout = null, CancellationToken cancellationToken = default)
    {
        await EnsureInstalledAsync(cancellationToken).ConfigureAwait(false);
        var process = StartProcess("node", [ScriptPath(script), .. arguments], InteropDirectory, redirectInput: true);
        var server = new NodeServer(process);
        try
        {
            await server.WaitForPortAsync(startTimeout ?? TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // ---- internals ----

    private static string ScriptPath(string script) => Path.IsPathRooted(script) ? script : Path.Combine(InteropDirectory, script);

    private static bool IsInstalled() =>
        File.Exists(Path.Combine(InteropDirectory, "node_modules", "@grpc", "grpc-js", "package.json"))
        && File.Exists(Path.Combine(InteropDirectory, "node_modules", "@grpc", "proto-loader", "package.json"));

    private static string FindInteropDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HrmsAttendance.sln")))
            {
                var interop = Path.Combine(dir.FullName, "tests", "interop-node");
                return System.IO.Directory.Exists(interop)
                    ? interop
                    : throw new InvalidOperationException($"Found {dir.FullName}/HrmsAttendance.sln but no tests/interop-node beside it.");
            }
        }
        throw new InvalidOperationException($"No folder holding HrmsAttendance.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>A lock file opened exclusively: held across processes until disposed.</summary>
    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken cancellationToken)
    {
        var giveUp = DateTime.UtcNow + TimeSpan.FromMinutes(6);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < giveUp)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false); // another process is installing
            }
        }
    }

    internal static Process StartProcess(string fileName, IEnumerable<string> arguments, string workingDirectory, bool redirectInput)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{fileName}'.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"'{fileName}' was not found on PATH. The gRPC interop tests need Node.js 20+ and npm (CI installs them).", ex);
        }
    }

    private static async Task<NodeResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory,
        string? standardInput, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = StartProcess(fileName, arguments, workingDirectory, redirectInput: true);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null) await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
        process.StandardInput.Close();

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', arguments)}' did not exit within {timeout}.");
        }
        return new NodeResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}

/// <summary>What a finished node process printed, and its exit code.</summary>
public sealed record NodeResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// One call for client.js. <see cref="Method"/> is "package.Service/Method"; <see cref="RequestJson"/>
/// uses the .proto field names (bytes base64, int64 and enums as strings), or is a JSON array for
/// client-streaming and duplex methods; <see cref="Metadata"/> values of "-bin" keys are base64.
/// </summary>
public sealed record NodeCall(string ProtoPath, string Address, string Method, string RequestJson = "{}")
{
    /// <summary>Folders imports are resolved against (--include).</summary>
    public IReadOnlyList<string> IncludeDirs { get; init; } = [];
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public int? DeadlineMs { get; init; }

    /// <summary>The client.js command line for this call.</summary>
    public IEnumerable<string> ToArguments()
    {
        yield return "--proto"; yield return ProtoPath;
        foreach (var dir in IncludeDirs) { yield return "--include"; yield return dir; }
        yield return "--address"; yield return Address;
        yield return "--method"; yield return Method;
        yield return "--request"; yield return RequestJson;
        yield return "--metadata"; yield return JsonSerializer.Serialize(Metadata);
        if (DeadlineMs is { } ms) { yield return "--deadline-ms"; yield return ms.ToString(System.Globalization.CultureInfo.InvariantCulture); }
    }
}

/// <summary>client.js's output line: every response message, the response headers, the trailers and the status.</summary>
public sealed record NodeCallResult(
    [property: JsonPropertyName("messages")] JsonElement[] Messages,
    [property: JsonPropertyName("headers")] Dictionary<string, string[]> Headers,
    [property: JsonPropertyName("trailers")] Dictionary<string, string[]> Trailers,
    [property: JsonPropertyName("status")] NodeStatus Status);

/// <summary>The call's status as grpc-js saw it; <see cref="Details"/> is already percent-decoded.</summary>
public sealed record NodeStatus(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("details")] string Details);

/// <summary>A running node server; disposing kills it (and its children).</summary>
public sealed class NodeServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder stderr = new();

    internal NodeServer(Process process)
    {
        this.process = process;
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
    }

    /// <summary>The port the server printed.</summary>
    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:PORT, for GrpcChannel.ForAddress.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>What the server wrote to stderr so far (for failure messages).</summary>
    public string StandardError { get { lock (stderr) return stderr.ToString(); } }

    internal async Task WaitForPortAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeoutCts.Token).ConfigureAwait(false) is { } line)
            {
                if (!line.TrimStart().StartsWith('{')) continue;
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.TryGetProperty("port", out var port))
                {
                    Port = port.GetInt32();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The node server printed no port within {timeout}. stderr:\n{StandardError}");
        }
        throw new InvalidOperationException($"The node server exited (code {(process.HasExited ? process.ExitCode : -1)}) before printing its port. stderr:\n{StandardError}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        process.Dispose();
    }
}
