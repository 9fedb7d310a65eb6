using System.Net;
using Microsoft.Extensions.Options;

namespace HrmsAttendance.Gateway.Forwarding;

public static class ForwardingServiceCollectionExtensions
{
    /// <summary>Pooled connections are replaced after this long, so DNS changes and rebalanced services are picked up.</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Registers <see cref="ForwarderOptions"/> (bound from "Gateway:Forwarding" when present), one shared
    /// <see cref="HttpMessageInvoker"/> over a <see cref="SocketsHttpHandler"/> made for proxying (no proxy, no
    /// redirects, no decompression, no cookies, several HTTP/2 connections per upstream when streams run out) and
    /// <see cref="IHttpForwarder"/>, all singletons.
    /// </summary>
    public static IServiceCollection AddHttpForwarder(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ForwarderOptions>().Bind(configuration.GetSection(ForwarderOptions.SectionName));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ForwarderOptions>>().Value);
        // The invoker is held by a private type, not registered as HttpMessageInvoker: other parts of the gateway
        // may register their own clients, and this one must be used for forwarding only. Disposed with the container.
        services.AddSingleton(sp => new ForwardingInvoker(
            new HttpMessageInvoker(CreateHandler(sp.GetRequiredService<ForwarderOptions>()), disposeHandler: true)));
        services.AddSingleton<IHttpForwarder>(sp => new HttpForwarder(
            sp.GetRequiredService<ForwardingInvoker>().Invoker,
            sp.GetRequiredService<ForwarderOptions>(),
            sp.GetRequiredService<ILogger<HttpForwarder>>()));
        return services;
    }

    /// <summary>The handler the gateway proxies with (public for tests and for a host that builds its own invoker).</summary>
    public static SocketsHttpHandler CreateHandler(ForwarderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            PooledConnectionLifetime = PooledConnectionLifetime,
            ConnectTimeout = options.ConnectTimeout,
        };
    }
}

internal sealed class ForwardingInvoker(HttpMessageInvoker invoker) : IDisposable
{
    public HttpMessageInvoker Invoker { get; } = invoker;
    public void Dispose() => Invoker.Dispose();
}
