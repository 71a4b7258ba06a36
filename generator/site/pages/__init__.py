"""One module per page kind. Each builds its pages' contexts (one documented frozen dataclass per
template) from published metrics and config, and never computes a figure: what a page shows is
computed in ``generator.metrics``. ``generator.site.assemble.build_site`` gathers and renders them.

- ``overview``: ``/``; ``reps``: ``/reps/`` and each rep; ``teams``: ``/teams/`` and each team
- ``segments``: regions, categories and channels, an index and a page per segment
- ``goals``, ``coaching``, ``activity``, ``trends``, ``managers``, ``forecast``: topics, each its own
  pages plus sections for rep, team and segment pages (the ``Topic`` contract in ``site.common``)
- ``data_quality``: ``/data-quality/``; ``methodology``: ``/methodology/``
- ``figures``: what rep and team pages share (columns, the figures table)
"""
