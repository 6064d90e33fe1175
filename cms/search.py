"""Chinese full-text search for the parents' site, identical on SQLite and PostgreSQL.

Indexing: a page's title, summary and body are cut into words with jieba's search mode
(which also emits the shorter words inside long ones: 母乳喂养 → 母乳, 喂养, 母乳喂养) and
stored as SearchTerm rows. Querying: the query is cut the same way; pages are matched by
exact equality on the indexed `term` column and ranked: pages whose title holds query words
first, rarer words counting more (inverse document frequency), then pages matching more
distinct words, then by weighted occurrences.
"""

import logging
import math
import re
import threading
import unicodedata
from collections import defaultdict

from django.db import transaction

_lock = threading.Lock()
_tokenizer = None

# Words of the parenting domain that jieba's general dictionary lacks or would split
# (辅食 alone is not in it). Both the index and the queries use them, so they agree.
PARENTING_WORDS = [
    "辅食", "辅食添加", "配方奶", "配方奶粉", "夜醒", "夜奶", "大运动", "精细动作", "手足口病", "抚触",
    "绘本", "海姆立克", "小儿推拿", "分离焦虑", "维生素D", "维生素AD", "哄睡", "噎食", "吐奶", "溢奶",
    "泥糊", "强化铁", "月龄", "婴幼儿", "早产儿", "亲子阅读", "亲子共读", "睡眠倒退", "出牙", "乳牙",
    "安抚奶嘴", "趴玩", "俯卧", "翻身", "爬行", "独走", "囟门", "黄疸", "湿疹", "发热", "退烧药", "热性惊厥",
    "疫苗接种", "计划免疫", "腹泻", "脱水", "口服补液盐", "便秘", "过敏", "牛奶蛋白过敏", "捏脊",
    "积食", "安全座椅", "防跌落", "烫伤", "溺水", "异物", "窒息", "如厕训练", "发脾气", "情绪", "依恋",
    "隔代养育", "二孩", "屏幕时间", "语言发育", "咿呀学语", "叠词", "儿童保健", "生长曲线", "身长",
    "体重", "头围", "母乳", "母乳喂养", "瓶喂", "奶瓶", "手指食物", "自主进食", "挑食", "偏食",
]

# Words too common to tell articles apart; dropped from queries. A query made only of them
# finds nothing rather than every article.
STOPWORDS = set(
    "的 了 是 在 和 与 及 或 也 都 就 要 吗 呢 吧 啊 么 怎么 怎样 如何 什么 为什么 哪些 可以 应该 "
    "一个 一些 这 那 这个 那个 我 你 他 她 它 我们 你们 有 没有 会 能 让 把 被 给 对 从 到 时 时候 "
    "多少 几 个 吃 做 还 又 很 更 最 不 没".split()
)

_WORD = re.compile(r"\w", re.UNICODE)
TERM_MAX = 40
FIELD_WEIGHTS = {"title": 5, "summary": 2, "body": 1}


def _get_tokenizer():
    """jieba's dictionary takes about a second to load: do it once per process, quietly."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                # jieba logs "Building prefix dict..." to stderr at DEBUG by default.
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in PARENTING_WORDS:
                    tokenizer.add_word(word, freq=2000)
                _tokenizer = tokenizer
    return _tokenizer


def normalise(text):
    # NFKC folds full-width letters and digits (ＡＤ → AD) the way phones often type them.
    return unicodedata.normalize("NFKC", text or "").lower()


def tokenize(text):
    """Words of `text` (with repeats), search mode; punctuation and spaces dropped."""
    tokens = []
    for token in _get_tokenizer().cut_for_search(normalise(text), HMM=True):
        token = token.strip()
        if token and len(token) <= TERM_MAX and _WORD.search(token):
            tokens.append(token)
    return tokens


def query_terms(query):
    """Distinct words of a query, stopwords dropped."""
    return [w for w in dict.fromkeys(tokenize(query[:100])) if w not in STOPWORDS]


# --- Indexing ------------------------------------------------------------------------------


def index_page(page):
    """(Re)build the terms of one page from its `search_text()`; live pages only."""
    from .models import SearchTerm

    if not page.live:
        unindex_page(page)
        return
    weights = defaultdict(int)
    in_title = set()
    for field, text in page.search_text().items():
        for token in tokenize(text):
            weights[token] += FIELD_WEIGHTS[field]
            if field == "title":
                in_title.add(token)
    rows = [
        SearchTerm(page_id=page.pk, term=term, weight=weight, in_title=term in in_title)
        for term, weight in weights.items()
    ]
    with transaction.atomic():
        SearchTerm.objects.filter(page_id=page.pk).delete()
        SearchTerm.objects.bulk_create(rows, batch_size=500)


def unindex_page(page):
    from .models import SearchTerm

    SearchTerm.objects.filter(page_id=page.pk).delete()


def indexed_models():
    from .models import ArticlePage, ParentClassPage

    return [ArticlePage, ParentClassPage]


def rebuild_index():
    """Reindex every live searchable page (management command `rebuild_cms_search`)."""
    from .models import SearchTerm

    count = 0
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        for model in indexed_models():
            for page in model.objects.live().prefetch_related(*_prefetch(model)):
                index_page(page)
                count += 1
    return count


def _prefetch(model):
    return ["topics"] if hasattr(model, "topics") else []


# --- Querying --------------------------------------------------------------------------------


def search_pages(query, models=None, limit=200):
    """Live, public pages matching `query`, best first, as specific page instances.

    Ranking: pages with query words in their title come first; words are weighted by rarity
    (inverse document frequency), so a title holding 辅食 beats one holding only 宝宝.
    Three queries whatever the number of results: the page count, the matching terms (at
    most pages × query words rows), and the pages themselves.
    """
    from wagtail.models import Page

    from .models import SearchTerm

    terms = query_terms(query or "")
    if not terms:
        return []
    models = models or indexed_models()
    live = Page.objects.live().public().type(*models)
    rows = list(
        SearchTerm.objects.filter(term__in=terms, page_id__in=live.values("pk"))
        .values_list("page_id", "term", "in_title", "weight")
    )
    if not rows:
        return []
    total_pages = live.count()
    document_frequency = defaultdict(int)
    for _, term, _, _ in rows:
        document_frequency[term] += 1
    idf = {term: math.log((total_pages + 1) / (df + 1)) + 1 for term, df in document_frequency.items()}
    title_score, text_score, matched = defaultdict(float), defaultdict(float), defaultdict(int)
    for page_id, term, in_title, weight in rows:
        matched[page_id] += 1
        text_score[page_id] += idf[term] * math.log1p(weight)
        if in_title:
            title_score[page_id] += idf[term]
    order = sorted(matched, key=lambda pk: (-title_score[pk], -matched[pk], -text_score[pk], -pk))[:limit]
    by_id = {p.pk: p for p in Page.objects.filter(pk__in=order).specific()}
    return [by_id[pk] for pk in order if pk in by_id]
