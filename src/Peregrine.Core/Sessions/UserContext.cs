using Peregrine.Storage;

namespace Peregrine.Sessions;

/// <summary>
/// The user a request acts for (TodoApp's CurrentUser): resolved once per request by the filter that
/// <see cref="UserRoutes.RequireUser"/> puts on a route group, never captured at start-up. Handlers take it as a
/// parameter; everything per-user (files, the DB, the key) comes from here and nowhere else.
/// </summary>
public sealed class UserContext
{
    /// <summary>Canonical lower-case UUID in cloud mode; <see cref="LocalUserId"/> in local mode.</summary>
    public required string UserId { get; init; }

    /// <summary>The app slug (<c>peregrine</c>, <c>falcon</c>, …).</summary>
    public required string App { get; init; }

    /// <summary><c>&lt;CLOUD_DATA_ROOT&gt;/&lt;user-id&gt;/&lt;app&gt;/</c> in cloud mode; the local DB's folder otherwise.</summary>
    public required string AppDirectory { get; init; }

    public required DatabaseLocation Database { get; init; }

    public required bool IsCloud { get; init; }

    /// <summary>When the request's session was issued (cloud mode only): compared with the account's last erasure.</summary>
    public DateTimeOffset? SessionIssuedAt { get; init; }

    public string ConfigDirectory => Path.Combine(AppDirectory, "config");

    public string DataDirectory => Path.Combine(AppDirectory, "data");

    public const string LocalUserId = "local";
}
