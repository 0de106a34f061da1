namespace Isrm.Model.Tokenization;

/// <summary>Learns a byte-level BPE vocabulary from text: GPT-2 pre-tokens, then repeatedly merge the most frequent adjacent pair.</summary>
public static class BpeTrainer
{
    /// <summary>Pairs seen fewer times than this are not worth a vocabulary slot; training stops early if none are left.</summary>
    public const int MinPairFrequency = 2;

    /// <summary>Trains up to <paramref name="vocabSize"/> tokens (256 bytes + merges); <paramref name="progress"/> gets the vocabulary size so far.</summary>
    public static BpeVocabulary Train(IEnumerable<string> texts, int vocabSize, IProgress<int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 256);
        var words = new WordTable(CountPreTokens(texts));
        var tokens = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList();
        var idOfToken = tokens.Select((t, id) => (ByteLevel.ToTokenString(t), id)).ToDictionary(p => p.Item1, p => p.id, StringComparer.Ordinal);
        var merges = new List<(int, int)>();
        while (tokens.Count < vocabSize && words.TryTakeBestPair(MinPairFrequency, out int left, out int right))
        {
            byte[] merged = [.. tokens[left], .. tokens[right]];
            string key = ByteLevel.ToTokenString(merged);
            // Two merge paths can spell the same bytes ("a"+"bc", "ab"+"c"): they share one id, as in GPT-2.
            if (!idOfToken.TryGetValue(key, out int id))
            {
                id = tokens.Count;
                tokens.Add(merged);
                idOfToken[key] = id;
            }
            merges.Add((left, right));
            words.Merge(left, right, id);
            if (tokens.Count % 64 == 0) progress?.Report(tokens.Count);
        }
        progress?.Report(tokens.Count);
        return new BpeVocabulary(tokens, merges);
    }

    private static Dictionary<string, long> CountPreTokens(IEnumerable<string> texts)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (string raw in texts)
        {
            string text = ByteLevel.ReplaceLoneSurrogates(raw);
            foreach (var match in ByteLevel.PreTokenPattern().EnumerateMatches(text))
            {
                ReadOnlySpan<char> piece = text.AsSpan(match.Index, match.Length);
                lookup[piece] = lookup.TryGetValue(piece, out long n) ? n + 1 : 1;
            }
        }
        return counts;
    }

    /// <summary>The distinct pre-tokens as symbol sequences, with pair counts kept up to date incrementally so each merge only touches the words that hold the pair.</summary>
    private sealed class WordTable
    {
        private readonly int[][] _symbols;
        private readonly int[] _lengths;
        private readonly long[] _frequency;
        private readonly int[] _visited;
        private readonly Dictionary<long, long> _pairCount = [];
        // Words that held a pair at some point; may list words that no longer do (checked on use).
        private readonly Dictionary<long, List<int>> _wordsWithPair = [];
        // Lazy max-heap: entries go stale when a count changes and are skipped when popped.
        private readonly PriorityQueue<long, (long Count, long Pair)> _heap = new(Comparer<(long Count, long Pair)>.Create(
            (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : a.Pair.CompareTo(b.Pair)));
        private readonly HashSet<long> _changed = [];
        private int _step;

        public WordTable(Dictionary<string, long> counts)
        {
            int n = counts.Count;
            _symbols = new int[n][];
            _lengths = new int[n];
            _frequency = new long[n];
            _visited = new int[n];
            int w = 0;
            foreach ((string word, long frequency) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                _symbols[w] = Encoding.UTF8.GetBytes(word).Select(b => (int)b).ToArray();
                _lengths[w] = _symbols[w].Length;
                _frequency[w] = frequency;
                AddPairs(w, +1, -1);
                w++;
            }
            foreach ((long pair, long count) in _pairCount) _heap.Enqueue(pair, (count, pair));
        }

        public bool TryTakeBestPair(int minFrequency, out int left, out int right)
        {
            while (_heap.TryDequeue(out long pair, out var entry))
            {
                if (!_pairCount.TryGetValue(pair, out long count) || count != entry.Count) continue;
                if (count < minFrequency) break;
                (left, right) = Unpack(pair);
                return true;
            }
            left = right = -1;
            return false;
        }

        public void Merge(int left, int right, int merged)
        {
            long pair = Pack(left, right);
            _step++;
            _changed.Clear();
            if (!_wordsWithPair.Remove(pair, out List<int>? holders)) return;
            foreach (int w in holders)
            {
                if (_visited[w] == _step) continue;
                _visited[w] = _step;
                if (!Contains(w, left, right)) continue;
                AddPairs(w, -1, -1);
                Replace(w, left, right, merged);
                AddPairs(w, +1, merged);
            }
            foreach (long changed in _changed)
            {
                long count = _pairCount[changed];
                if (count <= 0) _pairCount.Remove(changed);
                else _heap.Enqueue(changed, (count, changed));
            }
        }

        /// <summary>Adds (sign +1) or removes (−1) the word's adjacent pairs from the counts; pairs holding <paramref name="indexFor"/> also record the word as a holder.</summary>
        private void AddPairs(int w, int sign, int indexFor)
        {
            int[] s = _symbols[w];
            long delta = sign * _frequency[w];
            for (int i = 0; i + 1 < _lengths[w]; i++)
            {
                long pair = Pack(s[i], s[i + 1]);
                _pairCount[pair] = _pairCount.GetValueOrDefault(pair) + delta;
                _changed.Add(pair);
                if (sign > 0 && (indexFor < 0 || s[i] == indexFor || s[i + 1] == indexFor))
                {
                    if (!_wordsWithPair.TryGetValue(pair, out List<int>? list)) _wordsWithPair[pair] = list = [];
                    list.Add(w);
                }
            }
        }

        private bool Contains(int w, int left, int right)
        {
            int[] s = _symbols[w];
            for (int i = 0; i + 1 < _lengths[w]; i++)
                if (s[i] == left && s[i + 1] == right) return true;
            return false;
        }

        private void Replace(int w, int left, int right, int merged)
        {
            int[] s = _symbols[w];
            int length = _lengths[w], write = 0;
            for (int read = 0; read < length; read++)
            {
                if (read + 1 < length && s[read] == left && s[read + 1] == right) { s[write++] = merged; read++; }
                else s[write++] = s[read];
            }
            _lengths[w] = write;
        }

        private static long Pack(int left, int right) => ((long)left << 32) | (uint)right;
        private static (int, int) Unpack(long pair) => ((int)(pair >> 32), (int)(pair & 0xFFFFFFFF));
    }
}
