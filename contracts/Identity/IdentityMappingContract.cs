using HrmsAttendance.GrpcWire;

namespace HrmsAttendance.Contracts.Identity.V1;

/// <summary>The methods of <c>attendance.identity.v1.IdentityMapping</c>, declared once for server and client.</summary>
public static class IdentityMappingMethods
{
    public const string ServiceName = "attendance.identity.v1.IdentityMapping";

    public static readonly Method<CreatePersonRequest, Person> CreatePerson =
        new(MethodType.Unary, ServiceName, "CreatePerson", CreatePersonRequest.Parser, Person.Parser);

    public static readonly Method<UpdatePersonRequest, Person> UpdatePerson =
        new(MethodType.Unary, ServiceName, "UpdatePerson", UpdatePersonRequest.Parser, Person.Parser);

    public static readonly Method<ListPersonsRequest, ListPersonsResponse> ListPersons =
        new(MethodType.Unary, ServiceName, "ListPersons", ListPersonsRequest.Parser, ListPersonsResponse.Parser);

    public static readonly Method<LinkIdentityRequest, IdentityLink> LinkIdentity =
        new(MethodType.Unary, ServiceName, "LinkIdentity", LinkIdentityRequest.Parser, IdentityLink.Parser);

    public static readonly Method<UnlinkIdentityRequest, IdentityLink> UnlinkIdentity =
        new(MethodType.Unary, ServiceName, "UnlinkIdentity", UnlinkIdentityRequest.Parser, IdentityLink.Parser);

    public static readonly Method<ResolveIdentitiesRequest, ResolveIdentitiesResponse> ResolveIdentities =
        new(MethodType.Unary, ServiceName, "ResolveIdentities", ResolveIdentitiesRequest.Parser, ResolveIdentitiesResponse.Parser);

    public static readonly Method<ListUnmappedRequest, ListUnmappedResponse> ListUnmapped =
        new(MethodType.Unary, ServiceName, "ListUnmapped", ListUnmappedRequest.Parser, ListUnmappedResponse.Parser);
}

/// <summary>Server side: derive, override the methods you serve, map with <c>MapGrpcService&lt;T&gt;()</c>.</summary>
public abstract class IdentityMappingServiceBase : IGrpcService
{
    public virtual Task<Person> CreatePerson(CreatePersonRequest request, ServerCallContext context) =>
        throw Unimplemented(IdentityMappingMethods.CreatePerson.Name);

    public virtual Task<Person> UpdatePerson(UpdatePersonRequest request, ServerCallContext context) =>
        throw Unimplemented(IdentityMappingMethods.UpdatePerson.Name);

    public virtual Task<ListPersonsResponse> ListPersons(ListPersonsRequest request, ServerCallContext context) =>
        throw Unimplemented(IdentityMappingMethods.ListPersons.Name);

    public virtual Task<IdentityLink> LinkIdentity(LinkIdentityRequest request, ServerCallContext context) =>
        throw Unimplemented(IdentityMappingMethods.LinkIdentity.Name);

    public virtual Task<IdentityLink> UnlinkIdentity(UnlinkIdentityRequest request, ServerCallContext context) =>
        throw Unimplemented(IdentityMappingMethods.UnlinkIdentity.Name);

    public virtual Task<ResolveIdentitiesResponse> ResolveIdentities(ResolveIdentitiesRequest request, ServerCallContext context) =>
        throw Unimplemented(IdentityMappingMethods.ResolveIdentities.Name);

    public virtual Task<ListUnmappedResponse> ListUnmapped(ListUnmappedRequest request, ServerCallContext context) =>
        throw Unimplemented(IdentityMappingMethods.ListUnmapped.Name);

    public void Bind(GrpcServiceBinder binder) => binder
        .AddUnary(IdentityMappingMethods.CreatePerson, CreatePerson)
        .AddUnary(IdentityMappingMethods.UpdatePerson, UpdatePerson)
        .AddUnary(IdentityMappingMethods.ListPersons, ListPersons)
        .AddUnary(IdentityMappingMethods.LinkIdentity, LinkIdentity)
        .AddUnary(IdentityMappingMethods.UnlinkIdentity, UnlinkIdentity)
        .AddUnary(IdentityMappingMethods.ResolveIdentities, ResolveIdentities)
        .AddUnary(IdentityMappingMethods.ListUnmapped, ListUnmapped);

    private static RpcException Unimplemented(string method) =>
        new(StatusCode.Unimplemented, $"{IdentityMappingMethods.ServiceName}/{method} is not implemented");
}

/// <summary>Typed client for <c>attendance.identity.v1.IdentityMapping</c>.</summary>
public sealed class IdentityMappingClient(GrpcChannel channel)
{
    public Task<Person> CreatePersonAsync(CreatePersonRequest request, CallOptions options = default) =>
        channel.UnaryAsync(IdentityMappingMethods.CreatePerson, request, options);

    public Task<Person> UpdatePersonAsync(UpdatePersonRequest request, CallOptions options = default) =>
        channel.UnaryAsync(IdentityMappingMethods.UpdatePerson, request, options);

    public Task<ListPersonsResponse> ListPersonsAsync(ListPersonsRequest request, CallOptions options = default) =>
        channel.UnaryAsync(IdentityMappingMethods.ListPersons, request, options);

    public Task<IdentityLink> LinkIdentityAsync(LinkIdentityRequest request, CallOptions options = default) =>
        channel.UnaryAsync(IdentityMappingMethods.LinkIdentity, request, options);

    public Task<IdentityLink> UnlinkIdentityAsync(UnlinkIdentityRequest request, CallOptions options = default) =>
        channel.UnaryAsync(IdentityMappingMethods.UnlinkIdentity, request, options);

    public Task<ResolveIdentitiesResponse> ResolveIdentitiesAsync(ResolveIdentitiesRequest request, CallOptions options = default) =>
        channel.UnaryAsync(IdentityMappingMethods.ResolveIdentities, request, options);

    public Task<ListUnmappedResponse> ListUnmappedAsync(ListUnmappedRequest request, CallOptions options = default) =>
        channel.UnaryAsync(IdentityMappingMethods.ListUnmapped, request, options);
}
