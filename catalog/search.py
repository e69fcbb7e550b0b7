"""Item search for the storefront: by code, name (Chinese and English), category and specification values.

Every item carries `search_text`, a lower-cased document built by `search_document` (item code, names, category
names, attribute values) and kept current by `item_upsert` / `item_upsert_many`. On PostgreSQL two GIN indexes
serve it (migration 0002): `to_tsvector('simple', search_text)` for full-text matching and a trigram index
(`gin_trgm_ops`) for typo-tolerant word similarity. SQLite (`make run`) matches every token with `icontains`.

Why CJK bigrams. Chinese is written without spaces, and PostgreSQL's text-search parser keeps a whole run of
Chinese characters as one token: `to_tsvector('simple', '热轧钢板')` is `'热轧钢板'`, so the query 钢板 would never
match it. A substring match (`LIKE '%钢板%'`) would, but a trigram index cannot serve a pattern of fewer than three
characters: 钢板 yields no trigram, so PostgreSQL scans the whole table. Hence the document also holds, for every
run of CJK characters, its overlapping two-character pieces as separate words ("热轧钢板" → "热轧 轧钢 钢板"; a
one-character run stands as itself), and a Chinese query is cut the same way: 热轧钢板 becomes 热轧 & 轧钢 & 钢板,
a full-text query the GIN index answers. (Bigrams can match an item whose text holds all pieces but not the whole
run, e.g. 热轧 … 轧钢 … 钢板 apart; for product names this is rare and such an item ranks lower.)

Latin words and codes: the parser splits "PL-Q235B-10" into 'pl-q235b', 'pl', 'q235b', '10' but keeps "1.5" or
"a.b/10" whole, so the document adds each text's alphanumeric parts as words too, and a query's words are those
parts, matched as prefixes (`q23` finds Q235B).

Typos. When a query with latin words finds nothing, each word of three or more characters is corrected against
the vocabulary of the catalog (`SearchWord`: every latin word of every item's document, kept by
`remember_words`): the words similar to it by trigrams (`stainlss` → stainless) or within one or two edits
(`flnage` → flange, a transposition), closest first, at most three. The corrected query is a full-text query
again, so the index serves it (comparing the misspelt word with every item's document instead cost 130 ms at
100,000 items: bench/results/catalog_search.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length

from .models import Item, SearchWord

# CJK Unified Ideographs, Extension A and the compatibility ideographs.
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# A query's words: runs of CJK characters, or runs of other letters and digits.
QUERY_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_PART = re.compile(r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# What a query may be: longer input is cut (a search box, not a document).
MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 16
DEFAULT_LIMIT = 50
# Fall back to word similarity only for words this long: a shorter one has too few trigrams to be told apart.
MIN_FUZZY_CHARS = 3
# The vocabulary's words: lower-case letters and digits (documents are lower case), at most this long.
VOCABULARY_WORD = re.compile(r"[a-z0-9]+")
MAX_WORD_CHARS = 60
CORRECTIONS_PER_WORD = 3
CANDIDATES_PER_WORD = 20


def document_words(document: str) -> set[str]:
    """The words of a search document that a misspelt query word may be corrected to: latin words of three or
    more characters that are not only digits."""
    return {
        word
        for word in VOCABULARY_WORD.findall(document or "")
        if MIN_FUZZY_CHARS <= len(word) <= MAX_WORD_CHARS and not word.isdigit()
    }


def remember_words(documents: Iterable[str]) -> None:
    """Add the documents' words to the vocabulary (those it has are left alone)."""
    words: set[str] = set()
    for document in documents:
        words |= document_words(document)
    if words:
        SearchWord.objects.bulk_create(
            [SearchWord(word=word) for word in sorted(words)], batch_size=1000, ignore_conflicts=True
        )


