namespace Peregrine.Demo;

/// <summary>A type in the demo host's assembly, for <c>WebApplicationFactory&lt;DemoAssembly&gt;</c>.</summary>
public sealed class DemoAssembly;
