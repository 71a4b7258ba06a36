"""Site stage: charts, pages and data files rendered from metrics; the only stage that writes files."""
