"""The generic spreadsheet import engine: read a file safely (reader), parse cells (parsers),
check and write rows all-or-nothing (engine, bulk), write Excel files (excel), and the
registry of import kinds (kinds).

It imports no app. Each app that owns importable data plugs its kinds in from above: its
`importers.py` declares `Importer` subclasses and its AppConfig.ready() imports that module,
whose `@register` puts them in `kinds`. The web flow, history and command (the `imports` app)
ask `kinds` for an importer by name and never import the apps that provide them.
"""
