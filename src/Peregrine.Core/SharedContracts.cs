namespace Peregrine;

// Response shapes more than one feature answers with (a feature's own shapes live beside it, in its *Contracts.cs).

/// <summary>Upstream's <c>{ok: true|false}</c>.</summary>
public sealed record OkResponse(bool Ok)
{
    public static readonly OkResponse Yes = new(true);
}
