using HrmsAttendance.Contracts.Identity.V1;
using Grpc.Core;
using static HrmsAttendance.IdentityMapping.IntegrationTests.Calls;
using static HrmsAttendance.IdentityMapping.IntegrationTests.IdentityMappingServiceFixture;

namespace HrmsAttendance.IdentityMapping.IntegrationTests;

/// <summary>CreatePerson, UpdatePerson and ListPersons over the real gRPC port.</summary>
[Collection(IdentityMappingServiceCollection.Name)]
public sealed class PersonTests(IdentityMappingServiceFixture fixture)
{
    private readonly Guid tenant = Guid.NewGuid();
    private IdentityMappingClient Client => fixture.Client;

    [Fact]
    public async Task A_created_person_is_active_and_listed()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var person = await Client.CreatePersonAsync(new CreatePersonRequest { EmployeeNumber = "E001", DisplayName = "张三" }, For(tenant));

        Assert.True(Guid.TryParseExact(person.PersonUuid, "D", out _));
        Assert.Equal(("E001", "张三", true), (person.EmployeeNumber, person.DisplayName, person.Active));
        Assert.InRange(person.CreatedAt.ToDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(person.CreatedAt, person.UpdatedAt);

        var listed = await Client.ListPersonsAsync(new ListPersonsRequest(), For(tenant));
        Assert.Equal(person, Assert.Single(listed.Persons));
        Assert.Equal("", listed.NextPageToken);
    }

    [Fact]
    public async Task A_taken_employee_number_is_already_exists_and_changes_nothing()
    {
        var first = await Client.CreatePersonAsync(tenant, "E100", "First");

        var e = await AssertRefusedAsync(StatusCode.AlreadyExists, "IDENTITY_EMPLOYEE_NUMBER_TAKEN",
            () => Client.CreatePersonAsync(tenant, "E100", "Second"));

        Assert.Contains(first.PersonUuid, e.Status.Detail);
        Assert.Equal(1, await fixture.CountAsOwnerAsync(tenant, "person.persons"));
        // Numbers are exact: another case is another number; and another tenant may use the same one.
        await Client.CreatePersonAsync(tenant, "e100", "Lower case");
        await Client.CreatePersonAsync(Guid.NewGuid(), "E100", "Elsewhere");
    }

    [Fact]
    public async Task Pages_walk_every_person_once_in_employee_number_order()
    {
        var numbers = Enumerable.Range(1, 11).Select(i => $"N{i:D3}").ToArray();
        foreach (var number in numbers.Reverse())
            await Client.CreatePersonAsync(tenant, number);

        var pages = new List<ListPersonsResponse>();
        var token = "";
        do
        {
            var page = await Client.ListPersonsAsync(new ListPersonsRequest { PageSize = 4, PageToken = token }, For(tenant));
            pages.Add(page);
            token = page.NextPageToken;
        } while (token.Length > 0);

        Assert.Equal([4, 4, 3], pages.Select(p => p.Persons.Count));
        Assert.Equal(numbers, pages.SelectMany(p => p.Persons).Select(p => p.EmployeeNumber));

        // A page that ends exactly at the last person has no next token.
        var exact = await Client.ListPersonsAsync(new ListPersonsRequest { PageSize = 11 }, For(tenant));
        Assert.Equal(11, exact.Persons.Count);
        Assert.Equal("", exact.NextPageToken);

        // page_size 0 means 50.
        Assert.Equal(11, (await Client.ListPersonsAsync(new ListPersonsRequest(), For(tenant))).Persons.Count);
    }

    [Theory]
    [InlineData("alice", new[] { "A-7" })]
    [InlineData("ZHANG", new[] { "A-7", "B-2" })]
    [InlineData("b-", new[] { "B-2" })]
    [InlineData("张", new[] { "C-9" })]
    [InlineData("%", new[] { "D-1" })]
    [InlineData("nobody", new string[0])]
    public async Task Search_matches_names_and_numbers_ignoring_case(string search, string[] expected)
    {
        await Client.CreatePersonAsync(tenant, "A-7", "Alice Zhang");
        await Client.CreatePersonAsync(tenant, "B-2", "Bo Zhang");
        await Client.CreatePersonAsync(tenant, "C-9", "张伟");
        await Client.CreatePersonAsync(tenant, "D-1", "100% Dana");

        var listed = await Client.ListPersonsAsync(new ListPersonsRequest { Search = search }, For(tenant));

        Assert.Equal(expected, listed.Persons.Select(p => p.EmployeeNumber));
    }

    [Fact]
    public async Task Search_pages_too()
    {
        for (var i = 0; i < 5; i++)
        {
            await Client.CreatePersonAsync(tenant, $"S{i}", i % 2 == 0 ? $"Match {i}" : $"Other {i}");
        }
        var first = await Client.ListPersonsAsync(new ListPersonsRequest { Search = "match", PageSize = 2 }, For(tenant));
        var second = await Client.ListPersonsAsync(new ListPersonsRequest { Search = "match", PageSize = 2, PageToken = first.NextPageToken }, For(tenant));

        Assert.Equal(["S0", "S2"], first.Persons.Select(p => p.EmployeeNumber));
        Assert.Equal(["S4"], second.Persons.Select(p => p.EmployeeNumber));
        Assert.Equal("", second.NextPageToken);
    }

    [Fact]
    public async Task UpdatePerson_renames_deactivates_and_keeps_what_is_not_given()
    {
        var person = await Client.CreatePersonAsync(tenant, "U-1", "Old Name");

        var renamed = await Client.UpdatePersonAsync(new UpdatePersonRequest { PersonUuid = person.PersonUuid, DisplayName = "New Name" }, For(tenant));
        Assert.Equal(("New Name", true), (renamed.DisplayName, renamed.Active));
        Assert.True(renamed.UpdatedAt.ToDateTimeOffset() > person.UpdatedAt.ToDateTimeOffset());
        Assert.Equal(person.CreatedAt, renamed.CreatedAt);

        var deactivated = await Client.UpdatePersonAsync(new UpdatePersonRequest { PersonUuid = person.PersonUuid, Active = false }, For(tenant));
        Assert.Equal(("New Name", false), (deactivated.DisplayName, deactivated.Active));

        // Nothing given: nothing changes, not even updated_at.
        var unchanged = await Client.UpdatePersonAsync(new UpdatePersonRequest { PersonUuid = person.PersonUuid }, For(tenant));
        Assert.Equal(deactivated, unchanged);
    }

    [Fact]
    public async Task Updating_an_unknown_person_is_not_found()
    {
        await AssertRefusedAsync(StatusCode.NotFound, "IDENTITY_PERSON_NOT_FOUND",
            () => Client.UpdatePersonAsync(new UpdatePersonRequest { PersonUuid = Guid.NewGuid().ToString(), DisplayName = "X" }, For(tenant)));
    }
}
