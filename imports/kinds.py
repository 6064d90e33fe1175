"""The registry of import kinds.

Each app that owns importable data has an `importers.py` that registers its kinds:

    from imports.kinds import register

    @register
    class StaffImporter(Importer): kind = "staff" ...

The engine discovers those modules the first time a kind is asked for (not at start-up, and
never by importing a higher app by name), so registry, training and certification stay
independent of each other and of the engine.
"""

from django.utils.module_loading import autodiscover_modules

# The order of interfaces.md; kinds not yet provided by their app are simply absent.
KIND_ORDER = ("institutions", "staff", "training", "certificates")
KIND_TITLES = {
    "institutions": "托育机构名录",
    "staff": "从业人员花名册",
    "training": "培训记录",
    "certificates": "持证记录",
}

_registry = {}
_discovered = False


def register(importer_class):
    if importer_class.kind not in KIND_ORDER:
        raise ValueError(f"unknown import kind {importer_class.kind!r}; add it to interfaces.md first")
    _registry[importer_class.kind] = importer_class
    return importer_class


def _discover():
    global _discovered
    if not _discovered:
        autodiscover_modules("importers")
        _discovered = True


def available_kinds():
    _discover()
    return [kind for kind in KIND_ORDER if kind in _registry]


def get_importer(kind):
    """An instance of the importer of `kind`; KeyError if there is none."""
    _discover()
    return _registry[kind]()
