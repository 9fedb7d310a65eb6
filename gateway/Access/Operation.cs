namespace HrmsAttendance.Gateway.Access;

/// <summary>What a call does, in the terms of the access policy: an object (seed 004 §7.2 style) and an action on it.</summary>
public sealed record Operation(string Object, string Action)
{
    public override string ToString() => $"{Object}:{Action}";
}

/// <summary>The objects and the operations on them that the gateway's routes lead to. <see cref="OperationCatalog"/> maps calls to these; <see cref="AccessPolicy"/> grants them.</summary>
public static class Operations
{
    public const string Punches = "attendance.punches";
    public const string DailyResults = "attendance.daily-results";
    public const string Persons = "attendance.persons";
    public const string IdentityLinks = "attendance.identity-links";
    public const string UnmappedIdentities = "attendance.unmapped-identities";
    public const string Imports = "attendance.imports";
    public const string Integrations = "attendance.integrations";
    public const string Users = "attendance.users";
    public const string Adjustments = "attendance.adjustments";
    public const string ApproverAssignments = "attendance.approver-assignments";
    public const string AuditLog = "attendance.audit-log";

    public static readonly Operation SubmitPunches = new(Punches, "submit");
    public static readonly Operation ReadPunches = new(Punches, "read");

    public static readonly Operation ReadDailyResults = new(DailyResults, "read");

    public static readonly Operation CreatePerson = new(Persons, "create");
    public static readonly Operation UpdatePerson = new(Persons, "update");
    public static readonly Operation ReadPersons = new(Persons, "read");

    public static readonly Operation LinkIdentity = new(IdentityLinks, "link");
    public static readonly Operation UnlinkIdentity = new(IdentityLinks, "unlink");
    /// <summary>Resolve platform user ids to persons; may record the unresolved ones in the unmapped queue.</summary>
    public static readonly Operation ResolveIdentities = new(IdentityLinks, "resolve");

    public static readonly Operation ReadUnmapped = new(UnmappedIdentities, "read");

    /// <summary>Imports (<c>/api/imports/…</c>, punch-ledger): prepare and commit submit, the rest reads.</summary>
    public static readonly Operation SubmitImport = new(Imports, "submit");
    public static readonly Operation ReadImports = new(Imports, "read");

    /// <summary>A tenant's platform connectors (DingTalk, WeCom): their settings (secrets write-only) and status.</summary>
    public static readonly Operation ConfigureIntegrations = new(Integrations, "configure");
    public static readonly Operation ReadIntegrations = new(Integrations, "read");

    /// <summary>The users who sign in (<c>attendance.accounts.v1.Accounts</c>, identity): create, set roles, deactivate, reset a password, unlock; list them and their history.</summary>
    public static readonly Operation ManageUsers = new(Users, "manage");
    public static readonly Operation ReadUsers = new(Users, "read");

    /// <summary>Adjustment requests (punch-ledger): ask for a correction of a person's punches, read them, decide them.</summary>
    public static readonly Operation RequestAdjustment = new(Adjustments, "request");
    public static readonly Operation ReadAdjustments = new(Adjustments, "read");
    /// <summary>One request by its id, which names no person: the service shows a caller only its own and its assigned persons' requests.</summary>
    public static readonly Operation GetAdjustment = new(Adjustments, "get");
    /// <summary>Withdraw a waiting request: the service lets only its requester (or a tenant-admin) do it.</summary>
    public static readonly Operation WithdrawAdjustment = new(Adjustments, "withdraw");
    /// <summary>Approve or reject, and list what waits: the service limits an approver to the persons assigned to it.</summary>
    public static readonly Operation DecideAdjustments = new(Adjustments, "decide");
    public static readonly Operation ManageApprovers = new(ApproverAssignments, "manage");

    /// <summary>The tenant's audit log (every write of every service).</summary>
    public static readonly Operation ReadAuditLog = new(AuditLog, "read");
}
