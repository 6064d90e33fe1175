"""The public site for parents: home, 科学育儿 articles, experts, parent classes, the survey.

Split by concept (style.md: modules past ~400 lines). Importing everything here keeps the
app label `cms` and the model names stable for migrations and for other apps (monitoring
reads `cms.models.SurveyResponse`).
"""

from .taxonomy import AgeBand, Topic  # noqa: F401
from .experts import Expert, Specialty  # noqa: F401
from .home import HomePage  # noqa: F401
from .articles import ArticleIndexPage, ArticlePage, ArticlePageTag  # noqa: F401
from .classes import ClassSignup, ParentClassIndexPage, ParentClassPage  # noqa: F401
from .survey import SurveyPage, SurveyResponse  # noqa: F401
from .search import SearchTerm  # noqa: F401
