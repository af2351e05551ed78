using System.Globalization;
using System.Text.Json;

namespace Peregrine.Settings;

/// <summary>Between YAML's object graph (object-keyed maps, string scalars) and JSON's (string keys, typed scalars).</summary>
internal static class YamlJson
{
    public static Dictionary<string, object?> ToJsonShape(IReadOnlyDictionary<string, object?> map) =>
        map.ToDictionary(p => p.Key, p => Convert(p.Value));

    public static Dictionary<string, object?> FromJson(JsonElement element) =>
        element.EnumerateObject().ToDictionary(p => p.Name, p => FromJsonValue(p.Value));

    private static object? Convert(object? value) => value switch
    {
        IDictionary<object, object?> map => map.ToDictionary(p => p.Key.ToString() ?? string.Empty, p => Convert(p.Value)),
        IList<object?> list => list.Select(Convert).ToList(),
        _ => value,
    };

    private static object? FromJsonValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => FromJson(value),
        JsonValueKind.Array => value.EnumerateArray().Select(FromJsonValue).ToList(),
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole : value.GetDouble().ToString(CultureInfo.InvariantCulture),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
