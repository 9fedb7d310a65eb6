namespace HrmsAttendance.Hosting;

/// <summary>
/// One of our services: a .NET project in the repository, built with <c>dotnet build</c> and run with
/// <c>dotnet &lt;assembly&gt;.dll</c> on loopback endpoints (<c>http</c>, and <c>grpc</c> HTTP/2-only). Running once its
/// <c>/health</c> answers 200; restarted with back-off when it crashes.
/// </summary>
public sealed class ProjectResource : Resource
{
    public const string HttpEndpointName = "http";
    public const string GrpcEndpointName = "grpc";

    internal ProjectResource(string name, string projectDirectory, string projectFile, string assemblyName) : base(name)
    {
        ProjectDirectory = projectDirectory;
        ProjectFile = projectFile;
        AssemblyName = assemblyName;
    }

    public override string Type => "project";

    /// <summary>Relative to the repository root, with forward slashes, e.g. <c>services/PunchLedger</c>.</summary>
    public string ProjectDirectory { get; }

    /// <summary>Relative to the repository root, e.g. <c>services/PunchLedger/PunchLedger.csproj</c>.</summary>
    public string ProjectFile { get; }

    public string AssemblyName { get; }

    /// <summary><c>http</c> first, then <c>grpc</c> if the project has it.</summary>
    public IReadOnlyList<EndpointAnnotation> Endpoints => [.. Annotations.OfType<EndpointAnnotation>()];

    public bool HasGrpcEndpoint => Endpoints.Any(e => e.Name == GrpcEndpointName);
}
