using HrmsAttendance.Database;
using HrmsAttendance.IdentityMapping.Data;
using HrmsAttendance.IdentityMapping.Grpc;
using HrmsAttendance.IdentityMapping.Messaging;
using HrmsAttendance.IdentityMapping.Model;
using HrmsAttendance.Messaging;
using HrmsAttendance.Messaging.Outbox;
using HrmsAttendance.ServiceDefaults;
using HrmsAttendance.StableErrors;
using HrmsAttendance.TokenAuthentication;

namespace HrmsAttendance.IdentityMapping.Extensions;

internal static class Extensions
{
    /// <summary>The connection string name: the service's own NOSUPERUSER NOBYPASSRLS role (identity_mapping_app).</summary>
    public const string DatabaseName = "attendance";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDataSource(DatabaseName);

        builder.Services.AddSingleton<PersonStore>();
        builder.Services.AddSingleton<IdentityLinkStore>();
        builder.Services.AddSingleton<IdentityMappingService>();
        builder.Services.AddServiceActivitySource(IdentityMappingService.ActivitySource.Name);

        builder.Services.AddGrpcServiceDefaults(IdentityErrors.Statuses);
        // Every call needs a valid bearer token (the caller is read from it alone); only health is anonymous.
        builder.AddServiceAuthentication(IdentityErrors.TokenRefusals);

        // ExternalIdentityLinked and ExternalIdentityUnlinked: the links' triggers write them to person.outbox in the
        // door's transaction (migration 0008); the relay publishes them to the bus. Links do not wait for the broker.
        builder.Services.AddSingleton(TimeProvider.System); // the relay's clock
        builder.AddMessageBus();
        builder.AddOutboxRelay<IdentityOutboxMessages>(IdentityOutboxMessages.Schema, IdentityOutboxMessages.Source);
    }
}
