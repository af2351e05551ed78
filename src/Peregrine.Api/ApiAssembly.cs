namespace Peregrine.Api;

/// <summary>
/// Names this assembly for <c>WebApplicationFactory&lt;ApiAssembly&gt;</c>: the AppHost, also referenced by the
/// tests, generates a public global <c>Program</c> of its own.
/// </summary>
public sealed class ApiAssembly
{
    private ApiAssembly()
    {
    }
}
