using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HrmsAttendance.AppHost.Tests.Distributed;

/// <summary>
/// A TLS listener added to the gateway through plain Kestrel configuration (what an operator would set): a
/// self-signed certificate for 127.0.0.1 written to a PFX file, one https endpoint serving HTTP/1.1 and HTTP/2
/// (chosen per connection by ALPN). Clients trust exactly this certificate and nothing else.
/// </summary>
public sealed class GatewayTls : IDisposable
{
    private const string EndpointPrefix = "Kestrel__Endpoints__https__";
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-tls-").FullName;
    private readonly X509Certificate2 _certificate;
    private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public GatewayTls()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // serverAuth
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CertificatePath = Path.Combine(_directory, "gateway.pfx");
        File.WriteAllBytes(CertificatePath, created.Export(X509ContentType.Pfx, _password));
        _certificate = X509CertificateLoader.LoadCertificate(created.Export(X509ContentType.Cert));
        Address = new Uri($"https://127.0.0.1:{DistributedAppFixture.FreeLoopbackPort()}");
    }

    public Uri Address { get; }

    public string CertificatePath { get; }

    /// <summary>The Kestrel settings that add the endpoint, as environment variables of the gateway.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        [EndpointPrefix + "Url"] = Address.ToString().TrimEnd('/'),
        [EndpointPrefix + "Protocols"] = "Http1AndHttp2",
        [EndpointPrefix + "Certificate__Path"] = CertificatePath,
        [EndpointPrefix + "Certificate__Password"] = _password,
    };

    /// <summary>A handler that accepts the gateway's certificate only; the caller disposes it.</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString() == _certificate.GetCertHashString(),
        },
    };

    public void Dispose()
    {
        _certificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