def corrections(word: str) -> list[str]:
    """The words of the vocabulary closest to `word` (PostgreSQL), at most three: none when some word starts with
    it (it is no typo). Candidates within one edit for words of up to four characters, two for longer ones, or
    similar by trigrams, come from the database; the closest by edits counting a swap of neighbours as one
    (`vlave` → valve, not plate) are kept."""
    edits = 1 if len(word) <= 4 else 2
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM catalog_searchword"
            " WHERE length(word) BETWEEN %s AND %s"
            " AND (word %% %s OR levenshtein_less_equal(word, %s, %s) <= %s)"
            " ORDER BY levenshtein_less_equal(word, %s, %s), similarity(word, %s) DESC, word LIMIT %s",
            [
                len(word) - edits, len(word) + edits, word, word, edits, edits, word, edits + 1, word,
                CANDIDATES_PER_WORD,
            ],
        )  # fmt: skip
        candidates = [row[0] for row in cursor.fetchall()]
        if any(candidate.startswith(word) for candidate in candidates):
            return []
        # a query word holds letters and digits only (no LIKE wildcards): is it the start of a word we know?
        cursor.execute("SELECT EXISTS (SELECT 1 FROM catalog_searchword WHERE word LIKE %s)", [word + "%"])
        if cursor.fetchone()[0]:
            return []
    if not candidates:
        return []
    distances = {candidate: swap_distance(word, candidate) for candidate in candidates}
    best = min(distances.values())
    return [candidate for candidate in candidates if distances[candidate] == best][:CORRECTIONS_PER_WORD]


