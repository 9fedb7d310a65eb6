using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using static HrmsAttendance.IdentityMapping.IntegrationTests.Calls;
using static HrmsAttendance.IdentityMapping.IntegrationTests.IdentityMappingServiceFixture;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>
/// Uuids with whitespace around them, page tokens forged to carry what the database cannot hold, and query strings with
/// parameters the route does not have: INVALID_ARGUMENT / 400 IDENTITY_INVALID_ARGUMENT, and nothing changes (issue 15:
/// "&lt;uuid&gt; " was read as the uuid, a forged token ended as INTERNAL, unknown parameters were ignored).
/// </summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class HostileValueTests(IdentityMappingServiceFixture fixture)
{
    private const string Code = "IDENTITY_INVALID_ARGUMENT";
    private readonly Guid tenant = Guid.NewGuid();
    private IdentityMappingClient Client => fixture.Client;

    [Theory]
    [InlineData(" ")]
    [InlineData("\t")]
    [InlineData("\u00a0")]
    public async Task A_person_uuid_with_whitespace_around_it_is_refused_and_changes_nothing(string padding)
    {
        var person = await Client.CreatePersonAsync(tenant, "W-" + Guid.NewGuid().ToString("N")[..8], "Before");
        var padded = padding + person.PersonUuid;

        var e = await AssertRefusedAsync(StatusCode.InvalidArgument, Code, () =>
            Client.UpdatePersonAsync(new() { PersonUuid = padded, DisplayName = "After" }, For(tenant)));
        Assert.StartsWith($"{Code}: person_uuid ", e.Status.Detail);
        e = await AssertRefusedAsync(StatusCode.InvalidArgument, Code, () =>
            Client.LinkIdentityAsync(new() { Provider = IdentityProvider.Dingtalk, ExternalUserId = "w-" + padding.Length, PersonUuid = padded }, For(tenant)));
        Assert.StartsWith($"{Code}: person_uuid ", e.Status.Detail);

        var listed = (await Client.ListPersonsAsync(new(), For(tenant))).Persons.Single(p => p.PersonUuid == person.PersonUuid);
        Assert.Equal("Before", listed.DisplayName);
        Assert.Equal([""], await Client.ResolveAsync(tenant, ["w-" + padding.Length]));
    }

    private static string Token(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("p1\n\0E-1")]
    [InlineData("p1\nE-\u0001")]
    public async Task A_persons_page_token_carrying_a_control_character_is_refused(string text) =>
        await AssertRefusedAsync(StatusCode.InvalidArgument, Code, () =>
            Client.ListPersonsAsync(new() { PageToken = Token(text) }, For(tenant)));

    [Theory]
    [InlineData("u1\n639000000000000000\nDINGTALK\nx\0y")]
    [InlineData("u1\n0\nWECOM\n\u0085")]
    public async Task An_unmapped_page_token_carrying_a_control_character_is_refused(string text) =>
        await AssertRefusedAsync(StatusCode.InvalidArgument, Code, () =>
            Client.ListUnmappedAsync(new() { PageToken = Token(text) }, For(tenant)));

    [Theory]
    [InlineData("page_size=5&debug=true", "debug")]
    [InlineData("provider=dingtalk&provider=dingtalk", "provider")]
    [InlineData("page_size=5&page_size=5", "page_size")]
    [InlineData("page_token={0}", "page_token")]
    public async Task Http_refuses_unknown_repeated_and_hostile_parameters_naming_them(string query, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            "/api/identity/unmapped?" + string.Format(query, Uri.EscapeDataString(Token("u1\n0\nWECOM\nx\0y"))));
        request.Headers.Authorization = new("Bearer", IdentityMappingServiceFixture.AccessTokens.Issue(tenant));

        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(Code, json.RootElement.GetProperty("code").GetString());
        Assert.StartsWith(field + " ", json.RootElement.GetProperty("detail").GetString());
    }
}
