"""The registry of import kinds.

Each app that owns importable data has an `importers.py` that registers its kinds, and imports
that module in its AppConfig.ready():

    from core.imports.kinds import register

    @register
    class StaffImporter(Importer): kind = "staff" ...

so the engine and the imports app find every kind by name without importing registry,
training or certification (which sit above them).
"""

# The order of interfaces.md; kinds not yet provided by their app are simply absent.
KIND_ORDER = ("institutions", "staff", "training", "certificates")
KIND_TITLES = {
    "institutions": "托育机构名录",
    "staff": "从业人员花名册",
    "training": "培训记录",
    "certificates": "持证记录",
}

_registry = {}


def register(importer_class):
    if importer_class.kind not in KIND_ORDER:
        raise ValueError(f"unknown import kind {importer_class.kind!r}; add it to interfaces.md first")
    _registry[importer_class.kind] = importer_class
    return importer_class


def available_kinds():
    return [kind for kind in KIND_ORDER if kind in _registry]


def get_importer(kind):
    """An instance of the importer of `kind`; KeyError if there is none."""
    return _registry[kind]()
