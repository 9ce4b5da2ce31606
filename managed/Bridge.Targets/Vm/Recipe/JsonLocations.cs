using System.Text;
using System.Text.Json;

namespace Bridge.Targets.Vm.Recipe;

/// <summary>
/// Where every value (and every property name) of a JSON text starts, as 1-based line and column, by path
/// (<c>kernelLines.debian-sid.suites[0]</c>): <see cref="JsonDocument"/> keeps no positions, so one pass of
/// <see cref="Utf8JsonReader"/> records them for error messages in the form <c>file:line:col</c>.
/// </summary>
public sealed class JsonLocations
{
    private readonly Dictionary<string, (int Line, int Column)> _values = [];
    private readonly Dictionary<string, (int Line, int Column)> _names = [];

    private JsonLocations() { }

    public static JsonLocations Of(byte[] utf8, JsonReaderOptions options)
    {
        var locations = new JsonLocations();
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
            if (utf8[i] == '\n')
                lineStarts.Add(i + 1);
        (int, int) At(long offset)
        {
            var line = lineStarts.BinarySearch((int)offset);
            if (line < 0)
                line = ~line - 1;
            var column = Encoding.UTF8.GetCharCount(utf8, lineStarts[line], (int)offset - lineStarts[line]) + 1;
            return (line + 1, column);
        }

        var reader = new Utf8JsonReader(utf8, options);
        // One frame per open container: its path, whether it is an array, and the next array index.
        var stack = new Stack<(string Path, bool IsArray, int Next)>();
        string? pendingName = null;
        string NextPath()
        {
            if (stack.Count == 0)
                return "";
            var (path, isArray, next) = stack.Pop();
            stack.Push((path, isArray, next + (isArray ? 1 : 0)));
            return isArray ? $"{path}[{next}]" : Join(path, pendingName!);
        }
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    pendingName = reader.GetString()!;
                    locations._names[Join(stack.Peek().Path, pendingName)] = At(reader.TokenStartIndex);
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    var path = NextPath();
                    locations._values[path] = At(reader.TokenStartIndex);
                    stack.Push((path, reader.TokenType == JsonTokenType.StartArray, 0));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    stack.Pop();
                    break;
                case JsonTokenType.Comment:
                    break;
                default:
                    locations._values[NextPath()] = At(reader.TokenStartIndex);
                    break;
            }
        }
        return locations;
    }

    /// <summary>A member's path: <c>parent.name</c>, or <c>name</c> at the top.</summary>
    public static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    /// <summary>Where the value at <paramref name="path"/> starts (the document's start when unknown).</summary>
    public (int Line, int Column) Value(string path) => _values.GetValueOrDefault(path, (1, 1));

    /// <summary>Where the property name of the member at <paramref name="path"/> starts.</summary>
    public (int Line, int Column) Name(string path) => _names.TryGetValue(path, out var at) ? at : Value(path);
}