def swap_distance(a: str, b: str) -> int:
    """Edits from `a` to `b` (insert, delete, substitute, or swap two neighbours), each counted once: the optimal
    string alignment distance."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def cjk_pieces(run: str) -> list[str]:
    """The overlapping bigrams of a run of CJK characters; a one-character run as itself."""
    if len(run) == 1:
        return [run]
    return [run[index : index + 2] for index in range(len(run) - 1)]


def _category_chain(category: Any) -> list[Any]:
    """The category and its ancestors, root first (guarded against a cycle). Works with historical models too."""
    chain: list[Any] = []
    seen: set[Any] = set()
    node = category
    while node is not None and node.pk not in seen:
        chain.append(node)
        seen.add(node.pk)
        node = node.parent if node.parent_id is not None else None
    return list(reversed(chain))


def _attribute_texts(value: Any) -> list[str]:
    if value is None or isinstance(value, bool | dict):
        return []
    if isinstance(value, list | tuple):
        return [text for element in value for text in _attribute_texts(element)]
    return [str(value)]


def search_document(item: Any, category: Any = None) -> str:
    """The text an item is found by: its code, names, the names of its category and the category's ancestors,
    its attribute values (by attribute code), then the alphanumeric parts and CJK bigrams those texts do not
    already hold as words — lower-cased, single spaces. `category` (with its `parent` chain loaded) saves the
    queries for `item.category`."""
    category = category if category is not None else item.category
    texts = [item.code, item.name, item.name_en]
    for node in _category_chain(category):
        texts.extend([node.name, node.name_en])
    attributes = item.attributes or {}
    if isinstance(attributes, dict):
        for code in sorted(attributes):
            texts.extend(_attribute_texts(attributes[code]))
    words: list[str] = []
    for text in texts:
        words.extend((text or "").lower().split())
    known = set(words)
    extra: list[str] = []
    for word in list(words):
        parts = LATIN_PART.findall(word)
        if parts != [word]:
            extra.extend(parts)
        for run in CJK_RUN.findall(word):
            extra.extend(cjk_pieces(run))
    for word in extra:
        if word not in known:
            known.add(word)
            words.append(word)
    return " ".join(words)


def query_tokens(query: str) -> tuple[list[str], list[str]]:
    """(latin words, CJK pieces) of a search query: lower-cased, CJK runs cut into bigrams, duplicates dropped.
    Only letters, digits and CJK characters survive, so no token carries tsquery syntax."""
    latin: list[str] = []
    pieces: list[str] = []
    for token in QUERY_TOKEN.findall((query or "")[:MAX_QUERY_CHARS].lower()):
        if CJK_RUN.fullmatch(token):
            pieces.extend(piece for piece in cjk_pieces(token) if piece not in pieces)
        elif token not in latin:
            latin.append(token)
    return latin[:MAX_QUERY_TOKENS], pieces[:MAX_QUERY_TOKENS]


def _tsquery(latin: list[str], pieces: list[str]) -> str:
    """`a:* & b:* & 钢板`: latin words as prefixes; a single CJK character also as a prefix (it stands alone in
    the document only as a one-character run, but begins the bigrams it starts)."""
    terms = [f"'{word}':*" for word in latin]
    terms += [f"'{piece}':*" if len(piece) == 1 else f"'{piece}'" for piece in pieces]
    return " & ".join(terms)


def search_items(query: str, *, queryset: QuerySet[Item] | None = None, limit: int | None = DEFAULT_LIMIT):
    """Items of `queryset` that match `query` (see `search_items_explained`), best first, at most `limit`."""
    return search_items_explained(query, queryset=queryset, limit=limit)[0]


def search_items_explained(
    query: str, *, queryset: QuerySet[Item] | None = None, limit: int | None = DEFAULT_LIMIT
) -> tuple[QuerySet[Item], bool]:
    """(items, fuzzy): the items as `search_items` finds them, and whether they were found by similar words
    (typo tolerance) because the words as typed found nothing — the storefront says so.

    Items of `queryset` (all items by default) that match `query`, best first, at most `limit` (None: all).

    Every word must match: latin words as prefixes of the document's words, Chinese as its bigrams. On PostgreSQL
    an exact code match comes first, then shorter documents (the query is more of them), then by code; when latin
    words find nothing, words similar to them (typos) are found instead, in the same order. A blank query returns
    `queryset` unchanged; a query without letters, digits or Chinese characters finds nothing."""
    queryset = queryset if queryset is not None else Item.objects.all()
    if not (query or "").strip():
        return queryset, False
    query = query[:MAX_QUERY_CHARS].replace("\x00", " ")
    latin, pieces = query_tokens(query)
    if not latin and not pieces:
        return queryset.none(), False
    fuzzy = False
    if connection.vendor == "postgresql":
        results, fuzzy = _search_postgresql(queryset, query.strip(), latin, pieces)
    else:
        condition = Q()
        for token in [*latin, *[run for run in CJK_RUN.findall(query.lower())]]:
            condition &= Q(search_text__icontains=token)
        exact = Case(When(code__iexact=query.strip(), then=Value(0)), default=Value(1), output_field=IntegerField())
        results = queryset.filter(condition).annotate(search_exact=exact).order_by("search_exact", "code")
    return (results[:limit] if limit is not None else results), fuzzy


def _search_postgresql(
    queryset: QuerySet[Item], query: str, latin: list[str], pieces: list[str]
) -> tuple[QuerySet[Item], bool]:
    column = f'{connection.ops.quote_name(Item._meta.db_table)}."search_text"'
    # The very expression of the GIN index (migration 0002), so the planner can use it.
    vector = f"to_tsvector('simple'::regconfig, {column})"
    tsquery = _tsquery(latin, pieces)
    exact = Case(When(code__iexact=query, then=Value(0)), default=Value(1), output_field=IntegerField())
    matches = RawSQL(f"{vector} @@ to_tsquery('simple'::regconfig, %s)", [tsquery], output_field=BooleanField())
    # Relevance without ts_rank: ts_rank parses every matching row's document again (to_tsvector is not stored),
    # which costs about 30 µs a row — 600 ms for the 20,000 items a common word like 钢板 matches in 100,000
    # (bench/results/catalog_search.md). A shorter document is one the query says more of: 钢板 before
    # 热轧钢板 Q235B 10mm with its specification.
    found = (
        queryset.filter(matches)
        .annotate(search_exact=exact, search_length=Length("search_text"))
        .order_by("search_exact", "search_length", "code")
    )
    fuzzy_words = [word for word in latin if len(word) >= MIN_FUZZY_CHARS]
    if not fuzzy_words or found.exists():
        return found, False
    # Typo tolerance: each longer latin word may also be one of its corrections from the vocabulary; Chinese
    # pieces and short words must still match as typed.
    terms = []
    for word in latin:
        alternatives = [f"'{word}':*"]
        if word in fuzzy_words:
            alternatives += [f"'{correction}'" for correction in corrections(word)]
        terms.append(alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")")
    terms += [f"'{piece}':*" if len(piece) == 1 else f"'{piece}'" for piece in pieces]
    corrected = RawSQL(
        f"{vector} @@ to_tsquery('simple'::regconfig, %s)", [" & ".join(terms)], output_field=BooleanField()
    )
    return (
        queryset.filter(corrected)
        .annotate(search_exact=exact, search_length=Length("search_text"))
        .order_by("search_exact", "search_length", "code"),
        True,
    )


__all__ = [
    "cjk_pieces",
    "corrections",
    "document_words",
    "query_tokens",
    "remember_words",
    "search_document",
    "search_items",
    "search_items_explained",
]
