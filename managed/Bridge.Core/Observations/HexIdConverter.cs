using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bridge.Core.Observations;

/// <summary>A 64-bit identifier (a run id) as a string of 16 hex digits: JSON numbers past 2^53 lose digits in jq,
/// JavaScript and most JSON libraries. Reads the same string back (and, for old files, a plain number).</summary>
public sealed class HexIdConverter : JsonConverter<ulong>
{
    public override ulong Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
            return reader.GetUInt64();
        var text = reader.GetString();
        return ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new JsonException($"'{text}' is not a run id (expected up to 16 hex digits)");
    }

    public override void Write(Utf8JsonWriter writer, ulong value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    public static string Format(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);
}
