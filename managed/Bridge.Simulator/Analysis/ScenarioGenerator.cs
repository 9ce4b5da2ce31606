using System.Globalization;
using System.Text;
using Bridge.Core.Scenarios;
using Bridge.Simulator.Model;

namespace Bridge.Simulator.Analysis;

/// <summary>
/// Writes random scenario text that the parser accepts: it tracks what the parser checks (a pin before dma, no
/// mapping after munmap, file-less backings, fresh generations) and picks verbs by weight among those that fit.
/// </summary>
public sealed class ScenarioGenerator(SplitMix64 random)
{
    private static readonly string[] BackingChoices = ["ext4", "ext4", "ext4", "xfs", "btrfs", "tmpfs", "memfd", "anon"];

    private static readonly (string Verb, int Weight)[] TopLevel =
    [
        ("store", 14), ("odirect-read", 5), ("uring-read", 2), ("odirect-write", 3), ("uring-write", 1),
        ("msync", 6), ("fsync", 10), ("fdatasync", 3), ("sync-file-range", 3), ("fadvise-dontneed", 3),
        ("drop-caches", 2), ("mprotect", 2), ("truncate", 2), ("punch", 2), ("pin", 10), ("unpin", 4),
        ("dma", 14), ("dma-read", 3), ("munmap", 1), ("check", 3), ("race", 5),
    ];

    private BackingInfo _backing = BackingTable.All[0];
    private int _blocks, _size;
    private (int First, int Last)? _pin;
    private bool _mapped;
    private uint _gen;

    public string Next(string name, int steps)
    {
        _backing = BackingTable.Find(BackingChoices[random.Below(BackingChoices.Length)])!;
        _blocks = _size = 4 + random.Below(13);
        _pin = null;
        _mapped = true;
        _gen = 0;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"scenario {name}\nbacking {_backing.Name}\nmap {(random.Below(4) == 0 ? "private" : "shared")}\n");
        text.Append(CultureInfo.InvariantCulture, $"file size={_blocks * 4}K block=4K\n");
        for (var i = 0; i < steps; i++)
            text.Append(Step(topLevel: true)).Append('\n');
        return text.Append("check\n").ToString();
    }

    private string Step(bool topLevel)
    {
        while (true)
        {
            var verb = Pick();
            if (!Fits(verb, topLevel))
                continue;
            return verb switch
            {
                "race" => Race(),
                "store" or "odirect-read" or "uring-read" => $"{verb} gen={++_gen} blocks={Range(0, _size - 1)}",
                "odirect-write" or "uring-write" => $"{verb} blocks={Range(0, _size - 1)} to=out",
                "msync" => $"msync {(random.Below(5) == 0 ? "async" : random.Below(4) == 0 ? "invalidate" : "sync")}",
                "sync-file-range" or "fadvise-dontneed" => $"{verb} blocks={Range(0, _blocks - 1)}",
                "mprotect" => $"mprotect {(random.Below(2) == 0 ? "ro" : "rw")}",
                "truncate" => Truncate(),
                "punch" => $"punch blocks={Range(0, _blocks - 1)}",
                "pin" => Pin(),
                "unpin" => Unpin(),
                "dma" => $"dma gen={++_gen} blocks={Range(_pin!.Value.First, _pin.Value.Last)}",
                "dma-read" => $"dma-read blocks={Range(_pin!.Value.First, _pin.Value.Last)} to=out",
                "munmap" => Munmap(),
                _ => verb,
            };
        }
    }

    private string Pick()
    {
        var total = TopLevel.Sum(v => v.Weight);
        var roll = random.Below(total);
        foreach (var (verb, weight) in TopLevel)
        {
            if (roll < weight)
                return verb;
            roll -= weight;
        }
        return "check";
    }

    private bool Fits(string keyword, bool topLevel)
    {
        if (keyword == "race")
            return topLevel;
        var verb = Verbs.Find(keyword)!;
        if (!topLevel && !verb.AllowedInRace)
            return false;
        if (verb.NeedsFile && !_backing.HasFile)
            return false;
        var needsMapping = verb.Effect is Effect.WriteMapping or Effect.CopyFromMapping or Effect.Pin or Effect.Unmap || keyword is "msync" or "mprotect";
        if (needsMapping && !_mapped)
            return false;
        return verb.Effect switch
        {
            Effect.Pin => _pin is null,
            Effect.Unpin or Effect.WriteThroughPin or Effect.CopyThroughPin => _pin is not null,
            Effect.Resize => _backing.Kind != BackingKind.Hugetlb,
            _ => true,
        };
    }

    private string Race()
    {
        var body = Enumerable.Range(0, 2 + random.Below(2)).Select(_ => "  " + Step(topLevel: false));
        return $"race count={1 + random.Below(40)}\n{string.Join('\n', body)}\nend";
    }

    private string Truncate()
    {
        _size = 1 + random.Below(_blocks);
        return $"truncate size={_size * 4}K";
    }

    private string Pin()
    {
        var first = random.Below(_blocks);
        var last = first + random.Below(_blocks - first);
        _pin = (first, last);
        if (random.Below(5) == 0)
            return $"pin uring-register blocks={first}-{last}";
        var access = random.Below(10) switch
        {
            < 7 => "local-write,remote-write",
            < 9 => "remote-read",
            _ => "local-write",
        };
        return $"pin rdma-mr access={access} blocks={first}-{last}";
    }

    private string Unpin()
    {
        _pin = null;
        return "unpin";
    }

    private string Munmap()
    {
        _mapped = false;
        return "munmap";
    }

    private string Range(int first, int last)
    {
        var a = first + random.Below(last - first + 1);
        var b = a + random.Below(last - a + 1);
        return a == b ? $"{a}" : $"{a}-{b}";
    }
}
