using Peregrine;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPeregrineCore();

var app = builder.Build();

if (!app.PassesStartupChecks())
{
    return 1;
}

app.MapDefaultEndpoints();
app.MapPeregrineGroup();

app.Run();
return 0;
