using HrmsAttendance.TokenAuthentication;
using Microsoft.Extensions.Configuration;

namespace HrmsAttendance.Gateway.Tests.Authentication;

/// <summary><c>Authentication:Oidc</c>: which OpenID Connect issuer's RS256 tokens are accepted besides HS256, and from where its keys are read.</summary>
public sealed class OidcIssuerTests
{
    private static IConfiguration Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create<string, string?>($"{OidcIssuer.ConfigurationSection}:{v.Key}", v.Value)))
            .Build().GetSection(OidcIssuer.ConfigurationSection);

    [Fact]
    public void Without_an_authority_only_hs256_tokens_are_accepted() =>
        Assert.Null(OidcIssuer.FromConfiguration(Section()));

    [Theory]
    [InlineData("http://127.0.0.1:5171", "http://127.0.0.1:5171/", "http://127.0.0.1:5171/.well-known/openid-configuration")]
    [InlineData("https://sign-in.example.com/", "https://sign-in.example.com/", "https://sign-in.example.com/.well-known/openid-configuration")]
    public void The_issuer_is_the_authority_as_openiddict_writes_it_and_the_keys_come_from_its_discovery_document(string authority, string issuer, string metadata)
    {
        var oidc = OidcIssuer.FromConfiguration(Section(("Authority", authority)))!;
        Assert.Equal(issuer, oidc.Issuer);
        Assert.Equal(metadata, oidc.MetadataAddress.AbsoluteUri);
    }

    [Fact]
    public void The_discovery_document_may_be_read_from_another_address()
    {
        var oidc = OidcIssuer.FromConfiguration(Section(("Authority", "https://sign-in.example.com"), ("MetadataAddress", "http://127.0.0.1:5171/.well-known/openid-configuration")))!;
        Assert.Equal("https://sign-in.example.com/", oidc.Issuer);
        Assert.Equal("http://127.0.0.1:5171/.well-known/openid-configuration", oidc.MetadataAddress.AbsoluteUri);
    }

    [Theory]
    [InlineData("sign-in.example.com", "must be an absolute http(s) URL")]
    [InlineData("ftp://sign-in.example.com", "must be an absolute http(s) URL")]
    [InlineData("http://sign-in.example.com", "must be read over https unless from a loopback address")]
    public void A_bad_authority_stops_the_process_naming_the_setting(string authority, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => OidcIssuer.FromConfiguration(Section(("Authority", authority))));
        Assert.Contains(OidcIssuer.ConfigurationSection, error.Message);
        Assert.Contains(message, error.Message);
    }
}
