"""The demo académie, one module per part it seeds (``manage.py seed_demo``, in
``referents`` because it seeds both apps):

- ``directory``: districts, schools, staff and the named demo accounts (Versailles);
- ``catalogue``: the current year's programmes, modules and sessions;
- ``activity``: past sessions with sheets and hours, needs, school plans, anomalies;
- ``national``: the 30 académies' directories, in proportion to their size;
- ``volume``: the hours ledger at scale, for the benchmarks.

The référents' part is ``referents.demo``.
"""
